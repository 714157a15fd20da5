import { existsSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { WorkloadObject } from "../manifests";
import { buildWorkload, workloadObjects } from "../manifests";
import type { SyncPlan, SyncTask } from "../plan";
import { planSync } from "../plan";
import type { ScriptName } from "../runtime";
import { loadRuntimeScripts, scriptNames, scriptsMountPath } from "../runtime";
import type { EnvironmentSpec } from "../environment-schema";
import { removeDir, startPostgres, temporaryDir } from "./postgres";
import type { EndState } from "./end-state";
import { endState } from "./end-state";
import { provisionDatabase, runSql } from "./provision";
import { runScript, startScript } from "./scripts";
import type { StandInApp } from "./stand-in-app";
import { startStandInApp } from "./stand-in-app";

/** One sync of the rehearsal: the release (image) and the migration files it ships. */
export interface Release {
    readonly image: string;
    /** The files, on this machine. */
    readonly migrationsDir: string;
}

export interface RehearsalOptions {
    /** Synced one after the other on the same database; a failed one ends the rehearsal. */
    readonly releases: readonly Release[];
    /** Receives every progress line. */
    readonly log: (line: string) => void;
    /** The passwords to use, as Pulumi would hold them: the admin's and each role's by name. @default - the rehearsal's own admin password, random role passwords */
    readonly passwords?: { readonly admin?: string; readonly roles?: Readonly<Record<string, string>> };
}

export interface RehearsalResult {
    /** "<Kind> <name>" of the step that failed (in the last release tried); undefined when every sync succeeded. */
    readonly failed?: string;
    /** The database at the end. */
    readonly end: EndState;
}

/** The runtime script a container runs (`sh /migrate-first/<script>`), if it runs one. */
function scriptOf(container: IContainer): ScriptName | undefined {
    const [shell, path] = container.command ?? [];
    const name = path?.startsWith(`${scriptsMountPath}/`) ? path.slice(scriptsMountPath.length + 1) : undefined;
    return shell === "sh" && (scriptNames as readonly string[]).includes(name ?? "") ? (name as ScriptName) : undefined;
}

/**
 * Rehearses a sync on an embedded Postgres: the database and roles the component
 * creates, then every step of the rendered sync plan in its order, running the scripts
 * each Job's containers run, with the environment the manifests give them (Secrets
 * replaced by the local roles' credentials). A stand-in HTTP server plays the new
 * Deployment. On a failed step the sync stops and the SyncFail hook composes its alert.
 * Leaves no process or data behind.
 */
export async function rehearse(spec: EnvironmentSpec, options: RehearsalOptions): Promise<RehearsalResult> {
    const started = Date.now();
    const log = (line: string) => options.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
    const work = temporaryDir("rehearsal");

    log(`starting an embedded Postgres (data under ${tmpdir()})`);
    const pg = await startPostgres(options.passwords?.admin);
    const app: { current?: StandInApp } = {};
    try {
        log(`Postgres ${runSql(pg.env("postgres", pg.adminPassword), "SHOW server_version;")} on 127.0.0.1:${pg.port}`);
        const db = provisionDatabase(pg, spec, options.passwords?.roles);
        log(
            `database ${db.plan.database}: roles ${db.plan.roles.map((r) => `${r.name} (${r.purpose})`).join(", ")}, with the component's grants`,
        );
        let failed: string | undefined;
        for (const [index, release] of options.releases.entries()) {
            if (options.releases.length > 1)
                log(
                    `release ${index + 1} of ${options.releases.length}: ${release.image}, files from ${release.migrationsDir}`,
                );
            const releaseSpec = { ...spec, app: { ...spec.app, image: release.image } };
            const names = buildWorkload(releaseSpec, loadRuntimeScripts()).names;
            const secrets = { [names.migratorSecret]: db.migrator, [names.appSecret]: db.app };
            failed = await syncRelease(
                releaseSpec,
                {
                    spec: releaseSpec,
                    secrets,
                    work,
                    migrationsDir: release.migrationsDir,
                    log,
                    healthUrl: () => app.current?.healthUrl,
                },
                app,
            );
            if (failed !== undefined) break;
        }
        const end = endState(db.migrator, log);
        return failed === undefined ? { end } : { failed, end };
    } finally {
        await app.current?.close();
        await pg.stop();
        removeDir(work);
        log("embedded Postgres stopped and its data removed");
    }
}

/** One release: every step of its sync plan in order; on a failed step, its SyncFail hooks. Returns the failed step, if any. */
async function syncRelease(
    spec: EnvironmentSpec,
    context: JobContext,
    app: { current?: StandInApp },
): Promise<string | undefined> {
    const objects = workloadObjects(buildWorkload(spec, loadRuntimeScripts()));
    const plan = planSync(objects);
    const log = context.log;
    for (const step of plan.steps) {
        log(
            `step ${step.step}: ${step.phase} wave ${step.wave}: ${step.tasks.map((t) => `${t.kind} ${t.name}`).join(", ")}`,
        );
        for (const task of step.tasks) {
            const object = objectOf(objects, task);
            if (object.kind === "Job") {
                if (!(await runJob(object, context))) {
                    log(
                        `sync stopped: Job ${task.name} failed; later steps are never applied, the old version keeps running`,
                    );
                    await runSyncFail(plan, objects, context);
                    return `Job ${task.name}`;
                }
            } else if (object.kind === "Deployment") {
                await app.current?.close();
                app.current = await startStandInApp(spec.app.healthPath);
                log(
                    `  Deployment ${task.name}: a stand-in app answers ${app.current.healthUrl} (the real rollout needs a cluster)`,
                );
            } else {
                log(`  ${object.kind} ${task.name}: applied as is (nothing to run)`);
            }
        }
    }
    log(`synced ${spec.app.image}: every step succeeded`);
    return undefined;
}

interface JobContext {
    readonly spec: EnvironmentSpec;
    /** Secret name to the local credentials standing in for it. */
    readonly secrets: Readonly<Record<string, Record<string, string>>>;
    readonly work: string;
    readonly migrationsDir: string;
    readonly log: (line: string) => void;
    readonly healthUrl: () => string | undefined;
}

function objectOf(objects: readonly WorkloadObject[], task: SyncTask): WorkloadObject {
    const object = objects.find((o) => o.kind === task.kind && o.metadata?.name === task.name);
    if (object === undefined)
        throw new Error(`the sync plan names ${task.kind} ${task.name}, which the workload does not have`);
    return object;
}

/** The container's environment as the manifest gives it, with this machine's stand-ins. */
function localEnv(container: IContainer, context: JobContext): Record<string, string> {
    const local: Record<string, string | undefined> = {
        MIGRATIONS_DIR: context.migrationsDir,
        HEALTH_URL: context.healthUrl(),
        LOCK_FILE: join(context.work, "locked"),
        ALERT_PAYLOAD: join(context.work, "alert.json"),
    };
    const env: Record<string, string> = { TMPDIR: context.work };
    for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        // The rehearsal posts no alert: the webhook Secret has no stand-in.
        const value =
            ref !== undefined ? context.secrets[ref.name ?? ""]?.[ref.key] : (local[variable.name] ?? variable.value);
        if (value !== undefined) env[variable.name] = value;
    }
    return env;
}

async function runContainer(container: IContainer, context: JobContext): Promise<boolean> {
    const script = scriptOf(container);
    if (script === undefined) {
        const what =
            container.name === "copy-migrations"
                ? `the files in ${context.migrationsDir} (the image is built from them)`
                : `not run: "${(container.command ?? []).join(" ")}" needs the image ${container.image}`;
        context.log(`  ${container.name}: ${what}`);
        return true;
    }
    const run = await runScript(script, localEnv(container, context), (line) => context.log(`    | ${line}`));
    context.log(
        `  ${container.name} (${script}): ${run.code === 0 ? "done" : `FAILED (exit ${run.code ?? run.signal})`} in ${run.ms} ms`,
    );
    return run.code === 0;
}

/** The sidecar's startup probe: true once `file` exists, false if the sidecar ends first. */
async function signalled(file: string, exited: Promise<unknown>): Promise<boolean> {
    let ended = false;
    void exited.then(() => (ended = true));
    while (!existsSync(file) && !ended) await new Promise((resolve) => setTimeout(resolve, 100));
    return existsSync(file);
}

/** A Job's containers in the kubelet's order: init containers one by one (sidecars started and left running), then the rest. */
async function runJob(job: IJob, context: JobContext): Promise<boolean> {
    const pod = job.spec?.template.spec;
    context.log(`  Job ${job.metadata?.name}:`);
    const sidecars: { stop(): Promise<unknown> }[] = [];
    try {
        for (const container of pod?.initContainers ?? []) {
            if (container.restartPolicy === "Always") {
                const script = scriptOf(container);
                if (script === undefined) throw new Error(`sidecar ${container.name} runs no runtime script`);
                const env = localEnv(container, context);
                const sidecar = startScript(script, env, (line) => context.log(`    | ${line}`));
                sidecars.push({ stop: () => (process.kill(sidecar.pid, "SIGTERM"), sidecar.done) });
                if (!(await signalled(env.LOCK_FILE ?? "", sidecar.done))) {
                    context.log(`  ${container.name} (${script}): FAILED before signalling`);
                    return false;
                }
                context.log(`  ${container.name} (${script}): running beside the migration (startup probe passed)`);
            } else if (!(await runContainer(container, context))) {
                return false;
            }
        }
        for (const container of pod?.containers ?? []) {
            if (!(await runContainer(container, context))) return false;
        }
        return true;
    } finally {
        for (const sidecar of sidecars) await sidecar.stop();
    }
}

/** The SyncFail hooks, all at once as Argo CD applies them; their alert.sh prints the message instead of posting it. */
async function runSyncFail(plan: SyncPlan, objects: readonly WorkloadObject[], context: JobContext): Promise<void> {
    context.log(`SyncFail: ${plan.onFailure.map((t) => `${t.kind} ${t.name}`).join(", ")}`);
    await Promise.all(plan.onFailure.map((task) => runJob(objectOf(objects, task) as IJob, context)));
    if (existsSync(join(context.work, "alert.json")))
        context.log("the JSON above is what the webhook would receive (a rehearsal never posts)");
}
