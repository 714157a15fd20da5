import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { dirname, isAbsolute, join, resolve } from "path";
import { parse, stringify } from "yaml";
import type { KubeObject } from "../plan";
import { planSync } from "../plan";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import { podRunnerImages } from "../rehearsal/cluster/engines";
import type { PodRunner } from "../rehearsal/cluster/pod-runner";
import { requirePodRunner, startPodRunner } from "../rehearsal/cluster/pod-runner";
import { temporaryDir } from "../rehearsal/postgres";
import { objectsIn } from "./helpers/rendered";
import { deletedByPolicy, differences, engineOrder, plannerOrder, runSync } from "./helpers/sync-differential";
import { watchCluster } from "./helpers/cluster-watch";
import { createNamespace, deleteNamespace } from "../rehearsal/cluster/namespace";
import { requireSyncEngine } from "../rehearsal/cluster/sync-engine";

const repo = resolve(__dirname, "..");

/**
 * The project's own workloads through Argo CD's sync engine: the rendered `manifests.yaml` of
 * each stack, synced as rendered (only the namespace changed, one per stack, so they run side
 * by side). What is checked is the order and the waits against the planner, not what the Jobs
 * do: their scripts need a database (e2e/full-sync.test.ts runs them for real). So this file's
 * own image mapping gives the `postgres` and `curl` images a `sh` that runs no script and exits
 * 0 (1 for `migrate.sh` when the database its Secret names is "fail", for the failing run);
 * the app image is the project's mapping (busybox httpd answering the readiness probe), and the
 * Secrets the Jobs read, which Pulumi creates beside the manifests, hold placeholders.
 */
describe("the sync planner against Argo CD's sync engine: the stacks' rendered manifests", function () {
    this.timeout(900000);
    let cluster: ControlPlane | undefined;
    let runner: PodRunner | undefined;
    let watch: Awaited<ReturnType<typeof watchCluster>> | undefined;
    let work: string;

    /** The mapping of this file: script-running images stubbed, the app image as the project maps it. */
    function stubImages(): string {
        const bin = join(work, "stub-bin");
        mkdirSync(bin);
        writeFileSync(
            join(bin, "sh"),
            '#!/bin/sh\n# Stands in for the image\'s sh: runs no script (they need a database), exits 0.\ncase "$PGDATABASE:$1" in fail:*/migrate.sh) echo "migrate.sh fails on purpose" >&2; exit 1 ;; esac\nexit 0\n',
        );
        chmodSync(join(bin, "sh"), 0o755);
        const project = parse(readFileSync(podRunnerImages, "utf8")) as {
            images: { match: string; dirs?: Record<string, string> }[];
        };
        const app = project.images.find((i) => i.match === "ghcr.io/acme/shop:*");
        if (app === undefined) throw new Error(`${podRunnerImages} has no ghcr.io/acme/shop:* entry any more`);
        // Its dirs are relative to the project's mapping file; this file lives elsewhere.
        const dirs = Object.fromEntries(
            Object.entries(app.dirs ?? {}).map(([inside, here]) => [
                inside,
                isAbsolute(here) ? here : resolve(dirname(podRunnerImages), here),
            ]),
        );
        const file = join(work, "images.yaml");
        writeFileSync(
            file,
            stringify({
                images: [
                    { match: "postgres:*", description: "sh runs no script", path: bin },
                    { match: "curlimages/curl:*", description: "sh runs no script", path: bin },
                    { ...app, dirs },
                ],
            }),
        );
        return file;
    }

    before(async () => {
        requireControlPlane();
        requirePodRunner();
        requireSyncEngine();
        work = temporaryDir("sync-stacks");
        cluster = await startControlPlane();
        runner = await startPodRunner(cluster, { images: stubImages() });
        watch = await watchCluster(cluster);
    });
    after(async () => {
        watch?.stop();
        await runner?.stop();
        await cluster?.stop();
    });

    /** `migrate-first render` of a stack (from the sources, as the e2e suite runs them); its gitops/ objects. */
    function render(stack: string, projectDir = repo): KubeObject[] {
        const out = join(work, "render", stack);
        const run = spawnSync(
            join(repo, "node_modules", ".bin", "ts-node"),
            [
                "--transpile-only",
                "cli/main.ts",
                "render",
                "--stack",
                stack,
                "--dir",
                projectDir,
                "--out",
                out,
                "--quiet",
            ],
            { cwd: repo, encoding: "utf8" },
        );
        assert.equal(run.status, 0, `render --stack ${stack}:\n${run.stdout}${run.stderr}`);
        return objectsIn(join(out, "gitops")) as KubeObject[];
    }

    /** A preview stack as CI makes one (Pulumi.preview.yaml copied to pr-<n>, its branch set). */
    function previewProject(): string {
        const dir = join(work, "preview-project");
        mkdirSync(dir);
        writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(repo, "Pulumi.yaml")));
        const stack = parse(readFileSync(join(repo, "Pulumi.preview.yaml"), "utf8")) as {
            config: Record<string, Record<string, unknown>>;
        };
        const migration = stack.config["migrate-first:migration"];
        migration.directory = join(repo, String(migration.directory));
        stack.config["migrate-first:preview"] = { branch: "feature/sync-differential" };
        writeFileSync(join(dir, "Pulumi.pr-42.yaml"), stringify(stack));
        return dir;
    }

    /** The Secrets the pods read (secretKeyRef, not optional) that the manifests do not hold, with a placeholder for each key. */
    function missingSecrets(objects: readonly KubeObject[], namespace: string, database: string) {
        const keys = new Map<string, Set<string>>();
        const visit = (node: unknown): void => {
            if (Array.isArray(node)) return node.forEach(visit);
            if (typeof node !== "object" || node === null) return;
            const ref = (node as { secretKeyRef?: { name: string; key: string; optional?: boolean } }).secretKeyRef;
            if (ref !== undefined && ref.optional !== true)
                keys.set(ref.name, (keys.get(ref.name) ?? new Set()).add(ref.key));
            Object.values(node).forEach(visit);
        };
        objects.forEach(visit);
        const held = new Set(objects.filter((o) => o.kind === "Secret").map((o) => o.metadata?.name));
        return [...keys]
            .filter(([name]) => !held.has(name))
            .map(([name, names]) => ({
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name, namespace },
                stringData: Object.fromEntries(
                    [...names].map((k) => [k, k === "PGDATABASE" ? database : "placeholder"]),
                ),
            }));
    }

    it("dev, staging, prod and a preview stack sync in the planner's order and waits; a failing migration stops the sync where the planner says", async () => {
        const runs = [
            { name: "dev", objects: render("dev"), failing: false },
            { name: "staging", objects: render("staging"), failing: false },
            { name: "prod", objects: render("prod"), failing: false },
            { name: "pr-42", objects: render("pr-42", previewProject()), failing: false },
            { name: "dev-failing", objects: render("dev"), failing: true },
        ];
        const results = await Promise.all(
            runs.map(async (run) => {
                const namespace = `stack-${run.name}`;
                const objects = run.objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
                assert.ok(
                    objects.some((o) => o.kind === "Job") && objects.some((o) => o.kind === "Deployment"),
                    `${run.name}: the rendered manifests have no Job or no Deployment`,
                );
                await createNamespace(cluster!, namespace);
                for (const secret of missingSecrets(objects, namespace, run.failing ? "fail" : "shop"))
                    await cluster!.api.create(`/api/v1/namespaces/${namespace}/secrets`, secret);
                // The wave delay is lowered from Argo CD's 2 s: the order and the waits do not depend on it.
                const { outcome, output } = await runSync(cluster!, namespace, join(work, namespace), objects, [
                    "--wave-delay",
                    "100ms",
                    "--timeout",
                    "4m",
                ]);
                const failing = new Set(run.failing ? ["Job/shop-migrate"] : []);
                const plan = planSync(objects, { namespace });
                await watch!.caughtUp(outcome, (step) => deletedByPolicy(plan, outcome, step));
                // Before the namespace goes: its deletion deletes every object in it.
                const problems = differences(plan, failing, outcome, watch!.observed);
                await deleteNamespace(cluster!, namespace);
                return { run, plan, failing, outcome, output, problems };
            }),
        );
        assert.equal(watch!.broken(), undefined, "the API server's record is incomplete");
        for (const { run, plan, failing, outcome, output, problems } of results)
            assert.deepEqual(
                problems,
                [],
                `${run.name}:\nthe planner:\n${plannerOrder(plan, failing)}\nthe engine:\n${engineOrder(outcome)}\n${output}\n${runner!.log().slice(-3000)}`,
            );
        // The failing run reached the failure path, not a success the planner also got wrong.
        const failed = results.find((r) => r.run.failing)!;
        assert.equal(failed.outcome.phase, "Failed", engineOrder(failed.outcome));
        assert.ok(
            failed.outcome.steps.some((s) => s.syncPhase === "SyncFail" && s.hookPhase === "Succeeded"),
            engineOrder(failed.outcome),
        );
    });
});
