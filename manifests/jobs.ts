import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { EnvironmentSpec } from "../environment-schema";
import type { WorkloadNames } from "./names";
import { labels } from "./names";
import { syncAnnotations, placements } from "./hooks";
import { appContainer, libpqEnv, podSecurity, runtimeVolumes, secretEnv, toolContainer } from "./pod";

interface JobParts {
    readonly name: string;
    readonly component: string;
    readonly annotations: Record<string, string>;
    readonly activeDeadlineSeconds: number;
    readonly initContainers: IContainer[];
    readonly containers: IContainer[];
    /** emptyDirs the containers share, besides the scripts and /tmp. */
    readonly shared?: readonly string[];
    /** Other volumes, e.g. the app image as an image volume. @default - none */
    readonly volumes?: readonly IVolume[];
}

// One shape for every Job: fail fast (backoffLimit 0, restartPolicy Never), bounded
// by a deadline, no service-account token. No ttlSecondsAfterFinished: a failed migration's
// Job and its logs stay for whoever investigates, until the next sync's BeforeHookCreation
// replaces it. (Current Argo CD no longer hangs on a vanished hook, thanks to its hook
// finalizer; versions before it did: argo-cd #6880.)
function job(spec: EnvironmentSpec, names: WorkloadNames, parts: JobParts): IJob {
    const meta = labels(spec, parts.component);
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: parts.name, namespace: names.namespace, labels: meta, annotations: parts.annotations },
        spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: parts.activeDeadlineSeconds,
            template: {
                metadata: { labels: meta, annotations: { "migrate-first.dev/runtime-hash": names.scriptsHash } },
                spec: {
                    restartPolicy: "Never",
                    automountServiceAccountToken: false,
                    securityContext: podSecurity(spec.app.runAsUser),
                    ...(parts.initContainers.length === 0 ? {} : { initContainers: parts.initContainers }),
                    containers: parts.containers,
                    volumes: [...runtimeVolumes(names.scripts, parts.shared), ...(parts.volumes ?? [])],
                },
            },
        },
    };
}

const releaseEnv = (spec: EnvironmentSpec): IEnvVar[] => [
    { name: "APP", value: spec.app.name },
    { name: "ENVIRONMENT", value: spec.environment },
    { name: "RELEASE", value: spec.app.image },
];

// The app role may read the history and record a verified release (smoke-check.sh); with
// roles "single" the migrator is the app role and needs no grant.
const appRoleEnv = (spec: EnvironmentSpec): IEnvVar[] =>
    spec.database.roles === "split" ? [{ name: "APP_ROLE", value: `${spec.database.name}_app` }] : [];

const migrationsPath = "/migrations";

/**
 * SQL mode: the release's migration files come from the app image itself (the same image as
 * the Deployment). "copy": an init container copies them into an emptyDir for the postgres-image
 * container (the app image needs `cp`). "imageVolume": the app image itself is the volume, its
 * imageDirectory mounted through subPath (Kubernetes 1.33+), and nothing runs in it.
 */
interface MigrationFiles {
    readonly initContainers: IContainer[];
    readonly shared: string[];
    readonly volumes: IVolume[];
    readonly mount: IVolumeMount;
}

function migrationFiles(spec: EnvironmentSpec): MigrationFiles {
    const m = spec.migration;
    if (m.filesFrom === "imageVolume") {
        return {
            initContainers: [],
            shared: [],
            volumes: [{ name: "migrations", image: { reference: spec.app.image, pullPolicy: "IfNotPresent" } }],
            mount: {
                name: "migrations",
                mountPath: migrationsPath,
                subPath: m.imageDirectory.replace(/^\/+|\/+$/g, ""),
                readOnly: true,
            },
        };
    }
    const copy = appContainer(spec, "copy-migrations", {
        command: ["cp", "-R", `${m.imageDirectory}/.`, `${migrationsPath}/`],
        env: [],
        volumeMounts: [{ name: "migrations", mountPath: migrationsPath }],
    });
    return {
        initContainers: [copy],
        shared: ["migrations"],
        volumes: [],
        mount: { name: "migrations", mountPath: migrationsPath, readOnly: true },
    };
}

const lockDir = "/run/migrate-first";

/**
 * PreSync, wave -1. wait-for-db checks the database with the migrator's own credentials;
 * then either migrate.sh applies the SQL files from the app image, or (command mode) the
 * team's command runs in the app image while the migration-lock sidecar holds the lock.
 */
export function migrationJob(spec: EnvironmentSpec, names: WorkloadNames): IJob {
    const m = spec.migration;
    const waitForDb = toolContainer(spec, "wait-for-db", "wait-for-db.sh", [
        ...libpqEnv(names.migratorSecret),
        { name: "WAIT_TIMEOUT", value: String(m.waitForDbSeconds) },
    ]);
    const lockEnv: IEnvVar[] = [
        ...releaseEnv(spec),
        ...appRoleEnv(spec),
        { name: "LOCK_WAIT", value: String(m.lockWaitSeconds) },
    ];
    const parts = {
        name: names.migrateJob,
        component: "migrate",
        annotations: syncAnnotations(placements.migrate),
        activeDeadlineSeconds: m.activeDeadlineSeconds,
    };
    if (m.mode === "sql") {
        const files = migrationFiles(spec);
        const migrate = toolContainer(
            spec,
            "migrate",
            "migrate.sh",
            [
                ...libpqEnv(names.migratorSecret),
                ...lockEnv,
                { name: "MIGRATIONS_DIR", value: migrationsPath },
                { name: "LOCK_TIMEOUT", value: m.lockTimeout },
                { name: "STATEMENT_TIMEOUT", value: m.statementTimeout },
                { name: "LOCK_RETRIES", value: String(m.lockRetries) },
                { name: "ALLOW_OUT_OF_ORDER", value: String(m.allowOutOfOrder) },
            ],
            { volumeMounts: [files.mount] },
        );
        return job(spec, names, {
            ...parts,
            initContainers: [waitForDb, ...files.initContainers],
            containers: [migrate],
            shared: files.shared,
            volumes: files.volumes,
        });
    }
    // A native sidecar (Kubernetes 1.29+): its startup probe passes once it holds the lock,
    // and only then does the kubelet start the migration container.
    const lock = toolContainer(
        spec,
        "migration-lock",
        "migration-lock.sh",
        [...libpqEnv(names.migratorSecret), ...lockEnv, { name: "LOCK_FILE", value: `${lockDir}/locked` }],
        {
            restartPolicy: "Always",
            startupProbe: {
                exec: { command: ["test", "-f", `${lockDir}/locked`] },
                periodSeconds: 1,
                failureThreshold: m.lockWaitSeconds + 30,
            },
            volumeMounts: [{ name: "lock", mountPath: lockDir }],
        },
    );
    const migrate = appContainer(spec, "migrate", {
        command: m.command,
        env: [
            ...releaseEnv(spec),
            secretEnv("DATABASE_URL", names.migratorSecret, "url"),
            ...libpqEnv(names.migratorSecret),
            // libpq-based tools apply these to every session they open.
            { name: "PGOPTIONS", value: `-c lock_timeout=${m.lockTimeout} -c statement_timeout=${m.statementTimeout}` },
        ],
    });
    return job(spec, names, { ...parts, initContainers: [waitForDb, lock], containers: [migrate], shared: ["lock"] });
}

/**
 * PostSync, wave 1: smoke-check.sh, as the app role, verifies that the history holds every
 * file of the release and that the app answers through its Service, then records the
 * release as verified. `smoke.command`, if any, runs first in the app image.
 */
export function smokeJob(spec: EnvironmentSpec, names: WorkloadNames): IJob {
    const sql = spec.migration.mode === "sql";
    const files = sql ? migrationFiles(spec) : undefined;
    const check = toolContainer(
        spec,
        "smoke-check",
        "smoke-check.sh",
        [
            ...libpqEnv(names.appSecret),
            ...releaseEnv(spec),
            {
                name: "HEALTH_URL",
                value: `http://${names.service}.${names.namespace}.svc:${spec.app.port}${spec.app.healthPath}`,
            },
            { name: "SMOKE_TIMEOUT", value: String(Math.max(1, spec.smoke.activeDeadlineSeconds - 10)) },
            ...(sql ? [{ name: "MIGRATIONS_DIR", value: migrationsPath }] : []),
        ],
        files === undefined ? {} : { volumeMounts: [files.mount] },
    );
    const own =
        spec.smoke.command === undefined
            ? []
            : [
                  appContainer(spec, "smoke", {
                      command: spec.smoke.command,
                      env: [...releaseEnv(spec), secretEnv("DATABASE_URL", names.appSecret, "url")],
                  }),
              ];
    return job(spec, names, {
        name: names.smokeJob,
        component: "smoke",
        annotations: syncAnnotations(placements.smoke),
        activeDeadlineSeconds: spec.smoke.activeDeadlineSeconds,
        initContainers: [...(files?.initContainers ?? []), ...own],
        containers: [check],
        shared: files?.shared ?? [],
        volumes: files?.volumes ?? [],
    });
}

/**
 * SyncFail: alert-message.sh reads which hook failed, and its log, from the database;
 * alert.sh posts it from the curl image. The old version keeps running.
 */
export function syncFailJob(spec: EnvironmentSpec, names: WorkloadNames): IJob {
    const payload = { name: "ALERT_PAYLOAD", value: "/tmp/alert/payload.json" };
    const message = toolContainer(spec, "alert-message", "alert-message.sh", [
        ...libpqEnv(names.migratorSecret),
        ...releaseEnv(spec),
        payload,
    ]);
    const post = toolContainer(
        spec,
        "alert",
        "alert.sh",
        [payload, secretEnv("WEBHOOK_URL", names.alertSecret, "url", true)],
        { image: spec.runtime.curlImage },
    );
    return job(spec, names, {
        name: names.syncFailJob,
        component: "sync-fail",
        annotations: syncAnnotations(placements.syncFail),
        activeDeadlineSeconds: 120,
        initContainers: [message],
        containers: [post],
    });
}
