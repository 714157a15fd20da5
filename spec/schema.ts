import { z } from "zod";
import { isPinnedImage, pinHint, tierImageProblem } from "./image";
import { boundedName } from "./names";
import { defaultTier, previewNumber, tiers } from "./tier";

// DNS-1123 label, for namespaces and other plain Kubernetes names.
const dnsLabel = (max: number) =>
    z
        .string()
        .max(max, { error: `is longer than ${max} characters; shorten it` })
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
            error: "is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. \"shop\"",
        });

// Postgres identifiers we create unquoted-safe: role and database names stay
// lower-case and fit in 63 bytes even with the "_migrator" suffix.
const pgIdentifier = z
    .string()
    .max(50, { error: "is longer than 50 characters (roles add \"_migrator\" and Postgres stops at 63 bytes); shorten it" })
    .regex(/^[a-z_][a-z0-9_]*$/, {
        error: "is not a plain Postgres identifier; use lower-case letters, digits and '_', starting with a letter or '_', e.g. \"shop\"",
    });

const positiveInt = (max: number) =>
    z
        .int({ error: "must be a whole number" })
        .min(1, { error: "must be at least 1" })
        .max(max, { error: `must be at most ${max}` });

// Kubernetes quantities: "100m", "0.5", "256Mi", "1G".
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, {
    error: "is not a Kubernetes quantity; write it like \"100m\" (CPU) or \"256Mi\" (memory)",
});

const resourceList = (cpu: string, memory: string) =>
    z.strictObject({
        /** CPU, e.g. "100m". */
        cpu: quantity.default(cpu),
        /** Memory, e.g. "256Mi". */
        memory: quantity.default(memory),
    });

export const resourcesSchema = z.strictObject({
    /** What the scheduler reserves. @default { cpu: "100m", memory: "256Mi" } */
    requests: resourceList("100m", "256Mi").prefault({}),
    /** The ceiling; the kubelet kills a container over its memory limit. @default { cpu: "500m", memory: "512Mi" } */
    limits: resourceList("500m", "512Mi").prefault({}),
});

// Service names are DNS-1035 labels (they start with a letter), and the app's
// name is also the default database name.
const appName = z
    .string()
    .max(40, { error: "is longer than 40 characters; shorten it" })
    .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
        error: "is not a valid app name; use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (it names the Service and the database), e.g. \"shop\"",
    });

const appSchema = z.strictObject({
    /** The application's name (at most 40 characters: Job pods add suffixes under Kubernetes' 63): the prefix of every Kubernetes object and, by default, of the database. Required. */
    name: appName,
    /**
     * The one image of a release. The migration Job, the Deployment and the smoke test all run it,
     * so schema and code always come from the same build. Must carry a tag or a digest. Required.
     */
    image: z.string().refine(isPinnedImage, { error: (issue) => pinHint(String(issue.input)) }),
    /** Namespace of the workload. @default - the app's name */
    namespace: dnsLabel(63).optional(),
    /** Port the app listens on (HTTP). @default 8080 */
    port: z.int().min(1).max(65535, { error: "must be a TCP port between 1 and 65535" }).default(8080),
    /** Pods of the Deployment. @default 3 */
    replicas: z.int().min(1, { error: "must be at least 1 for a zero-downtime rollout" }).max(100).default(3),
    /** Readiness and smoke-test path. @default "/health" */
    healthPath: z.string().regex(/^\/[\x21-\x7e]*$/, { error: "must be an absolute HTTP path such as \"/health\"" }).default("/health"),
    /** Seconds before the first readiness probe. @default 5 */
    readinessInitialDelaySeconds: z.int().min(0).max(600).default(5),
    /** Seconds between readiness probes. @default 10 */
    readinessPeriodSeconds: positiveInt(300).default(10),
    /** Extra pods during a rollout. @default 1 */
    maxSurge: z.int().min(0).max(100).default(1),
    /** Pods that may be unready during a rollout; 0 keeps full capacity (zero downtime). @default 0 */
    maxUnavailable: z.int().min(0).max(100).default(0),
    /** Container command; unset runs the image's entrypoint. @default - the image's ENTRYPOINT */
    command: z.array(z.string().min(1)).min(1).optional(),
    /** Non-secret environment variables for the app, the migration and the smoke test. @default {} */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "is not a valid environment variable name" }), z.string()).default({}),
    /** UID the app's containers run as ("restricted" pods must not run as root). @default 10001 */
    runAsUser: positiveInt(2147483647).default(10001),
    /** Requests and limits of the app, the migration and the smoke test. @default - requests 100m/256Mi, limits 500m/512Mi */
    resources: resourcesSchema.prefault({}),
});

const databaseSchema = z.strictObject({
    /** Host Pulumi reaches the Postgres server on (the admin connection). Required. */
    host: z.string().min(1, { error: "is empty; give the Postgres server's host name" }),
    /** Host the pods reach the server on, if it differs (e.g. an in-cluster Service name). @default - host */
    clusterHost: z.string().min(1).optional(),
    /** Server port. @default 5432 */
    port: z.int().min(1).max(65535, { error: "must be a TCP port between 1 and 65535" }).default(5432),
    /** Admin role Pulumi creates the database and roles with; its password is the secret `migrate-first:databaseAdminPassword`. @default "postgres" */
    adminUser: z.string().min(1).default("postgres"),
    /** Database name. @default - the app's name with "-" replaced by "_" */
    name: pgIdentifier.optional(),
    /** Schema the migrator owns and the app uses. @default "app" */
    schema: pgIdentifier.default("app"),
    /** libpq sslmode for every connection. @default "require" */
    sslmode: z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]).default("require"),
    /** Pulumi refuses to delete the database, its schema and roles, and leaves them on the server when the stack is destroyed. @default - true in tier "prod", false elsewhere */
    protect: z.boolean().optional(),
    /**
     * "split": a migrator role owns the schema (DDL) and an app role gets only DML;
     * "single": one role, the article's one-secret layout.
     * @default "split"
     */
    roles: z.enum(["split", "single"]).default("split"),
});

// A Postgres duration as lock_timeout and statement_timeout take it: "500ms", "5s", "4min"; "0" disables.
const pgDuration = z.string().regex(/^(0|[1-9][0-9]*(ms|s|min|h))$/, { error: "is not a Postgres duration; write it like \"500ms\", \"5s\" or \"4min\"" });

/** A Postgres duration in milliseconds ("0" is 0: no limit). */
function durationMs(duration: string): number {
    const match = /^([0-9]+)(ms|s|min|h)?$/.exec(duration);
    const unit = { ms: 1, s: 1000, min: 60000, h: 3600000 }[match?.[2] ?? "ms"] ?? 1;
    return Number(match?.[1] ?? 0) * unit;
}

const migrationSchema = z.strictObject({
    /**
     * "sql": migrate-first applies `*.sql` files from the app image (`runtime/migrate.sh`: one
     * transaction per file, a checksummed history); "command": your own tool runs in the app image
     * (`command`) while a sidecar holds the migration lock.
     * @default "sql"
     */
    mode: z.enum(["sql", "command"]).default("sql"),
    /** Command that applies the migrations, run in the app image. Required with mode "command", refused with "sql". */
    command: z.array(z.string().min(1)).min(1, { error: "is empty; give the command that applies your migrations, e.g. [\"python\", \"manage.py\", \"migrate\", \"--noinput\"]" }).optional(),
    /** Where the release's `<version>_<description>.sql` files are in the app image (mode "sql"). @default "/app/migrations" */
    imageDirectory: z.string().regex(/^\/\S*$/, { error: "must be an absolute path in the app image, e.g. \"/app/migrations\"" }).default("/app/migrations"),
    /** The same files in this repository, for the rehearsal and the linter; the image must be built from them. @default "migrations" */
    directory: z.string().min(1).default("migrations"),
    /** Longest wait of one statement for a table lock before it gives up (and the file is retried). @default "5s" */
    lockTimeout: pgDuration.default("5s"),
    /** Longest run of one statement. @default "4min" */
    statementTimeout: pgDuration.default("4min"),
    /** Retries of a file that hit lockTimeout, with backoff 1 s, 2 s, 4 s, ... @default 3 */
    lockRetries: z.int().min(0).max(10).default(3),
    /** How long a runner waits for another runner's migration lock, in seconds. @default 120 */
    lockWaitSeconds: positiveInt(86400).default(120),
    /** Apply a new file whose version sorts before the last applied one (a merge from an old branch). @default false */
    allowOutOfOrder: z.boolean().default(false),
    /** Hard limit on the migration Job, in seconds. @default 300 */
    activeDeadlineSeconds: positiveInt(86400).default(300),
    /**
     * Kubernetes retries of the migration pod. Only 0 is accepted: a retried half-run migration is how
     * databases get corrupted, and Argo CD's sync retry already re-runs the whole hook.
     * @default 0
     */
    backoffLimit: z.literal(0, { error: "must be 0: Kubernetes retries would re-run a failed migration behind Argo CD's back; use the Application's sync retry instead" }).default(0),
    /** How long the init container waits for the database before the hook fails, in seconds. @default 60 */
    waitForDbSeconds: positiveInt(3600).default(60),
});

const smokeSchema = z.strictObject({
    /** Your own extra check, run in the app image before migrate-first's (history complete, health URL 2xx). @default - none */
    command: z.array(z.string().min(1)).min(1).optional(),
    /** Hard limit on the smoke test, in seconds. @default 120 */
    activeDeadlineSeconds: positiveInt(3600).default(120),
});

const argocdSchema = z.strictObject({
    /** Git repository holding the rendered workload. Required with delivery "argocd". */
    repoURL: z.string().regex(/^(https?:\/\/|ssh:\/\/|git@)\S+$/, { error: "is not a Git URL; use https://, ssh:// or git@host:org/repo" }).optional(),
    /** Path in the repository where `npm run render` output is committed. @default - "deploy/<environment>/<app>" */
    path: z.string().regex(/^[^/]\S*$/, { error: "must be a relative path inside the repository, e.g. \"deploy/dev/shop\"" }).optional(),
    /** Branch, tag or commit Argo CD tracks; a preview tracks its pull request's commit or branch instead. @default "HEAD" */
    targetRevision: z.string().min(1).default("HEAD"),
    /** Argo CD project. @default "default" */
    project: dnsLabel(63).default("default"),
    /** Namespace Argo CD runs in (where the Application lives). @default "argocd" */
    namespace: dnsLabel(63).default("argocd"),
    /** Cluster API server of the destination. @default "https://kubernetes.default.svc" */
    server: z.url({ error: "is not a URL; use the cluster's API server, e.g. \"https://kubernetes.default.svc\"" }).default("https://kubernetes.default.svc"),
    /** Sync on every Git change. @default true */
    automated: z.boolean().default(true),
    /** Revert drift in the cluster (note: self-heal syncs do not run hooks). @default true */
    selfHeal: z.boolean().default(true),
    /** Delete objects removed from Git. @default true */
    prune: z.boolean().default(true),
    /** Sync retries after a failure; each retry re-runs the PreSync migration. @default 2 */
    retryLimit: z.int().min(0).max(10).default(2),
});

const runtimeSchema = z.strictObject({
    /** Image with `psql` and `wget` that runs the runtime scripts (readiness, migrate, smoke check, lock). @default "postgres:18.1-alpine" */
    postgresImage: z.string().refine(isPinnedImage, { error: (issue) => pinHint(String(issue.input)) }).default("postgres:18.1-alpine"),
    /** Image with `curl` that posts the SyncFail alert (the webhook URL goes on curl's stdin, never its command line). @default "curlimages/curl:8.17.0" */
    curlImage: z.string().refine(isPinnedImage, { error: (issue) => pinHint(String(issue.input)) }).default("curlimages/curl:8.17.0"),
    /** UID the postgres image runs as (70 in the Alpine images, 999 in the Debian ones). @default 70 */
    postgresUser: positiveInt(2147483647).default(70),
});

// A Git branch name as `git check-ref-format --branch` accepts it (no "..", spaces, "~^:?*[\\" or "@{").
const branchName = z
    .string()
    .max(255, { error: "is longer than 255 characters" })
    .regex(/^(?!\/|.*\/$|.*\.\.|.*\/\/|.*@\{|.*\.lock$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/, { error: "is not a Git branch name, e.g. \"feature/email-verified\"" });

const previewSchema = (stack: string) => z.strictObject({
    /** The pull request's number; names the namespace, database, roles and Application. @default - from a stack named "pr-<number>"; required otherwise */
    pr: previewNumber(stack) === undefined ? positiveInt(999999999) : positiveInt(999999999).default(previewNumber(stack) ?? 0),
    /** The pull request's branch: the Application tracks it (unless commit is set), and a label carries it. Required. */
    branch: branchName,
    /** A commit to track instead of the branch head (pins the preview to one push). @default - the branch head */
    commit: z.string().regex(/^[0-9a-f]{7,40}$/, { error: "is not a commit SHA (7 to 40 lower-case hex characters)" }).optional(),
    /** Hours the preview lives after its last `pulumi up`; a clean-up job deletes it after that. @default 72 */
    ttlHours: positiveInt(24 * 90).default(72),
    /** When it expires (ISO 8601, UTC), carried by the namespace's and the Application's labels. @default - set by the program: its last update plus ttlHours */
    expiresAt: z.iso.datetime({ error: "is not an ISO 8601 UTC time such as \"2026-12-01T12:00:00Z\"" }).optional(),
});

// An IPv4 or IPv6 CIDR as NetworkPolicy ipBlock takes it.
const cidr = z.union([z.cidrv4(), z.cidrv6()], { error: "is not a CIDR such as \"10.20.0.0/16\"" });

const networkSchema = z.strictObject({
    /** Create the environment's NetworkPolicies (the cluster's CNI must enforce them: Calico, Cilium, ...). @default true */
    enabled: z.boolean().default(true),
    /** Namespaces besides the app's own whose pods may reach the app's port (the ingress controller's). @default ["ingress-nginx"] */
    ingressNamespaces: z.array(dnsLabel(63)).default(["ingress-nginx"]),
    /** The database's addresses (a managed server), for egress on database.port. @default - any address, on database.port only */
    databaseCidrs: z.array(cidr).min(1).optional(),
    /** The namespace of an in-cluster database, for egress on database.port; instead of databaseCidrs. @default - none */
    databaseNamespace: dnsLabel(63).optional(),
    /** Where the SyncFail alert may post. @default ["0.0.0.0/0"], without the private ranges 10/8, 172.16/12, 192.168/16 */
    webhookCidrs: z.array(cidr).min(1).optional(),
    /** Ports the alert may post to. @default [443] */
    webhookPorts: z.array(z.int().min(1).max(65535)).min(1).default([443]),
    /** The cluster DNS pods every pod may query on port 53. @default - namespace "kube-system", labels { "k8s-app": "kube-dns" } */
    dns: z.strictObject({
        namespace: dnsLabel(63).default("kube-system"),
        podLabels: z.record(z.string(), z.string()).default({ "k8s-app": "kube-dns" }),
    }).prefault({}),
});

const promotionSchema = z.strictObject({
    /**
     * The stack whose verified releases this one may run: its `verifiedImages` output must hold
     * app.image, so nothing reaches this stack that the other's PostSync smoke check has not passed.
     * A stack name of this project ("staging") or "org/project/stack".
     * @default - none; the prod preset sets "staging"
     */
    from: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+)?$/, { error: "is not a stack name; give \"staging\" or \"org/project/staging\"" }).optional(),
    /** Emergency override: run an image `from` has not verified. The reason is required; it is logged and exported as promotionOverride. @default - none */
    override: z.string().trim().min(10, { error: "must give the reason in a sentence (at least 10 characters), e.g. \"hotfix for incident 4711, verified by hand\"" }).optional(),
});

/**
 * The whole application environment: one spec for the program, the component and the render CLI.
 * `stack` is the default environment name; derived defaults (namespace, database name, Git path)
 * are filled here, in one place, so every consumer sees the same values.
 */
export function environmentSpecSchema(stack: string) {
    return z
        .strictObject({
            /** Environment name, shown in labels and alerts. @default - the stack name ("pr-<number>" for a preview) */
            environment: dnsLabel(30).optional(),
            /** What the environment is for: "dev", "preview", "staging" or "prod"; it picks the preset and the rules (see spec/tier.ts). @default - "dev", "staging" and "pr-<n>" (preview) by stack name, else "prod" */
            tier: z.enum(tiers, { error: `must be one of ${tiers.map((t) => `"${t}"`).join(", ")}` }).optional(),
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
        })
        .superRefine((spec, ctx) => {
            if (spec.delivery === "argocd" && spec.argocd.repoURL === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["argocd", "repoURL"],
                    input: undefined,
                    message: "is required with delivery \"argocd\": give the Git repository Argo CD syncs the rendered workload from, or set delivery to \"direct\"",
                });
            }
            const migration = spec.migration;
            if (migration.mode === "command" && migration.command === undefined) {
                ctx.addIssue({ code: "custom", path: ["migration", "command"], input: undefined, message: "is required with migration.mode \"command\": give the command that applies your migrations, e.g. [\"python\", \"manage.py\", \"migrate\", \"--noinput\"]" });
            }
            if (migration.mode === "sql" && migration.command !== undefined) {
                ctx.addIssue({ code: "custom", path: ["migration", "command"], input: migration.command, message: "is only used with migration.mode \"command\"; set mode to \"command\" to run your own tool, or remove command to let migrate-first apply the SQL files" });
            }
            // Zod runs this even when a field failed; compare only values that passed.
            const deadlineValid = migration.activeDeadlineSeconds >= 1;
            const deadlineMs = migration.activeDeadlineSeconds * 1000;
            if (deadlineValid && pgDuration.safeParse(migration.statementTimeout).success && (durationMs(migration.statementTimeout) >= deadlineMs || migration.statementTimeout === "0")) {
                ctx.addIssue({ code: "custom", path: ["migration", "statementTimeout"], input: migration.statementTimeout, message: `must be shorter than migration.activeDeadlineSeconds (${migration.activeDeadlineSeconds} s), or Kubernetes kills the Job mid-statement without a clear error; lower it or raise the deadline` });
            }
            if (deadlineValid && migration.lockWaitSeconds >= migration.activeDeadlineSeconds) {
                ctx.addIssue({ code: "custom", path: ["migration", "lockWaitSeconds"], input: migration.lockWaitSeconds, message: `must be shorter than migration.activeDeadlineSeconds (${migration.activeDeadlineSeconds} s), or a waiting runner is killed before it can say who holds the lock; lower it or raise the deadline` });
            }
            const tier = spec.tier ?? defaultTier(stack, spec.preview !== undefined);
            const images: [string[], unknown][] = [[["app", "image"], spec.app.image], [["runtime", "postgresImage"], spec.runtime.postgresImage], [["runtime", "curlImage"], spec.runtime.curlImage]];
            for (const [path, image] of images) {
                const problem = typeof image === "string" ? tierImageProblem(image, tier) : undefined;
                if (problem !== undefined) ctx.addIssue({ code: "custom", path, input: image, message: `${problem} (tier "${tier}")` });
            }
            if (tier === "preview" && spec.preview === undefined) {
                ctx.addIssue({ code: "custom", path: ["preview"], input: undefined, message: "is required in tier \"preview\": name the stack pr-<number>, or set preview.pr and preview.branch" });
            }
            if (spec.preview !== undefined && tier !== "preview") {
                ctx.addIssue({ code: "custom", path: ["tier"], input: tier, message: "must be \"preview\" when preview is set; remove tier, or remove preview" });
            }
            if (spec.network.databaseCidrs !== undefined && spec.network.databaseNamespace !== undefined) {
                ctx.addIssue({ code: "custom", path: ["network", "databaseNamespace"], input: spec.network.databaseNamespace, message: "and network.databaseCidrs both say where the database is; keep one" });
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
            const environment = spec.environment ?? (pr === "" ? stack : `pr-${pr}`);
            return {
                ...spec,
                environment,
                tier,
                app: { ...spec.app, namespace: spec.app.namespace ?? boundedName(spec.app.name, 63, pr === "" ? "" : `-pr-${pr}`) },
                database: {
                    ...spec.database,
                    // 50 leaves room for the roles' "_migrator" within Postgres' 63 bytes.
                    name: spec.database.name ?? boundedName(spec.app.name.replace(/-/g, "_"), 50, pr === "" ? "" : `_pr_${pr}`, "_"),
                    clusterHost: spec.database.clusterHost ?? spec.database.host,
                    protect: spec.database.protect ?? tier === "prod",
                },
                argocd: {
                    ...spec.argocd,
                    path: spec.argocd.path ?? `deploy/${environment}/${spec.app.name}`,
                    targetRevision: spec.preview === undefined ? spec.argocd.targetRevision : (spec.preview.commit ?? spec.preview.branch),
                },
            };
        });
}

type SpecSchema = ReturnType<typeof environmentSpecSchema>;
/** What a user writes: every defaulted field optional. */
export type EnvironmentSpecInput = z.input<SpecSchema>;
/** A validated spec with every default applied. */
export type EnvironmentSpec = z.output<SpecSchema>;
