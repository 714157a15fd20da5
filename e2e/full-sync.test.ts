import { strict as assert } from "assert";
import { cpSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import type { EnvironmentSpec } from "../environment-schema";
import { planSync } from "../plan";
import type { ControlPlaneRehearsal, ReleaseResult } from "../rehearsal/cluster/real-sync";
import { rehearseOnControlPlane } from "../rehearsal/cluster/real-sync";
import { requireControlPlane } from "../rehearsal/cluster/control-plane";
import { requirePodRunner } from "../rehearsal/cluster/pod-runner";
import { removeDir, temporaryDir } from "../rehearsal/postgres";
import { rehearse } from "../rehearsal/sync";
import { readStackFile, specFromConfig } from "../stacks/config";

const root = resolve(__dirname, "..");
const shipped = join(root, "examples", "shop", "migrations");

/** The planner's steps as "phase wave" keys, each with its objects as "Kind/name", sorted. */
function plannedOrder(release: ReleaseResult): string[] {
    return planSync(release.objects).steps.map(
        (step) =>
            `${step.phase} ${step.wave}: ${step.tasks
                .map((t) => `${t.kind}/${t.name}`)
                .sort()
                .join(" ")}`,
    );
}

/** The engine's applies grouped the same way, in the order it applied them (SyncFail hooks left out). */
function engineOrder(release: ReleaseResult): string[] {
    const groups: { key: string; objects: string[] }[] = [];
    for (const step of release.outcome.steps.filter((s) => s.syncPhase !== "SyncFail")) {
        const key = `${step.syncPhase} ${step.wave}`;
        const last = groups[groups.length - 1];
        if (last?.key === key) last.objects.push(`${step.kind}/${step.name}`);
        else groups.push({ key, objects: [`${step.kind}/${step.name}`] });
    }
    return groups.map((g) => `${g.key}: ${g.objects.sort().join(" ")}`);
}

/** Every log line of the pods of Job `job`, container `container`, in this release. */
function logOf(release: ReleaseResult, job: string, container: string): string {
    return Object.entries(release.logs)
        .filter(([key]) => key.startsWith(`${job}-`) && key.endsWith(`/${container}`))
        .map(([, text]) => text)
        .join("\n");
}

describe("the whole sync for real: Argo CD's engine, a real control plane, pods as processes, the embedded Postgres", function () {
    this.timeout(900000);
    let spec: EnvironmentSpec;
    let result: ControlPlaneRehearsal;
    const dirs: string[] = [];
    const release = (index: number) => result.releases[index];

    before(async () => {
        requireControlPlane();
        requirePodRunner();
        spec = specFromConfig(readStackFile(root, "dev"));
        const copy = (name: string, extra: Record<string, string>) => {
            const dir = temporaryDir(name);
            cpSync(shipped, dir, { recursive: true });
            Object.entries(extra).forEach(([file, sql]) => writeFileSync(join(dir, file), sql));
            dirs.push(dir);
            return dir;
        };
        const broken = copy("broken", {
            "0004_add_order_note.sql":
                "CREATE TABLE half_done (id int);\nALTER TABLE no_such_table ADD COLUMN note text;\n",
        });
        const fixed = copy("fixed", { "0004_add_order_note.sql": "ALTER TABLE orders ADD COLUMN note text;\n" });
        const repository = spec.app.image.slice(0, spec.app.image.lastIndexOf(":"));
        const lines: string[] = [];
        try {
            result = await rehearseOnControlPlane(spec, {
                releases: [
                    { image: spec.app.image, migrationsDir: shipped },
                    { image: `${repository}:v1.3.0`, migrationsDir: broken },
                    { image: `${repository}:v1.3.1`, migrationsDir: fixed },
                    // A retry of the same release: every hook runs again.
                    { image: `${repository}:v1.3.1`, migrationsDir: fixed },
                ],
                log: (line) => lines.push(line),
            });
        } catch (error) {
            process.stderr.write(`${lines.join("\n")}\n`);
            throw error;
        }
        // The whole log is the first thing to read when an assertion below fails.
        process.stderr.write(`${lines.join("\n")}\n`);
    });
    after(() => dirs.forEach(removeDir));

    describe("item 2: a release syncs schema first, then code", () => {
        it("succeeds, with the engine applying the objects in the planner's order and waves", () => {
            assert.equal(release(0).outcome.phase, "Succeeded", release(0).outcome.message);
            assert.deepEqual(engineOrder(release(0)), plannedOrder(release(0)));
        });

        it("runs wait-for-db, then migrate.sh against the embedded Postgres in the PreSync Job's pod", () => {
            assert.match(logOf(release(0), "shop-migrate", "wait-for-db"), /ready after/);
            const migrate = logOf(release(0), "shop-migrate", "migrate");
            assert.match(migrate, /applied 0001_create_customers\.sql/);
            assert.match(migrate, /applied 0003_index_orders_by_customer\.sql/);
        });

        it("rolls the Deployment out and verifies the release in the PostSync smoke Job", () => {
            const { image, replicas, available, updated } = release(0).deployment;
            assert.equal(image, spec.app.image);
            assert.ok(replicas >= 1);
            assert.deepEqual([updated, available], [replicas, replicas]);
            const deployment = release(0).outcome.steps.find((s) => s.kind === "Deployment");
            assert.deepEqual([deployment?.status, deployment?.hookPhase], ["Synced", "Succeeded"]);
            assert.match(logOf(release(0), "shop-smoke", "smoke-check"), /verified/);
        });

        it("leaves the history and the verified release the local rehearsal claims", async () => {
            const local = await rehearse(spec, {
                releases: [{ image: spec.app.image, migrationsDir: shipped }],
                log: () => undefined,
            });
            assert.deepEqual(release(0).end, local.end);
            assert.deepEqual(release(0).end.history, [
                `1 0001_create_customers.sql ${spec.app.image}`,
                `2 0002_create_orders.sql ${spec.app.image}`,
                `3 0003_index_orders_by_customer.sql ${spec.app.image}`,
            ]);
            assert.deepEqual(release(0).end.verified, [spec.app.image]);
            assert.equal(result.alerts.length, release(1).outcome.attempts, "only the broken release alerts");
        });
    });

    describe("item 3: a broken migration stops the sync; the fix and a retry", () => {
        it("stops at the PreSync Job: the Deployment keeps the previous image, nothing after it is applied", () => {
            assert.equal(release(1).outcome.phase, "Failed");
            const failed = release(1).outcome.steps.find((s) => s.kind === "Job" && s.name === "shop-migrate");
            assert.equal(failed?.hookPhase, "Failed", JSON.stringify(release(1).outcome.steps));
            assert.equal(release(1).deployment.image, spec.app.image);
            // The previous version kept serving: not one replica went unavailable.
            assert.equal(release(1).deployment.fewestAvailable, release(1).deployment.replicas);
            const applied = release(1).outcome.steps.map((s) => `${s.syncPhase} ${s.kind}/${s.name}`);
            assert.ok(!applied.some((s) => s.startsWith("Sync ") || s.startsWith("PostSync ")), applied.join(", "));
        });

        it("rolls the broken file back whole and does not verify the release", () => {
            assert.deepEqual(release(1).end.history, release(0).end.history);
            assert.ok(!release(1).end.tables.some((t) => t.endsWith(".half_done")), release(1).end.tables.join(", "));
            assert.ok(!release(1).end.verified.some((r) => r.endsWith(":v1.3.0")));
        });

        it("retries as the Application says, each retry the whole operation, its migration included", () => {
            // The dev stack's argocd.retryLimit: every attempt re-runs the PreSync Job, which fails again.
            assert.equal(release(1).outcome.attempts, 1 + spec.argocd.retryLimit);
            const runs = Object.keys(release(1).logs).filter((k) => /^shop-migrate-[^/]+\/migrate$/.test(k));
            assert.equal(runs.length, release(1).outcome.attempts, Object.keys(release(1).logs).join(", "));
        });

        it("runs the SyncFail Job on each failed attempt, posting an alert naming the release and the error", () => {
            const hook = release(1).outcome.steps.find((s) => s.syncPhase === "SyncFail");
            assert.equal(hook?.name, "shop-sync-fail");
            // Argo CD runs SyncFail hooks when an operation fails, and each retry is an operation.
            assert.equal(result.alerts.length, release(1).outcome.attempts);
            for (const body of result.alerts) {
                const alert = JSON.parse(body) as { text: string; release: string; phase: string; app: string };
                assert.equal(alert.release, `${spec.app.image.replace(/:[^:]*$/, "")}:v1.3.0`);
                assert.equal(alert.app, spec.app.name);
                assert.match(alert.phase, /migrate/i);
                assert.match(alert.text, /no_such_table/);
            }
        });

        it("syncs the fixed release: its file applied, the Deployment updated, the release verified", () => {
            assert.equal(release(2).outcome.phase, "Succeeded", release(2).outcome.message);
            assert.match(logOf(release(2), "shop-migrate", "migrate"), /applied 0004_add_order_note\.sql/);
            assert.equal(release(2).end.history.length, 4);
            const { image, replicas, available, updated, fewestAvailable } = release(2).deployment;
            assert.match(image ?? "", /:v1\.3\.1$/);
            assert.deepEqual([updated, available], [replicas, replicas]);
            // A rolling update with maxUnavailable 0: every replica available throughout.
            assert.equal(fewestAvailable, replicas);
            assert.ok(release(2).end.verified.some((r) => r.endsWith(":v1.3.1")));
        });

        it("a retry re-runs the migration, which finds nothing to do, and succeeds again", () => {
            assert.equal(release(3).outcome.phase, "Succeeded", release(3).outcome.message);
            const migrate = logOf(release(3), "shop-migrate", "migrate");
            assert.notEqual(migrate, "", "the PreSync Job ran again");
            assert.doesNotMatch(migrate, /applying /);
            assert.deepEqual(release(3).end.history, release(2).end.history);
        });
    });
});
