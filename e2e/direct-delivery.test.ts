import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { cpSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import { releaseImages } from "../rehearsal/cluster/images";
import type { PodRunner } from "../rehearsal/cluster/pod-runner";
import { poll, requirePodRunner, startPodRunner } from "../rehearsal/cluster/pod-runner";
import { temporaryDir } from "../rehearsal/postgres";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { stackConfigFor, startServer } from "./helpers/server";

const examples = resolve(__dirname, "..", "examples", "shop", "migrations");
const good = "ghcr.io/acme/shop:v1.2.0";
const broken = "ghcr.io/acme/shop:v1.3.0";
const fixed = "ghcr.io/acme/shop:v1.3.1";

interface Condition {
    type: string;
    status: string;
    reason?: string;
}

interface Job {
    metadata: { uid: string };
    spec: { template: { spec: { initContainers?: { name: string; image: string }[] } } };
    status?: { completionTime?: string; conditions?: Condition[] };
}

interface Deployment {
    metadata: { generation: number; creationTimestamp: string };
    spec: { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } };
    status?: { availableReplicas?: number; updatedReplicas?: number; observedGeneration?: number };
}

// Delivery "direct": no Argo CD. `pulumi up` applies the workload in sync-plan order through the
// real kubernetes provider, whose Job awaiter stands between the migration and the Deployment.
// Pods run as local processes on the pod runner's node and reach the embedded Postgres on
// 127.0.0.1; NetworkPolicies are stored but not enforced (no CNI).
describe("delivery direct: `pulumi up` runs the migration Job to completion before it touches the Deployment", function () {
    this.timeout(900000);
    const adminPassword = `direct-admin-${randomBytes(6).toString("hex")}`;
    let server: E2eServer;
    let cluster: ControlPlane;
    let runner: PodRunner;
    let project: PulumiProject;
    let brokenDir: string;
    let fixedDir: string;
    let release1: { deployment: Deployment; job: Job };

    const api = () => cluster.api;
    const job = (name: string) => api().get<Job>(`/apis/batch/v1/namespaces/shop/jobs/${name}`);
    const deployment = () => api().get<Deployment>("/apis/apps/v1/namespaces/shop/deployments/shop");
    const history = () =>
        server
            .superSql(
                "shop",
                "SELECT version || ' ' || name || ' ' || release FROM migrate_first.schema_history ORDER BY version;",
            )
            .split("\n")
            .filter((line) => line !== "");
    /** The failures migrate.sh recorded in the database for release v1.3.0 (one per run). */
    const failures = () =>
        server.superSql(
            "shop",
            `SELECT count(*) || ' ' || coalesce(bool_and(hook = 'PreSync migrate' AND detail LIKE '%no_such_table%'), false) FROM migrate_first.failure WHERE release = '${broken}';`,
        );
    const diagnose = () => `\npod runner log tail:\n${runner.log().split("\n").slice(-40).join("\n")}`;
    /** The stack's config for one release: the dev stack, delivery direct, pods pointed at the embedded Postgres. */
    const release = (image: string, migrations: string) => {
        const dev = stackConfigFor("dev", server);
        return stackConfigFor("dev", server, {
            delivery: "direct",
            database: { clusterHost: "127.0.0.1" },
            app: { ...(dev.app as object), image },
            migration: { ...(dev.migration as object), directory: migrations },
        });
    };
    const up = () => project.pulumi(["up", "--yes", "--skip-preview", "--stack", "dev"]);

    before(async () => {
        requireEngines();
        requireControlPlane();
        requirePodRunner();
        const work = temporaryDir("direct-delivery");
        // Release v1.3.0 ships a file that fails at run time (the linter cannot know the table is
        // missing); v1.3.1 replaces it with one that works.
        brokenDir = join(work, "migrations-v1.3.0");
        cpSync(examples, brokenDir, { recursive: true });
        writeFileSync(
            join(brokenDir, "0004_add_customer_note.sql"),
            "-- Broken on purpose: the table it alters does not exist.\nALTER TABLE app.no_such_table ADD COLUMN note text;\n",
        );
        fixedDir = join(work, "migrations-v1.3.1");
        cpSync(examples, fixedDir, { recursive: true });
        writeFileSync(
            join(fixedDir, "0004_add_customer_note.sql"),
            "ALTER TABLE app.customers ADD COLUMN note text;\n",
        );
        server = await startServer(adminPassword);
        cluster = await startControlPlane();
        const images = join(work, "images.yaml");
        writeFileSync(
            images,
            releaseImages(good, "/app/migrations", [
                { image: broken, migrationsDir: brokenDir },
                { image: fixed, migrationsDir: fixedDir },
            ]),
        );
        runner = await startPodRunner(cluster, { images });
        project = new PulumiProject("direct-delivery");
        project.env.KUBECONFIG = cluster.kubeconfig;
        project.writeStack("dev", release(good, examples));
        await project.initStack("dev", { databaseAdminPassword: adminPassword });
    });
    after(async () => {
        await runner?.stop();
        await cluster?.stop();
        await server?.pg.stop();
    });

    it("release v1.2.0: the Job migrates the embedded Postgres, then the Deployment becomes available, then the smoke Job verifies it", async () => {
        const result = await up();
        assert.equal(result.status, 0, `pulumi up failed:\n${result.stdout}\n${result.stderr}${diagnose()}`);
        assert.deepEqual(history(), [
            `1 0001_create_customers.sql ${good}`,
            `2 0002_create_orders.sql ${good}`,
            `3 0003_index_orders_by_customer.sql ${good}`,
        ]);
        const migrate = await job("shop-migrate");
        assert.ok(
            migrate.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True"),
            JSON.stringify(migrate.status),
        );
        const app = await deployment();
        assert.equal(app.spec.template.spec.containers[0]?.image, good);
        assert.equal(app.status?.availableReplicas, app.spec.replicas);
        // Applied only once the Job had completed: the provider's awaiter held the Deployment back.
        assert.ok(
            migrate.status?.completionTime !== undefined &&
                Date.parse(migrate.status.completionTime) <= Date.parse(app.metadata.creationTimestamp),
            `the Job completed at ${migrate.status?.completionTime}, the Deployment was created at ${app.metadata.creationTimestamp}`,
        );
        const smoke = await job("shop-smoke");
        assert.ok(
            smoke.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True"),
            JSON.stringify(smoke.status),
        );
        assert.equal(
            server.superSql("shop", "SELECT string_agg(DISTINCT release, ',') FROM migrate_first.verified_release;"),
            good,
        );
        release1 = { deployment: app, job: migrate };
    });

    it("release v1.3.0, whose migration fails: `pulumi up` fails on the Job with the awaiter's message, and the Deployment keeps v1.2.0 and its generation", async () => {
        project.writeStack("dev", release(broken, brokenDir));
        const result = await up();
        const out = `${result.stdout}\n${result.stderr}`;
        assert.notEqual(result.status, 0, `pulumi up succeeded with a failing migration:\n${out}`);
        assert.match(out, /Resource 'shop-migrate' was created but failed to initialize/);
        assert.match(out, /\[BackoffLimitExceeded\] Job has reached the specified backoff limit/);
        // A new Job (the template changed: the provider replaced it) that ran the new image and failed.
        const migrate = await job("shop-migrate");
        assert.notEqual(migrate.metadata.uid, release1.job.metadata.uid);
        assert.equal(
            migrate.spec.template.spec.initContainers?.find((c) => c.name === "copy-migrations")?.image,
            broken,
            "the Job's copy of the migrations comes from the new image",
        );
        assert.ok(
            migrate.status?.conditions?.some((c) => c.type === "Failed" && c.reason === "BackoffLimitExceeded"),
            JSON.stringify(migrate.status),
        );
        assert.equal(failures(), "1 true", "migrate.sh recorded its failure");
        await assertUntouched();
    });

    it("a re-run of the failing release runs the migration again (a new Job) and still never touches the Deployment", async () => {
        const before = await job("shop-migrate");
        const result = await up();
        const out = `${result.stdout}\n${result.stderr}`;
        assert.notEqual(result.status, 0, `pulumi up succeeded with a failing migration:\n${out}`);
        assert.match(out, /\[BackoffLimitExceeded\] Job has reached the specified backoff limit/);
        const again = await job("shop-migrate");
        assert.notEqual(again.metadata.uid, before.metadata.uid, "the failed Job was not run again");
        assert.equal(failures(), "2 true", "the migration ran a second time against the database");
        await assertUntouched();
    });

    it("release v1.3.1 fixes the migration: the Job applies it, then the Deployment rolls out v1.3.1", async () => {
        project.writeStack("dev", release(fixed, fixedDir));
        const result = await up();
        assert.equal(result.status, 0, `pulumi up failed:\n${result.stdout}\n${result.stderr}${diagnose()}`);
        assert.deepEqual(history().slice(3), [`4 0004_add_customer_note.sql ${fixed}`]);
        const app = await deployment();
        assert.equal(app.spec.template.spec.containers[0]?.image, fixed);
        assert.ok(app.metadata.generation > release1.deployment.metadata.generation);
        await poll("the Deployment's v1.3.1 pods available", 120, async () => {
            const now = await deployment();
            return now.status?.observedGeneration === now.metadata.generation &&
                now.status.updatedReplicas === now.spec.replicas &&
                now.status.availableReplicas === now.spec.replicas
                ? true
                : undefined;
        });
    });

    it("a re-run of the released v1.3.1 changes nothing: the completed Job is kept, not run again", async () => {
        const before = await job("shop-migrate");
        await project.must(["up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", "dev"]);
        assert.equal((await job("shop-migrate")).metadata.uid, before.metadata.uid);
        assert.equal(history().length, 4);
    });

    /** The Deployment as release v1.2.0 left it, and the failed file's work rolled back. */
    async function assertUntouched(): Promise<void> {
        const app = await deployment();
        assert.equal(app.spec.template.spec.containers[0]?.image, good);
        assert.equal(app.metadata.generation, release1.deployment.metadata.generation);
        assert.equal(app.status?.availableReplicas, app.spec.replicas, "the old pods are still available");
        assert.equal(history().length, 3, "the failed file is in the history");
        assert.equal(server.superSql("shop", "SELECT to_regclass('app.no_such_table') IS NULL;"), "t");
    }
});
