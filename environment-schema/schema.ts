import { z } from "zod";
import { durationMs, dnsLabel, pgDuration } from "./fields";
import { tierImageProblem } from "./image";
import { boundedName, labelFrom } from "./names";
import { kubernetesSchema, networkSchema, previewSchema, promotionSchema } from "./stack-sections";
import { defaultTier, impliedTier, isLowerTier, tiers } from "./tier";
import {
    appSchema,
    argocdSchema,
    databaseSchema,
    migrationSchema,
    runtimeSchema,
    smokeSchema,
} from "./workload-sections";

/**
 * The whole application environment: one spec for the program, the component and the render CLI.
 * `stack` is the default environment name; derived defaults (namespace, database name, Git path)
 * are filled here, in one place, so every consumer sees the same values.
 */
export function environmentSpecSchema(stack: string) {
    return z
        .strictObject({
            /** Environment name, shown in labels and alerts. @default - the stack name as a label (lower case, "-" for "." and "_"; "pr-<number>" for a preview) */
            environment: dnsLabel(30).optional(),
            /** What the environment is for: "dev", "preview", "staging" or "prod"; it picks the preset and the rules (see environment-schema/tier.ts). @default - "dev", "staging" and "pr-<n>" (preview) by stack name, else "prod" */
            tier: z.enum(tiers, { error: `must be one of ${tiers.map((t) => `"${t}"`).join(", ")}` }).optional(),
            /** Why this stack runs below the tier its name implies (tier "dev" on a stack named "prod"); required then, logged as a warning and exported as tierOverride. @default - none */
            tierReason: z
                .string()
                .trim()
                .min(10, {
                    error: 'must give the reason in a sentence (at least 10 characters), e.g. "load test of the prod shape, torn down after"',
                })
                .optional(),
            /** A pull request's preview environment: its own namespace, database, roles and Application. @default - none; a stack named "pr-<number>" is one */
            preview: previewSchema(stack).optional(),
            /** The application. Required. */
            app: appSchema,
            /** The Postgres server and the database to create on it. Required. */
            database: databaseSchema,
            /** The migration Job (PreSync hook, sync wave -1). @default - mode "sql", see fields */
            migration: migrationSchema.prefault({}),
            /** The PostSync smoke test (sync wave 1). @default - HTTP GET of app.healthPath */
            smoke: smokeSchema.prefault({}),
            /** "argocd": Pulumi owns database, secrets and the Application, Argo CD syncs the workload from Git; "direct": Pulumi applies the Job, then the Deployment. @default "argocd" */
            delivery: z.enum(["argocd", "direct"]).default("argocd"),
            /** The Argo CD Application (delivery "argocd"). @default - see fields */
            argocd: argocdSchema.prefault({}),
            /** Network isolation: a NetworkPolicy set per environment (manifests/network.ts). @default - enabled, see fields */
            network: networkSchema.prefault({}),
            /** Promotion: which stack must have verified the image first. @default - none (the prod preset: from "staging") */
            promotion: promotionSchema.prefault({}),
            /** Images and users of the tooling containers. @default - see fields */
            runtime: runtimeSchema.prefault({}),
            /** How Pulumi reaches Kubernetes. @default - the current kubeconfig context */
            kubernetes: kubernetesSchema.prefault({}),
        })
        .superRefine((spec, ctx) => {
            if (spec.delivery === "argocd" && spec.argocd.repoURL === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["argocd", "repoURL"],
                    input: undefined,
                    message:
                        'is required with delivery "argocd": give the Git repository Argo CD syncs the rendered workload from, or set delivery to "direct"',
                });
            }
            const migration = spec.migration;
            if (migration.mode === "command" && migration.command === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["migration", "command"],
                    input: undefined,
                    message:
                        'is required with migration.mode "command": give the command that applies your migrations, e.g. ["python", "manage.py", "migrate", "--noinput"]',
                });
            }
            if (migration.mode === "sql" && migration.command !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["migration", "command"],
                    input: migration.command,
                    message:
                        'is only used with migration.mode "command"; set mode to "command" to run your own tool, or remove command to let migrate-first apply the SQL files',
                });
            }
            // Zod runs this even when a field failed; compare only values that passed.
            const deadlineValid = migration.activeDeadlineSeconds >= 1;
            const deadlineMs = migration.activeDeadlineSeconds * 1000;
            if (
                deadlineValid &&
                pgDuration.safeParse(migration.statementTimeout).success &&
                (durationMs(migration.statementTimeout) >= deadlineMs || migration.statementTimeout === "0")
            ) {
                ctx.addIssue({
                    code: "custom",
                    path: ["migration", "statementTimeout"],
                    input: migration.statementTimeout,
                    message: `must be shorter than migration.activeDeadlineSeconds (${migration.activeDeadlineSeconds} s), or Kubernetes kills the Job mid-statement without a clear error; lower it or raise the deadline`,
                });
            }
            if (deadlineValid && migration.lockWaitSeconds >= migration.activeDeadlineSeconds) {
                ctx.addIssue({
                    code: "custom",
                    path: ["migration", "lockWaitSeconds"],
                    input: migration.lockWaitSeconds,
                    message: `must be shorter than migration.activeDeadlineSeconds (${migration.activeDeadlineSeconds} s), or a waiting runner is killed before it can say who holds the lock; lower it or raise the deadline`,
                });
            }
            // Every retry may wait lockTimeout for a lock, then backs off 1 s, 2 s, 4 s, ... (migrate.sh).
            // (Not when the lock wait alone is past the deadline: that has its own error above.)
            if (
                deadlineValid &&
                migration.lockWaitSeconds < migration.activeDeadlineSeconds &&
                pgDuration.safeParse(migration.lockTimeout).success &&
                migration.lockTimeout !== "0"
            ) {
                const retries = migration.lockRetries;
                const worst =
                    migration.lockWaitSeconds +
                    ((retries + 1) * durationMs(migration.lockTimeout)) / 1000 +
                    (2 ** retries - 1);
                if (worst >= migration.activeDeadlineSeconds) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["migration", "lockRetries"],
                        input: retries,
                        message: `with migration.lockTimeout "${migration.lockTimeout}" can wait ${Math.ceil(worst)} s for locks (lockWaitSeconds ${migration.lockWaitSeconds} s, then ${retries + 1} attempts of up to ${migration.lockTimeout} and ${2 ** retries - 1} s of backoff), not shorter than migration.activeDeadlineSeconds (${migration.activeDeadlineSeconds} s): Kubernetes would kill the Job mid-retry without saying why; lower lockRetries or lockTimeout, or raise the deadline`,
                    });
                }
            }
            const tier = spec.tier ?? defaultTier(stack, spec.preview !== undefined);
            const images: [string[], unknown][] = [
                [["app", "image"], spec.app.image],
                [["runtime", "postgresImage"], spec.runtime.postgresImage],
                [["runtime", "curlImage"], spec.runtime.curlImage],
            ];
            for (const [path, image] of images) {
                const problem = typeof image === "string" ? tierImageProblem(image, tier) : undefined;
                if (problem !== undefined)
                    ctx.addIssue({ code: "custom", path, input: image, message: `${problem} (tier "${tier}")` });
            }
            const implied = impliedTier(stack);
            if (
                spec.tier !== undefined &&
                implied !== undefined &&
                isLowerTier(spec.tier, implied) &&
                spec.tierReason === undefined
            ) {
                ctx.addIssue({
                    code: "custom",
                    path: ["tier"],
                    input: spec.tier,
                    message: `is below "${implied}", the tier the stack name "${stack}" implies: it drops that tier's rules (pinned images; in prod also the database's protection, the promotion gate and manual pruning); give the reason in tierReason (a sentence), or remove tier`,
                });
            }
            if (
                spec.tierReason !== undefined &&
                !(spec.tier !== undefined && implied !== undefined && isLowerTier(spec.tier, implied))
            ) {
                ctx.addIssue({
                    code: "custom",
                    path: ["tierReason"],
                    input: spec.tierReason,
                    message: `is only for a tier below the one the stack name implies (${implied === undefined ? `"${stack}" implies none` : `"${stack}" implies "${implied}"`}); remove it`,
                });
            }
            if (tier === "preview" && spec.preview === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["preview"],
                    input: undefined,
                    message:
                        'is required in tier "preview": name the stack pr-<number>, or set preview.pr and preview.branch',
                });
            }
            if (spec.preview !== undefined && tier !== "preview") {
                ctx.addIssue({
                    code: "custom",
                    path: ["tier"],
                    input: tier,
                    message: 'must be "preview" when preview is set; remove tier, or remove preview',
                });
            }
            if (spec.network.databaseCidrs !== undefined && spec.network.databaseNamespace !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["network", "databaseNamespace"],
                    input: spec.network.databaseNamespace,
                    message: "and network.databaseCidrs both say where the database is; keep one",
                });
            }
            if (spec.app.maxSurge === 0 && spec.app.maxUnavailable === 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["app", "maxSurge"],
                    input: 0,
                    message: "and app.maxUnavailable are both 0, so a rollout can never start; set maxSurge to 1",
                });
            }
        })
        .transform((spec) => {
            const tier = spec.tier ?? defaultTier(stack, spec.preview !== undefined);
            // A preview's names carry its PR number, so PRs never share a namespace, database or role.
            const pr = spec.preview === undefined ? "" : String(spec.preview.pr);
            const environment = spec.environment ?? (pr === "" ? labelFrom(stack, 30) : `pr-${pr}`);
            return {
                ...spec,
                environment,
                tier,
                app: {
                    ...spec.app,
                    namespace: spec.app.namespace ?? boundedName(spec.app.name, 63, pr === "" ? "" : `-pr-${pr}`),
                },
                database: {
                    ...spec.database,
                    // 50 leaves room for the roles' "_migrator" within Postgres' 63 bytes.
                    name:
                        spec.database.name ??
                        boundedName(spec.app.name.replace(/-/g, "_"), 50, pr === "" ? "" : `_pr_${pr}`, "_"),
                    clusterHost: spec.database.clusterHost ?? spec.database.host,
                    protect: spec.database.protect ?? tier === "prod",
                },
                argocd: {
                    ...spec.argocd,
                    path: spec.argocd.path ?? `deploy/${environment}/${spec.app.name}`,
                    targetRevision:
                        spec.preview === undefined
                            ? spec.argocd.targetRevision
                            : (spec.preview.commit ?? spec.preview.branch),
                },
            };
        });
}

type SpecSchema = ReturnType<typeof environmentSpecSchema>;
/** What a user writes: every defaulted field optional. */
export type EnvironmentSpecInput = z.input<SpecSchema>;
/** A validated spec with every default applied. */
export type EnvironmentSpec = z.output<SpecSchema>;
