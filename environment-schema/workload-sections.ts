// The sections that describe the workload: the app, its database, the migration, the smoke
// test, the Argo CD Application and the tooling images.
import { z } from "zod";
import { appName, dnsLabel, host, pgDuration, pgIdentifier, positiveInt, resourcesSchema } from "./fields";
import { isPinnedImage, pinHint } from "./image";

// Names the workload sets itself; a user's entry would duplicate them in the container's env.
const reservedEnv = /^(DATABASE_URL|PG[A-Z0-9_]*|APP|ENVIRONMENT|RELEASE)$/;
const envValueMax = 32768;
const envTotalMax = 65536;
// Commands are copied into manifests too; far beyond any real command line.
const command = (error: string) =>
    z
        .array(z.string().min(1).max(4096, { error: "is longer than 4096 characters; put a long script in the image" }))
        .min(1, { error })
        .max(100, { error: "has more than 100 items; put a long command in a script in the image" });

export const appSchema = z.strictObject({
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
    healthPath: z
        .string()
        .regex(/^\/[\x21-\x7e]*$/, { error: 'must be an absolute HTTP path such as "/health"' })
        .default("/health"),
    /** Seconds before the first readiness probe. @default 5 */
    readinessInitialDelaySeconds: z.int().min(0).max(600).default(5),
    /** Seconds between readiness probes. @default 10 */
    readinessPeriodSeconds: positiveInt(300).default(10),
    /** Extra pods during a rollout. @default 1 */
    maxSurge: z.int().min(0).max(100).default(1),
    /** Pods that may be unready during a rollout; 0 keeps full capacity (zero downtime). @default 0 */
    maxUnavailable: z.int().min(0).max(100).default(0),
    /** Container command; unset runs the image's entrypoint. @default - the image's ENTRYPOINT */
    command: command("is empty; give the command, or remove it to run the image's entrypoint").optional(),
    /** Non-secret environment variables for the app, the migration and the smoke test (not DATABASE_URL, PG*, APP, ENVIRONMENT or RELEASE: migrate-first sets those; values at most 32 KiB, 64 KiB in all). @default {} */
    env: z
        .record(
            z
                .string()
                .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "is not a valid environment variable name" })
                .refine((name) => !reservedEnv.test(name), {
                    error: "is set by migrate-first (DATABASE_URL and the PG* variables from the credentials Secret; APP, ENVIRONMENT and RELEASE from the spec); a second entry would make the container's value depend on the order; rename yours or remove it",
                }),
            z.string().max(envValueMax, {
                error: `is longer than ${envValueMax} characters: it is copied into every pod template and manifest; put large configuration in a ConfigMap or file in the image`,
            }),
        )
        .refine((env) => Object.entries(env).reduce((sum, [k, v]) => sum + k.length + v.length, 0) <= envTotalMax, {
            error: `holds more than ${envTotalMax} characters in all: it is copied into every pod template and manifest; put large configuration in a ConfigMap or file in the image`,
        })
        .default({}),
    /** UID the app's containers run as ("restricted" pods must not run as root). @default 10001 */
    runAsUser: positiveInt(2147483647).default(10001),
    /** Requests and limits of the app, the migration and the smoke test. @default - requests 100m/256Mi, limits 500m/512Mi */
    resources: resourcesSchema.prefault({}),
});

export const databaseSchema = z.strictObject({
    /** Host Pulumi reaches the Postgres server on (the admin connection). Required. */
    host: z.string().min(1, { error: "is empty; give the Postgres server's host name" }).pipe(host),
    /** Host the pods reach the server on, if it differs (e.g. an in-cluster Service name). @default - host */
    clusterHost: host.optional(),
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

export const migrationSchema = z.strictObject({
    /**
     * "sql": migrate-first applies `*.sql` files from the app image (`runtime/migrate.sh`: one
     * transaction per file, a checksummed history); "command": your own tool runs in the app image
     * (`command`) while a sidecar holds the migration lock.
     * @default "sql"
     */
    mode: z.enum(["sql", "command"]).default("sql"),
    /** Command that applies the migrations, run in the app image. Required with mode "command", refused with "sql". */
    command: command(
        'is empty; give the command that applies your migrations, e.g. ["python", "manage.py", "migrate", "--noinput"]',
    ).optional(),
    /**
     * How the SQL files get from the app image to the runner (mode "sql"). "copy": an init
     * container runs `cp` in the app image, which therefore needs `cp` (a distroless image has
     * none). "imageVolume": the app image is mounted read-only as a Kubernetes image volume at
     * imageDirectory, so no command runs in it; needs Kubernetes 1.33 or later with the ImageVolume
     * feature gate (on by default from 1.35) and a container runtime that supports image volumes.
     * @default "copy"
     */
    filesFrom: z.enum(["copy", "imageVolume"]).default("copy"),
    /** Where the release's `<version>_<description>.sql` files are in the app image (mode "sql"). @default "/app/migrations" */
    imageDirectory: z
        .string()
        .regex(/^\/\S*$/, { error: 'must be an absolute path in the app image, e.g. "/app/migrations"' })
        .refine((path) => !path.split("/").includes(".."), {
            error: 'must not contain ".."; give the absolute path in the app image, e.g. "/app/migrations"',
        })
        .default("/app/migrations"),
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
    backoffLimit: z
        .literal(0, {
            error: "must be 0: Kubernetes retries would re-run a failed migration behind Argo CD's back; use the Application's sync retry instead",
        })
        .default(0),
    /** How long the init container waits for the database before the hook fails, in seconds. @default 60 */
    waitForDbSeconds: positiveInt(3600).default(60),
});

export const smokeSchema = z.strictObject({
    /** Your own extra check, run in the app image before migrate-first's (history complete, health URL 2xx). @default - none */
    command: command("is empty; give your check's command, or remove it").optional(),
    /** Hard limit on the smoke test, in seconds. @default 120 */
    activeDeadlineSeconds: positiveInt(3600).default(120),
});

export const argocdSchema = z.strictObject({
    /** Git repository holding the rendered workload. Required with delivery "argocd". */
    repoURL: z
        .string()
        .regex(/^(https?:\/\/|ssh:\/\/|git@)\S+$/, {
            error: "is not a Git URL; use https://, ssh:// or git@host:org/repo",
        })
        .optional(),
    /** Path in the repository where `npm run render` output is committed. @default - "deploy/<environment>/<app>" */
    path: z
        .string()
        .regex(/^[^/]\S*$/, { error: 'must be a relative path inside the repository, e.g. "deploy/dev/shop"' })
        .optional(),
    /** Branch, tag or commit Argo CD tracks; a preview tracks its pull request's commit or branch instead. @default "HEAD" */
    targetRevision: z
        .string()
        .regex(/^[\x21-\x7e]{1,255}$/, {
            error: 'is not a Git revision; give a branch, tag or commit on one line, without spaces (e.g. "main", "v1.2.0" or a SHA)',
        })
        .default("HEAD"),
    /** Argo CD project. @default "default" */
    project: dnsLabel(63).default("default"),
    /** Namespace Argo CD runs in (where the Application lives). @default "argocd" */
    namespace: dnsLabel(63).default("argocd"),
    /** Cluster API server of the destination. @default "https://kubernetes.default.svc" */
    server: z
        .url({ error: 'is not a URL; use the cluster\'s API server, e.g. "https://kubernetes.default.svc"' })
        .default("https://kubernetes.default.svc"),
    /** Sync on every Git change. @default true */
    automated: z.boolean().default(true),
    /** Revert drift in the cluster (note: self-heal syncs do not run hooks). @default true */
    selfHeal: z.boolean().default(true),
    /** Delete objects removed from Git. @default true */
    prune: z.boolean().default(true),
    /** Sync retries after a failure; each retry re-runs the PreSync migration. @default 2 */
    retryLimit: z.int().min(0).max(10).default(2),
});

export const runtimeSchema = z.strictObject({
    /** Image with `psql` and `wget` that runs the runtime scripts (readiness, migrate, smoke check, lock). @default "postgres:18.1-alpine" */
    postgresImage: z
        .string()
        .refine(isPinnedImage, { error: (issue) => pinHint(String(issue.input)) })
        .default("postgres:18.1-alpine"),
    /** Image with `curl` that posts the SyncFail alert (the webhook URL goes on curl's stdin, never its command line). @default "curlimages/curl:8.17.0" */
    curlImage: z
        .string()
        .refine(isPinnedImage, { error: (issue) => pinHint(String(issue.input)) })
        .default("curlimages/curl:8.17.0"),
    /** UID the postgres image runs as (70 in the Alpine images, 999 in the Debian ones). @default 70 */
    postgresUser: positiveInt(2147483647).default(70),
});
