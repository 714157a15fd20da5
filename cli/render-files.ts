import { stringify } from "yaml";
import { EnvironmentSpec } from "../spec";
import { application, buildWorkload, networkPolicies, workloadObjects } from "../manifests";
import { planMarkdown, planSync, SyncPlan } from "../plan";
import { RuntimeScripts } from "../runtime";

export interface RenderedEnvironment {
    /** File name to content. */
    readonly files: Readonly<Record<string, string>>;
    readonly plan: SyncPlan;
}

const toYaml = (objects: readonly object[]) => objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");

/**
 * The files a GitOps repository needs, from the same builders the program uses:
 * `manifests.yaml` (the hook-annotated workload: no Secret, no secret value),
 * `application.yaml` (delivery "argocd"), `network-policies.yaml` (Pulumi-owned, for review) and
 * `sync-plan.md`.
 */
export function renderEnvironment(spec: EnvironmentSpec, scripts: RuntimeScripts, origin: string): RenderedEnvironment {
    const workload = buildWorkload(spec, scripts);
    const objects = workloadObjects(workload);
    const plan = planSync(objects);
    const header = `# Rendered by migrate-first from ${origin}. Do not edit: run npm run render.\n`;
    const files: Record<string, string> = {
        "manifests.yaml": `${header}# Commit to ${spec.argocd.repoURL ?? "your GitOps repository"} at ${spec.argocd.path}. Credentials come from Secrets Pulumi creates.\n${toYaml(objects)}`,
        "sync-plan.md": planMarkdown(plan, { app: spec.app.name, environment: spec.environment, retryLimit: spec.argocd.retryLimit }),
    };
    const isolation = networkPolicies(spec);
    if (isolation.length > 0) files["network-policies.yaml"] = `${header}# Pulumi creates these NetworkPolicies with the namespace, before the first sync; shown here for review.\n${toYaml(isolation)}`;
    if (spec.delivery === "argocd") files["application.yaml"] = `${header}# Pulumi creates this Application; shown here for review.\n${toYaml([application(spec)])}`;
    return { files, plan };
}
