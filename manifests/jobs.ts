import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import { EnvironmentSpec } from "../spec";
import { scriptsMountPath } from "../runtime";
import { labels, WorkloadNames } from "./names";
import { syncAnnotations, placements } from "./hooks";
import { appContainer, libpqEnv, podSecurity, runtimeVolumes, secretEnv, toolContainer } from "./pod";

interface JobParts {
    readonly name: string;
    readonly component: string;
    readonly annotations: Record<string, string>;
    readonly activeDeadlineSeconds: number;
    readonly initContainers?: IContainer[];
    readonly containers: IContainer[];
    readonly runAsUser: number;
}

// One shape for every Job: fail fast (backoffLimit 0, restartPolicy Never), bounded
// by a deadline, no service-account token. No ttlSecondsAfterFinished: Argo CD must
// see the finished Job, or it waits for the hook forever (argo-cd #6880).
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
                metadata: { labels: meta },
                spec: {
                    restartPolicy: "Never",
                    automountServiceAccountToken: false,
                    securityContext: podSecurity(parts.runAsUser),
                    ...(parts.initContainers === undefined ? {} : { initContainers: parts.initContainers }),
                    containers: parts.containers,
                    volumes: runtimeVolumes(names.scripts),
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

/** PreSync, wave -1: wait for the database with the migrator's own credentials, then migrate with the app's image. */
export function migrationJob(spec: EnvironmentSpec, names: WorkloadNames): IJob {
    const waitForDb = toolContainer(spec, "wait-for-db", "wait-for-db.sh", [
        ...libpqEnv(names.migratorSecret),
        { name: "WAIT_TIMEOUT", value: String(spec.migration.waitForDbSeconds) },
    ]);
    return job(spec, names, {
        name: names.migrateJob,
        component: "migrate",
        annotations: syncAnnotations(placements.migrate),
        activeDeadlineSeconds: spec.migration.activeDeadlineSeconds,
        runAsUser: spec.app.runAsUser,
        initContainers: [waitForDb],
        containers: [
            appContainer(spec, "migrate", {
                command: spec.migration.command,
                env: [...releaseEnv(spec), secretEnv("DATABASE_URL", names.migratorSecret, "url")],
            }),
        ],
    });
}

/** PostSync, wave 1: the app answers through its Service, with the app role's credentials in reach. */
export function smokeJob(spec: EnvironmentSpec, names: WorkloadNames): IJob {
    const healthUrl = `http://${names.service}.${names.namespace}.svc:${spec.app.port}${spec.app.healthPath}`;
    const check = appContainer(spec, "smoke", {
        command: spec.smoke.command ?? ["sh", `${scriptsMountPath}/smoke-http.sh`],
        env: [
            ...releaseEnv(spec),
            { name: "HEALTH_URL", value: healthUrl },
            { name: "SMOKE_TIMEOUT", value: String(Math.max(1, spec.smoke.activeDeadlineSeconds - 10)) },
            secretEnv("DATABASE_URL", names.appSecret, "url"),
        ],
        volumeMounts: [{ name: "runtime", mountPath: scriptsMountPath, readOnly: true }],
    });
    return job(spec, names, {
        name: names.smokeJob,
        component: "smoke",
        annotations: syncAnnotations(placements.smoke),
        activeDeadlineSeconds: spec.smoke.activeDeadlineSeconds,
        runAsUser: spec.app.runAsUser,
        containers: [check],
    });
}

/** SyncFail: tell the team; the old version keeps running. */
export function syncFailJob(spec: EnvironmentSpec, names: WorkloadNames): IJob {
    return job(spec, names, {
        name: names.syncFailJob,
        component: "sync-fail",
        annotations: syncAnnotations(placements.syncFail),
        activeDeadlineSeconds: 120,
        runAsUser: spec.runtime.postgresUser,
        containers: [toolContainer(spec, "alert", "alert.sh", [...releaseEnv(spec), secretEnv("WEBHOOK_URL", names.alertSecret, "url", true)])],
    });
}
