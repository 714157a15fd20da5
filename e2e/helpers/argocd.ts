import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import type { ControlPlane } from "../../rehearsal/cluster/control-plane";
import { poll } from "../../rehearsal/cluster/pod-runner";

/** Argo CD's own Application CRD (copied from argoproj/argo-cd v3.5.1; see the fixture's README). */
const applicationCrd = join(__dirname, "..", "fixtures", "argocd", "application-crd.yaml");

/**
 * What installing Argo CD leaves behind that a stack relies on: its namespace and the
 * Application CRD from Argo CD's own manifest, established. No controller: storing an
 * Application needs none.
 */
export async function installArgoCdCrd(cluster: ControlPlane): Promise<void> {
    await cluster.api.create("/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "argocd" },
    });
    await cluster.api.create(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        parse(readFileSync(applicationCrd, "utf8")),
    );
    await poll("the Application CRD established", 60, async () => {
        const crd = await cluster.api.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.argoproj.io",
        );
        return (crd.status?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True")
            ? true
            : undefined;
    });
}
