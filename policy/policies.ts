import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { Checked } from "./checks";
import {
    applicationProblems,
    credentialProblems,
    migrationJobProblems,
    podProblems,
    schemaFirstProblems,
} from "./checks";

/** Each problem as one violation that names the resource. */
function report(r: Checked, problems: readonly string[], reportViolation: ReportViolation): void {
    for (const problem of problems) reportViolation(`${r.type} ${r.name}: ${problem}`);
}

function resourcePolicy(
    name: string,
    description: string,
    check: (r: Checked, args: ResourceValidationArgs) => string[],
    configSchema?: ResourceValidationPolicy["configSchema"],
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        ...(configSchema === undefined ? {} : { configSchema }),
        validateResource: (args, reportViolation) => report(args, check(args, args), reportViolation),
    };
}

/** The tier an object without a `migrate-first.dev/tier` label is held to. */
export interface ImageConfig {
    readonly tier: "dev" | "preview" | "staging" | "prod";
}

/** Every policy of the pack, mandatory. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    {
        name: "schema-first",
        description:
            "A Deployment that reads a database URL has a migration Job with the same image that runs before it: a PreSync hook in a lower wave, or a Job it depends on.",
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            const dependsOn = (a: Checked, b: Checked) =>
                (a as PolicyResource).dependencies.some((d) => d.urn === (b as PolicyResource).urn);
            for (const { resource, problem } of schemaFirstProblems(args.resources, dependsOn))
                reportViolation(problem, (resource as PolicyResource).urn);
        },
    },
    resourcePolicy(
        "migration-job",
        "Migration Jobs: backoffLimit 0, activeDeadlineSeconds set, restartPolicy Never, and BeforeHookCreation as Argo CD hooks.",
        migrationJobProblems,
    ),
    resourcePolicy(
        "no-plain-credentials",
        "No database password or URL in a ConfigMap, an env value, args or command; Secrets only through secretKeyRef.",
        credentialProblems,
    ),
    resourcePolicy(
        "restricted-pods",
        'Every pod meets Pod Security "restricted", sets requests and limits, and pins its images (a digest or an immutable tag outside dev; never latest outside dev).',
        (r, args) => podProblems(r, args.getConfig<ImageConfig>().tier),
        { properties: { tier: { type: "string", enum: ["dev", "preview", "staging", "prod"], default: "prod" } } },
    ),
    resourcePolicy(
        "argocd-application",
        "An Argo CD Application has the resources finalizer and a destination namespace.",
        applicationProblems,
    ),
];
