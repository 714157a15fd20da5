import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { runScript } from "../rehearsal/scripts";
import { checkPromotion, sameBuild } from "../stacks";
import { verifyRelease, withPostgres } from "./helpers/environments";
import { created, runProgram, stackConfig, stackRef } from "./helpers/program";
import { migrationsDir } from "./helpers/scratch";

const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe("promotion: prod runs only what staging verified", () => {
    describe("the rule", () => {
        it("matches builds by digest when both references carry one, else by the whole reference", () => {
            assert.ok(sameBuild(`ghcr.io/acme/shop:v1.2.0@${digest("a")}`, `ghcr.io/acme/shop@${digest("a")}`));
            assert.ok(!sameBuild(`ghcr.io/acme/shop@${digest("a")}`, `ghcr.io/acme/shop@${digest("b")}`));
            assert.ok(sameBuild("ghcr.io/acme/shop:v1.2.0", "ghcr.io/acme/shop:v1.2.0"));
            assert.ok(
                !sameBuild("ghcr.io/acme/shop:v1.2.0", `ghcr.io/acme/shop@${digest("a")}`),
                "a tag is not proof of a digest",
            );
        });

        it("refuses an unverified image naming both images, and lets an override through loudly", () => {
            const refused = checkPromotion("ghcr.io/acme/shop:v1.3.0", "staging", [
                "ghcr.io/acme/shop:v1.2.0",
                "ghcr.io/acme/shop:v1.1.0",
            ]);
            assert.equal(refused.kind, "refused");
            assert.match(
                refused.kind === "refused" ? refused.message : "",
                /app\.image "ghcr\.io\/acme\/shop:v1\.3\.0" has not passed staging's PostSync smoke check; the newest image staging verified is "ghcr\.io\/acme\/shop:v1\.2\.0"\. Nothing was created\./,
            );
            assert.equal(
                checkPromotion("ghcr.io/acme/shop:v1.1.0", "staging", [
                    "ghcr.io/acme/shop:v1.2.0",
                    "ghcr.io/acme/shop:v1.1.0",
                ]).kind,
                "verified",
                "a rollback to an older verified image is fine",
            );
            const none = checkPromotion("ghcr.io/acme/shop:v1.3.0", "staging", undefined);
            assert.match(none.kind === "refused" ? none.message : "", /staging has verified no image yet/);
            const override = checkPromotion(
                "ghcr.io/acme/shop:v1.3.0",
                "staging",
                [],
                "incident 4711: the fix cannot wait for staging",
            );
            assert.deepEqual(override.kind, "override");
            assert.match(
                override.kind === "override" ? override.message : "",
                /Deploying it anyway because: incident 4711/,
            );
        });
    });

    describe("the prod stack under the mock runtime", () => {
        const staging = (images: string[]) => ({ [stackRef("staging")]: { verifiedImages: images } });

        it("refuses at preview, before any resource, an image staging has not verified", async () => {
            const run = await runProgram(
                stackConfig("prod", {
                    "migrate-first:app": JSON.stringify({ name: "shop", image: "ghcr.io/acme/shop:v1.3.0" }),
                }),
                { stack: "prod", stackOutputs: staging(["ghcr.io/acme/shop:v1.2.0"]) },
            );
            assert.deepEqual(created(run.resources), []);
            assert.ok(pulumi.RunError.isInstance(run.error));
            assert.match(
                String(run.error.message),
                /"ghcr\.io\/acme\/shop:v1\.3\.0" has not passed staging's PostSync smoke check; the newest image staging verified is "ghcr\.io\/acme\/shop:v1\.2\.0"/,
            );
            assert.ok(
                run.resources.some(
                    (r) => r.type === "pulumi:pulumi:StackReference" && r.inputs.name === stackRef("staging"),
                ),
                "it read staging's outputs",
            );
        });

        it("deploys an image staging verified, and an unverified one only with a written override it exports", async () => {
            const verified = await runProgram(stackConfig("prod"), {
                stack: "prod",
                stackOutputs: staging(["ghcr.io/acme/shop:v1.2.0"]),
            });
            assert.equal(verified.error, undefined, String(verified.error));
            assert.equal(verified.outputs.promotionOverride, undefined);

            const promotion = JSON.stringify({ override: "incident 4711: the fix cannot wait for staging" });
            const forced = await runProgram(stackConfig("prod", { "migrate-first:promotion": promotion }), {
                stack: "prod",
                stackOutputs: staging([]),
            });
            assert.equal(forced.error, undefined, String(forced.error));
            assert.deepEqual(forced.outputs.promotionOverride, {
                image: "ghcr.io/acme/shop:v1.2.0",
                from: "staging",
                reason: "incident 4711: the fix cannot wait for staging",
            });
            assert.ok(created(forced.resources).length > 0);

            const lazy = await runProgram(
                stackConfig("prod", { "migrate-first:promotion": JSON.stringify({ override: "yes" }) }),
                { stack: "prod" },
            );
            assert.match(
                String(lazy.error),
                /migrate-first:promotion\.override: "yes" must give the reason in a sentence/,
            );
        });
    });

    describe("the staging stack exports what its smoke check verified, read from its database", function () {
        this.timeout(60000);
        const { environment, migrateEnv, server } = withPostgres("promo");

        it("reads migrate_first.verified_release as the migrator, newest first, and keeps the last known list when the database is unreachable", async () => {
            const db = environment();
            const dir = migrationsDir({ "0001_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n" });
            for (const release of ["ghcr.io/acme/shop:v1.1.0", "ghcr.io/acme/shop:v1.2.0"]) {
                assert.equal((await runScript("migrate.sh", migrateEnv(db, dir, { RELEASE: release }))).code, 0);
                await verifyRelease(db, dir, release);
            }
            const m = db.migrator;
            const url = `postgresql://${encodeURIComponent(m.PGUSER ?? "")}:${encodeURIComponent(m.PGPASSWORD ?? "")}@postgres.cluster.internal:5432/${m.PGDATABASE}?sslmode=disable`;
            const database = (port: number) =>
                JSON.stringify({ host: "127.0.0.1", port, sslmode: "disable", name: m.PGDATABASE });
            const last = {
                [stackRef("staging")]: { migratorDatabaseUrl: url, verifiedImages: ["ghcr.io/acme/shop:v1.0.0"] },
            };

            const run = await runProgram(
                stackConfig("staging", { "migrate-first:database": database(server().port) }),
                { stack: "staging", stackOutputs: last },
            );
            assert.equal(run.error, undefined, String(run.error));
            assert.deepEqual(run.outputs.verifiedImages, ["ghcr.io/acme/shop:v1.2.0", "ghcr.io/acme/shop:v1.1.0"]);

            const down = await runProgram(stackConfig("staging", { "migrate-first:database": database(1) }), {
                stack: "staging",
                stackOutputs: last,
            });
            assert.equal(down.error, undefined, String(down.error));
            assert.deepEqual(down.outputs.verifiedImages, ["ghcr.io/acme/shop:v1.0.0"]);
        });

        it("has verified nothing on a database without the history tables, and before its first update", async () => {
            const db = environment();
            const m = db.migrator;
            const url = `postgresql://${encodeURIComponent(m.PGUSER ?? "")}:${encodeURIComponent(m.PGPASSWORD ?? "")}@x:5432/${m.PGDATABASE}`;
            const database = JSON.stringify({
                host: "127.0.0.1",
                port: server().port,
                sslmode: "disable",
                name: m.PGDATABASE,
            });
            const fresh = await runProgram(stackConfig("staging", { "migrate-first:database": database }), {
                stack: "staging",
                stackOutputs: { [stackRef("staging")]: { migratorDatabaseUrl: url } },
            });
            assert.deepEqual(fresh.outputs.verifiedImages, []);
            const first = await runProgram(stackConfig("staging"), { stack: "staging" });
            assert.deepEqual(first.outputs.verifiedImages, []);
        });
    });
});
