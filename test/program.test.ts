import { strict as assert } from "assert";
import { one, ofType, reveal } from "./helpers/pulumi-mocks";
import { created, runProgram, stackConfig, stackRef } from "./helpers/program";
import { migrationsDir } from "./helpers/scratch";
import * as pulumi from "@pulumi/pulumi";

const devConfig = (extra: Record<string, string> = {}) => stackConfig("dev", extra);
const self = stackRef("dev");

/** The dev stack's config with its migrations taken from `directory`. */
function devWithMigrations(directory: string): Record<string, string> {
    const config = devConfig();
    const migration = JSON.parse(config["migrate-first:migration"]) as Record<string, unknown>;
    return { ...config, "migrate-first:migration": JSON.stringify({ ...migration, directory }) };
}

describe("the Pulumi program (index.ts) on the dev stack's config", () => {
    it("builds the dev environment from Pulumi.dev.yaml with the dev preset, and exports the sync plan", async () => {
        const { resources, outputs, error } = await runProgram(devConfig());
        assert.equal(error, undefined);
        assert.equal(ofType(resources, "migrate-first:env:AppEnvironment").length, 1);
        assert.equal(outputs.image, "ghcr.io/acme/shop:v1.2.0");
        assert.deepEqual(
            outputs.migrationVersions,
            ["1", "2", "3"],
            "the release's migrations, for the next update's check",
        );
        const plan = outputs.syncPlan as { step: number; phase: string; kind: string; name: string }[];
        assert.deepEqual(
            plan.map((r) => `${r.step} ${r.phase} ${r.kind}`),
            [
                "1 PreSync ConfigMap",
                "1 PreSync Job",
                "2 Sync Service",
                "2 Sync Deployment",
                "3 PostSync Job",
                "4 SyncFail Job",
            ],
        );
        const url = await reveal(outputs.appDatabaseUrl as pulumi.Output<string>);
        assert.equal(url.secret, true, "the exported URL is secret");
        assert.match(
            url.value,
            /@postgres\.databases\.svc\.cluster\.local:5432\/shop\?sslmode=disable$/,
            "pods get the cluster host",
        );
    });

    it("fails before creating anything when the config is bad, naming the config keys", async () => {
        const config = devConfig({
            "migrate-first:app": JSON.stringify({ name: "shop", image: "myapp/api" }),
            "migrate-first:delivery": "flux",
        });
        const { resources, error } = await runProgram(config);
        assert.deepEqual(resources, []);
        assert.ok(pulumi.RunError.isInstance(error), "a RunError: Pulumi shows the message without a stack trace");
        assert.match(String(error.message), /migrate-first:app\.image: "myapp\/api" has no tag or digest/);
        assert.match(String(error.message), /migrate-first:delivery: "flux" is not allowed/);
    });

    it("refuses an admin password stored in plain text", async () => {
        const { resources, error } = await runProgram(devConfig(), { secretKeys: [] });
        assert.deepEqual(resources, []);
        assert.match(
            String(error),
            /migrate-first:databaseAdminPassword: is stored in plain text; set it with: pulumi config set --secret databaseAdminPassword <value>/,
        );
        assert.ok(!String(error).includes("program-canary-pw"));
    });

    describe("checks the release's migrations at preview, before any resource", () => {
        const usersEmail = "examples/users-email/migrations";
        const shipped = (image: string, versions: string[]) => ({ [self]: { image, migrationVersions: versions } });

        it("fails on a lint error, naming the file, line and rule, and creates nothing", async () => {
            const dir = migrationsDir({
                "0001_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
                "0002_drop.sql": "ALTER TABLE users DROP COLUMN email;\n",
            });
            const { resources, error } = await runProgram(devWithMigrations(dir));
            assert.deepEqual(created(resources), []);
            assert.ok(pulumi.RunError.isInstance(error));
            assert.match(
                String(error.message),
                /1 problem\(s\) in the migrations at .*; nothing was created:\n {2}0002_drop\.sql:1:1 ban-drop-column error: DROP COLUMN email from users/,
            );
        });

        it("fails when a contract arrives in the same release as its expand, in the runtime ledger's words", async () => {
            const { resources, error } = await runProgram(devWithMigrations(usersEmail), {
                stackOutputs: shipped("ghcr.io/acme/shop:v1.1.0", ["1"]),
            });
            assert.deepEqual(created(resources), []);
            assert.equal(
                ofType(resources, "pulumi:pulumi:StackReference")[0]?.inputs.name,
                self,
                "it reads its own last outputs",
            );
            assert.match(
                String((error as Error).message),
                /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, which arrives in this same release \(ghcr\.io\/acme\/shop:v1\.2\.0\): the old version still running needs what the expand keeps — deploy a release with 0002_add_email_verified\.sql alone, let its PostSync smoke check verify it, then ship 0003_drop_is_email_confirmed\.sql in a later release/,
            );
        });

        it("fails when the contract comes with the very image that shipped its expand", async () => {
            const { error } = await runProgram(devWithMigrations(usersEmail), {
                stackOutputs: shipped("ghcr.io/acme/shop:v1.2.0", ["1", "2"]),
            });
            assert.match(
                String((error as Error).message),
                /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, which this same release \(ghcr\.io\/acme\/shop:v1\.2\.0\) applied/,
            );
        });

        it("passes a contract whose expand an earlier release shipped, and a new stack's whole history", async () => {
            const later = await runProgram(devWithMigrations(usersEmail), {
                stackOutputs: shipped("ghcr.io/acme/shop:v1.1.0", ["1", "2"]),
            });
            assert.equal(later.error, undefined);
            assert.deepEqual(later.outputs.migrationVersions, ["1", "2", "3"]);
            const first = await runProgram(devWithMigrations(usersEmail));
            assert.equal(first.error, undefined, "a new stack means a new database: no earlier release runs on it");
            assert.equal(ofType(first.resources, "migrate-first:env:AppEnvironment").length, 1);
        });
    });

    describe("on the other stacks", () => {
        const stateful = [
            "postgresql:index/database:Database",
            "postgresql:index/role:Role",
            "postgresql:index/schema:Schema",
        ];

        it("protects and retains prod's database, schema and roles; dev's are neither", async () => {
            const prod = await runProgram(stackConfig("prod"), {
                stack: "prod",
                stackOutputs: { [stackRef("staging")]: { verifiedImages: ["ghcr.io/acme/shop:v1.2.0"] } },
            });
            assert.equal(prod.error, undefined, String(prod.error));
            const held = prod.resources.filter((r) => stateful.includes(r.type));
            assert.equal(held.length, 4, "database, schema, migrator and app roles");
            for (const r of held)
                assert.deepEqual([r.name, r.options.protect, r.options.retainOnDelete], [r.name, true, true]);
            assert.ok(
                prod.resources
                    .filter((r) => r.type === "postgresql:index/grant:Grant")
                    .every((r) => !r.options.protect),
            );
            const dev = await runProgram(devConfig());
            assert.ok(
                dev.resources
                    .filter((r) => stateful.includes(r.type))
                    .every((r) => !r.options.protect && !r.options.retainOnDelete),
            );
            const dropCascade = (run: typeof dev) =>
                one(run.resources, "postgresql:index/schema:Schema").inputs.dropCascade;
            assert.deepEqual(
                [dropCascade(dev), dropCascade(prod)],
                [true, false],
                "an unprotected schema goes with the tables migrations made",
            );
        });

        it("builds a pull request's preview from the preview template: its own namespace, database and Application", async () => {
            const config = stackConfig("preview", {
                "migrate-first:preview": JSON.stringify({ branch: "feature/email", commit: "3f2c1ab9" }),
            });
            const { resources, outputs, error } = await runProgram(config, { stack: "pr-42" });
            assert.equal(error, undefined, String(error));
            assert.equal(
                (one(resources, "kubernetes:core/v1:Namespace").inputs.metadata as { name: string }).name,
                "shop-pr-42",
            );
            assert.equal(one(resources, "postgresql:index/database:Database").inputs.name, "shop_pr_42");
            const app = one(resources, "kubernetes:argoproj.io/v1alpha1:Application").inputs as {
                metadata: { name: string; labels: Record<string, string>; finalizers: string[] };
                spec: { source: { targetRevision: string } };
            };
            assert.equal(app.metadata.name, "shop-pr-42");
            assert.equal(app.metadata.labels["migrate-first.dev/pr"], "42");
            assert.match(app.metadata.labels["migrate-first.dev/expires-at"] ?? "", /^[0-9]{8}T[0-9]{6}Z$/);
            assert.deepEqual(app.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
            assert.equal(app.spec.source.targetRevision, "3f2c1ab9");
            assert.equal(outputs.image, "ghcr.io/acme/shop:v1.2.0");
        });
    });
});
