import type { ControlPlane } from "./control-plane";
import { poll } from "./pod-runner";

/** Creates a namespace and waits for its `default` ServiceAccount, without which no pod is admitted. */
export async function createNamespace(cluster: ControlPlane, namespace: string): Promise<void> {
    await cluster.api.create("/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace },
    });
    await poll(`namespace ${namespace}'s default ServiceAccount`, 60, async () =>
        (await cluster.api.request("GET", `/api/v1/namespaces/${namespace}/serviceaccounts/default`)).status === 200
            ? true
            : undefined,
    );
}

/** Deletes a namespace: its Deployments' and Jobs' pods stop with it. Not awaited to the end (the namespace controller finishes it). */
export async function deleteNamespace(cluster: ControlPlane, namespace: string): Promise<void> {
    const answer = await cluster.api.request("DELETE", `/api/v1/namespaces/${namespace}`);
    if (answer.status !== 200 && answer.status !== 202)
        throw new Error(`DELETE namespace ${namespace}: ${answer.status} ${answer.text}`);
}
