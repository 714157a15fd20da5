import { randomBytes } from "crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { stringify } from "yaml";
import type { ConnectionTarget } from "../../database";
import { accessPlan, credentialEntries } from "../../database";
import type { EnvironmentSpec } from "../../environment-schema";
import type { WorkloadObject } from "../../manifests";
import { application, buildWorkload, workloadObjects } from "../../manifests";
import { loadRuntimeScripts } from "../../runtime";
import type { EndState } from "../end-state";
import { endState } from "../end-state";
import { removeDir, startPostgres, temporaryDir } from "../postgres";
import { provisionDatabase, runSql } from "../provision";
import type { Release } from "../sync";
import type { ControlPlane } from "./control-plane";
import { startControlPlane } from "./control-plane";
import { releaseImages } from "./images";
import type { PodRunner } from "./pod-runner";
import { startPodRunner } from "./pod-runner";
import type { DeploymentReport } from "./deployment-watch";
import { watchDeployment } from "./deployment-watch";
import { createNamespace } from "./namespace";
import type { SyncOutcome } from "./sync-engine";
import { requireSyncEngine, runSyncEngine } from "./sync-engine";
import type { Webhook } from "./webhook";
import { startWebhook } from "./webhook";

/** One release synced on the control plane. */
export interface ReleaseResult {
    readonly image: string;
    readonly outcome: SyncOutcome;
    /** The objects synced, as rendered for this release. */
    readonly objects: readonly WorkloadObject[];
    /** The container logs of the pods this sync ran, by "pod/container". */
    readonly logs: Readonly<Record<string, string>>;
    /** The Deployment in the API server after the sync, and how available it stayed during it. */
    readonly deployment: DeploymentReport;
    /** The database after the sync. */
    readonly end: EndState;
}

export interface ControlPlaneRehearsal {
    readonly releases: readonly ReleaseResult[];
    /** The bodies the SyncFail hook posted to the local webhook. */
    readonly alerts: readonly string[];
}

export interface ControlPlaneRehearsalOptions {
    /** Synced one after the other on the same cluster and database; each is synced even if one before failed (the next is the fix). */
    readonly releases: readonly Release[];
    readonly log: (line: string) => void;
}

/**
 * The whole sync for real: an embedded Postgres with the component's roles, a throwaway control
 * plane with the pod runner as its node, the Namespace and Secrets Pulumi would create, then each
 * release's rendered workload synced by Argo CD's own engine (migrate-first-sync). The Jobs run
 * the runtime scripts in pods against the database; the Deployment rolls out through the real
 * controller; the SyncFail hook posts to a local webhook. Leaves no process or data behind.
 */
export async function rehearseOnControlPlane(
    spec: EnvironmentSpec,
    options: ControlPlaneRehearsalOptions,
): Promise<ControlPlaneRehearsal> {
    requireSyncEngine();
    const started = Date.now();
    const log = (line: string) => options.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
    const work = temporaryDir("real-sync");
    log(`starting an embedded Postgres, a control plane and the pod runner (data under ${work} and beside it)`);
    const pg = await startPostgres();
    let cluster: ControlPlane | undefined;
    let runner: PodRunner | undefined;
    let webhook: Webhook | undefined;
    try {
        const plan = accessPlan(spec);
        const passwords = Object.fromEntries(plan.roles.map((r) => [r.name, randomBytes(18).toString("base64url")]));
        const db = provisionDatabase(pg, spec, passwords);
        log(
            `Postgres ${runSql(db.migrator, "SHOW server_version;")} on 127.0.0.1:${pg.port}: database ${plan.database}`,
        );
        cluster = await startControlPlane({ log: (line) => log(`control plane: ${line}`) });
        const images = join(work, "images.yaml");
        writeFileSync(images, releaseImages(spec.app.image, spec.migration.imageDirectory, options.releases));
        runner = await startPodRunner(cluster, { images });
        log(`node ${runner.nodeName} Ready: pods run as processes of this machine (images mapped in ${images})`);
        webhook = await startWebhook();
        const target: ConnectionTarget = {
            host: "127.0.0.1",
            port: pg.port,
            database: plan.database,
            sslmode: "disable",
        };
        await createPrerequisites(cluster, spec, target, passwords, webhook.url);
        log(
            `Namespace ${spec.app.namespace} and its Secrets created, as pulumi up would (the webhook: ${webhook.url})`,
        );
        const releases: ReleaseResult[] = [];
        const seen = new Set<string>();
        for (const [index, release] of options.releases.entries()) {
            log(
                `release ${index + 1} of ${options.releases.length}: ${release.image}, files from ${release.migrationsDir}`,
            );
            const dir = join(work, `release-${index + 1}`);
            const synced = await syncRelease(cluster, runner, spec, release, dir, log, seen);
            releases.push({ ...synced, end: endState(db.migrator, log) });
        }
        if (webhook.bodies.length > 0) log(`the webhook received ${webhook.bodies.length} alert(s)`);
        return { releases, alerts: webhook.bodies };
    } catch (error) {
        if (runner !== undefined) log(`the pod runner's log:\n${runner.log().split("\n").slice(-40).join("\n")}`);
        throw error;
    } finally {
        await webhook?.close();
        await runner?.stop();
        await cluster?.stop();
        await pg.stop();
        removeDir(work);
        log("stopped: the node, the control plane and Postgres; their data removed");
    }
}

/** What Pulumi creates before Argo CD syncs: the Namespace and the Secrets the workload reads. */
async function createPrerequisites(
    cluster: ControlPlane,
    spec: EnvironmentSpec,
    target: ConnectionTarget,
    passwords: Readonly<Record<string, string>>,
    webhookUrl: string,
): Promise<void> {
    const { names } = buildWorkload(spec, loadRuntimeScripts());
    const plan = accessPlan(spec);
    const ns = names.namespace;
    await createNamespace(cluster, ns);
    const secret = (name: string, stringData: Record<string, string>) =>
        cluster.api.create(`/api/v1/namespaces/${ns}/secrets`, {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name, namespace: ns },
            type: "Opaque",
            stringData,
        });
    const entries = (role: string) => credentialEntries(target, role, passwords[role] ?? "");
    await secret(names.appSecret, entries(plan.app));
    if (plan.migrator !== plan.app) await secret(names.migratorSecret, entries(plan.migrator));
    await secret(names.alertSecret, { url: webhookUrl });
}

async function syncRelease(
    cluster: ControlPlane,
    runner: PodRunner,
    spec: EnvironmentSpec,
    release: Release,
    dir: string,
    log: (line: string) => void,
    seen: Set<string>,
): Promise<Omit<ReleaseResult, "end">> {
    const releaseSpec = { ...spec, app: { ...spec.app, image: release.image } };
    const workload = buildWorkload(releaseSpec, loadRuntimeScripts());
    const objects = workloadObjects(workload);
    mkdirSync(join(dir, "gitops"), { recursive: true });
    writeFileSync(join(dir, "gitops", "manifests.yaml"), objects.map((o) => stringify(o)).join("---\n"));
    const watch = await watchDeployment(cluster.api, workload.names.namespace, workload.names.deployment);
    const { outcome } = await runSyncEngine(cluster.kubeconfig, join(dir, "gitops"), {
        namespace: workload.names.namespace,
        json: join(dir, "outcome.json"),
        flags: retryFlags(spec),
        onLine: (line) => log(`  | ${line}`),
    });
    const deployment = await watch.stop();
    log(`sync ${outcome.phase} after ${outcome.attempts} attempt(s): ${outcome.message}`);
    const logs = podLogs(runner, workload.names.namespace, seen);
    // A failed Job's own words say why: its pods' logs, as `kubectl logs` would show them.
    for (const step of outcome.steps.filter((s) => s.kind === "Job" && s.hookPhase === "Failed"))
        for (const [key, text] of Object.entries(logs).filter(([key]) => key.startsWith(`${step.name}-`)))
            log(
                `  ${key}:\n${text
                    .trimEnd()
                    .split("\n")
                    .slice(-20)
                    .map((line) => `    | ${line}`)
                    .join("\n")}`,
            );
    const { image, available, replicas, fewestAvailable } = deployment;
    const state = image === undefined ? "none" : `${image}, ${available} of ${replicas} replica(s) available`;
    const during = fewestAvailable === undefined ? "" : `, never fewer than ${fewestAvailable} during the sync`;
    log(`Deployment ${workload.names.deployment}: ${state}${during}`);
    return { image: release.image, outcome, objects, logs, deployment };
}

/**
 * The Application's own retry policy as the engine's flags: each retry is the whole operation,
 * its PreSync migration included, after a backoff doubling from `backoff.duration`.
 */
function retryFlags(spec: EnvironmentSpec): string[] {
    const retry = application(spec).spec?.syncPolicy?.retry;
    const limit = retry?.limit ?? 0;
    return limit > 0 ? ["--retry-limit", String(limit), "--retry-backoff", retry?.backoff?.duration ?? "5s"] : [];
}

/**
 * The container logs of the namespace's pods not in `seen` (which then holds them too), by
 * "pod/container". Read from the node's state directory: a hook Job goes with its pods at the next sync.
 */
function podLogs(runner: PodRunner, namespace: string, seen: Set<string>): Record<string, string> {
    const logs: Record<string, string> = {};
    const pods = join(runner.stateDir, "pods");
    for (const dir of readdirSafe(pods).filter((d) => d.startsWith(`${namespace}_`) && !seen.has(d))) {
        seen.add(dir);
        const pod = dir.split("_")[1] ?? dir;
        for (const file of readdirSafe(join(pods, dir, "logs")).filter((f) => f.endsWith(".log")))
            logs[`${pod}/${file.slice(0, -4)}`] = readFileSync(join(pods, dir, "logs", file), "utf8");
    }
    return logs;
}

function readdirSafe(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir) : [];
}
