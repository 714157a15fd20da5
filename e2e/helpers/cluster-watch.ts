// What the API server itself shows of a sync: every object's creation, finish and deletion as
// resourceVersions from watches across all namespaces, evidence independent of the engine's record.
import type { ClientRequest } from "http";
import { request } from "https";
import { readFileSync } from "fs";
import { parse } from "yaml";
import type { ControlPlane } from "../../rehearsal/cluster/control-plane";
import type { EngineStep, SyncOutcome } from "../../rehearsal/cluster/sync-engine";

/** "Kind/name": how the differential names an object or a task. */
export const taskKey = (t: { kind: string; name: string }) => `${t.kind}/${t.name}`;

/** What the API server itself showed of an object: the resourceVersions (etcd revisions, one order for the whole cluster) at which it was created and first done. */
export interface Observed {
    created: number;
    /** A Job Complete or Failed, a Deployment Available as Argo CD's health check reads it; any other kind: when created. */
    done?: number;
    /** When its deletion began (deletionTimestamp set, or gone). */
    deleted?: number;
}

/** The kinds the differential syncs, and where to watch them across all namespaces. */
const watched = [
    ["ConfigMap", "/api/v1/configmaps"],
    ["Secret", "/api/v1/secrets"],
    ["ServiceAccount", "/api/v1/serviceaccounts"],
    ["Service", "/api/v1/services"],
    ["Job", "/apis/batch/v1/jobs"],
    ["Deployment", "/apis/apps/v1/deployments"],
] as const;

interface WatchedObject {
    metadata: {
        namespace?: string;
        name: string;
        resourceVersion: string;
        generation?: number;
        deletionTimestamp?: string;
    };
    spec?: { replicas?: number };
    status?: {
        conditions?: { type: string; status: string }[];
        observedGeneration?: number;
        replicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
    };
}

// ge: pkg/health/health_job.go and health_deployment.go: when Argo CD stops waiting for it.
function isDone(kind: string, o: WatchedObject): boolean {
    const status = o.status ?? {};
    if (kind === "Job")
        return (status.conditions ?? []).some((c) => ["Complete", "Failed"].includes(c.type) && c.status === "True");
    if (kind === "Deployment") {
        const updated = status.updatedReplicas ?? 0;
        return (
            (o.metadata.generation ?? 0) <= (status.observedGeneration ?? 0) &&
            updated >= (o.spec?.replicas ?? 1) &&
            (status.replicas ?? 0) <= updated &&
            (status.availableReplicas ?? 0) >= updated
        );
    }
    return true;
}

/**
 * Watches the API server for every kind the differential syncs, in all namespaces, recording
 * for each object ("namespace/Kind/name") when it was created and done, as resourceVersions:
 * evidence of the order independent of the engine's own record. Started before any sync.
 */
export async function watchCluster(cluster: ControlPlane) {
    const config = parse(readFileSync(cluster.kubeconfig, "utf8")) as {
        clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
        users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
    };
    const pem = (data: string) => Buffer.from(data, "base64");
    const [{ cluster: server }, { user }] = [config.clusters[0], config.users[0]];
    const observed = new Map<string, Observed>();
    const requests: ClientRequest[] = [];
    let stopped = false;
    let broken: string | undefined;
    await Promise.all(
        watched.map(
            ([kind, path]) =>
                new Promise<void>((started, failed) => {
                    const req = request(
                        `${server.server}${path}?watch=1&timeoutSeconds=3600`,
                        {
                            ca: pem(server["certificate-authority-data"]),
                            cert: pem(user["client-certificate-data"]),
                            key: pem(user["client-key-data"]),
                        },
                        (res) => {
                            if (res.statusCode !== 200) return failed(new Error(`watch ${path}: ${res.statusCode}`));
                            started();
                            let pending = "";
                            res.setEncoding("utf8");
                            res.on("data", (chunk: string) => {
                                const lines = (pending + chunk).split("\n");
                                pending = lines.pop() ?? "";
                                for (const line of lines.filter((l) => l !== "")) {
                                    const event = JSON.parse(line) as { type: string; object: WatchedObject };
                                    if (!["ADDED", "MODIFIED", "DELETED"].includes(event.type)) continue;
                                    const o = event.object;
                                    const key = `${o.metadata.namespace ?? ""}/${kind}/${o.metadata.name}`;
                                    const version = Number(o.metadata.resourceVersion);
                                    const seen = observed.get(key) ?? { created: version };
                                    if (seen.done === undefined && isDone(kind, o)) seen.done = version;
                                    const deleting =
                                        event.type === "DELETED" || o.metadata.deletionTimestamp !== undefined;
                                    if (seen.deleted === undefined && deleting) seen.deleted = version;
                                    observed.set(key, seen);
                                }
                            });
                            res.on("end", () => {
                                if (!stopped) broken = `the API server ended the watch of ${path}`;
                            });
                        },
                    );
                    req.on("error", (error) => {
                        if (!stopped) broken = `watch ${path}: ${error.message}`;
                        failed(error);
                    });
                    req.end();
                    requests.push(req);
                }),
        ),
    );
    return {
        observed,
        /**
         * Waits until the watches have shown what the engine did (each kind's events come on a
         * stream of their own, a little after the engine saw them): every object it applied, and
         * the finish of each Job and Deployment it saw finish, the deletion of each hook its
         * policy deletes (`deletes`); 30 s at most. Before the namespace is deleted (that deletes everything).
         */
        caughtUp: async (outcome: SyncOutcome, deletes: (step: EngineStep) => boolean): Promise<void> => {
            const behind = () =>
                outcome.steps.some((step) => {
                    const record = observed.get(`${step.namespace}/${taskKey(step)}`);
                    const waitsForDone = step.finishedIn !== undefined && ["Job", "Deployment"].includes(step.kind);
                    return (
                        record === undefined ||
                        (waitsForDone && record.done === undefined) ||
                        (deletes(step) && record.deleted === undefined)
                    );
                });
            // Not an error when it stays behind: differences() then names what the API server
            // never showed, with the set's seed.
            for (let waited = 0; behind() && waited < 30000; waited += 250)
                await new Promise((done) => setTimeout(done, 250));
        },
        /** Why the record may be incomplete (a watch that ended early), for the test to fail on. */
        broken: () => broken,
        stop: () => {
            stopped = true;
            requests.forEach((r) => r.destroy());
        },
    };
}
