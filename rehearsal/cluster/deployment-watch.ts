import type { KubeApi } from "./control-plane";

/** The Deployment after a sync, and how available it stayed while the sync ran. */
export interface DeploymentReport {
    /** The pod template's first container's image; undefined: no Deployment. */
    readonly image?: string;
    readonly replicas: number;
    readonly updated: number;
    readonly available: number;
    /**
     * The fewest available replicas seen during the sync, sampled every 200 ms, when the
     * Deployment was there before it: a rollout with maxUnavailable 0 never goes below `replicas`.
     * Undefined for a Deployment the sync created.
     */
    readonly fewestAvailable?: number;
}

interface DeploymentObject {
    spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
    status?: { availableReplicas?: number; updatedReplicas?: number };
}

async function read(api: KubeApi, path: string): Promise<DeploymentReport> {
    const answer = await api.request("GET", path);
    if (answer.status === 404) return { replicas: 0, updated: 0, available: 0 };
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`);
    const deployment = answer.body as DeploymentObject;
    return {
        image: deployment.spec.template.spec.containers[0]?.image,
        replicas: deployment.spec.replicas ?? 1,
        updated: deployment.status?.updatedReplicas ?? 0,
        available: deployment.status?.availableReplicas ?? 0,
    };
}

/** Samples the Deployment until stop(), which gives its state then and the fewest available replicas seen. */
export async function watchDeployment(
    api: KubeApi,
    namespace: string,
    name: string,
): Promise<{ stop(): Promise<DeploymentReport> }> {
    const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
    const before = await read(api, path);
    let fewest = before.image === undefined ? undefined : before.available;
    let stopped = false;
    const sampling = (async () => {
        while (!stopped) {
            const now = await read(api, path);
            if (fewest !== undefined) fewest = Math.min(fewest, now.available);
            await new Promise((done) => setTimeout(done, 200));
        }
    })();
    return {
        stop: async () => {
            stopped = true;
            await sampling;
            return { ...(await read(api, path)), ...(fewest === undefined ? {} : { fewestAvailable: fewest }) };
        },
    };
}
