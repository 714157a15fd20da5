import { stringify } from "yaml";
import type { EnvironmentSpec } from "../environment-schema";
import { application, buildWorkload, networkPolicies, workloadObjects } from "../manifests";
import type { SyncPlan } from "../plan";
import { planMarkdown, planSync } from "../plan";
import type { RuntimeScripts } from "../runtime";
import { gitopsFolder, reviewFolder } from "./folders";

export interface RenderedEnvironment {
    /** Path (under gitops/ or review/) to content. */
    readonly files: Readonly<Record<string, string>>;
    readonly plan: SyncPlan;
}

// Plain YAML as people commit Kubernetes manifests: no anchors or aliases (the yaml library
// would alias repeated objects, e.g. the same securityContext in two containers, and number
// them in a way that churns diffs), the builders' key order, one object per document.
const toYaml = (objects: readonly object[]) =>
    objects.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");

/**
 * The files a GitOps repository needs, from the same builders the program uses. Delivery
 * "argocd": `gitops/manifests.yaml` (the hook-annotated workload: no Secret, no secret value),
 * the only thing for the path Argo CD watches. `review/`: what Pulumi creates
 * (`application.yaml`, `network-policies.yaml`) and `sync-plan.md`; with delivery "direct" the
 * workload too, as Pulumi applies it itself.
 */
export function renderEnvironment(spec: EnvironmentSpec, scripts: RuntimeScripts, origin: string): RenderedEnvironment {
    const workload = buildWorkload(spec, scripts);
    const objects = workloadObjects(workload);
    const plan = planSync(objects);
    const header = `# Rendered by migrate-first from ${origin}. Do not edit: run npm run render.\n`;
    const argocd = spec.delivery === "argocd";
    const where = argocd
        ? `# Commit to ${spec.argocd.repoURL ?? "your GitOps repository"} at ${spec.argocd.path}. Credentials come from Secrets Pulumi creates.\n`
        : '# Delivery "direct": Pulumi applies these in the sync plan\'s order; shown here for review, not for Git.\n';
    const files: Record<string, string> = {
        [`${argocd ? gitopsFolder : reviewFolder}/manifests.yaml`]: `${header}${where}${toYaml(objects)}`,
        [`${reviewFolder}/sync-plan.md`]: planMarkdown(plan, {
            app: spec.app.name,
            environment: spec.environment,
            retryLimit: spec.argocd.retryLimit,
        }),
    };
    const isolation = networkPolicies(spec);
    if (isolation.length > 0)
        files[`${reviewFolder}/network-policies.yaml`] =
            `${header}# Pulumi creates these NetworkPolicies with the namespace, before the first sync; shown here for review, not for Git.\n${toYaml(isolation)}`;
    if (argocd)
        files[`${reviewFolder}/application.yaml`] =
            `${header}# Pulumi creates this Application; shown here for review, not for Git.\n${toYaml([application(spec)])}`;
    return { files, plan };
}
