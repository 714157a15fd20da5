import { strict as assert } from "assert";
import { join } from "path";
import { startStandInApp } from "../rehearsal/stand-in-app";
import { runScript } from "../rehearsal/scripts";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { learnPassword, stackConfigFor, startServer } from "./helpers/server";

// Staging and prod in one file backend, on one server: prod reads what staging's smoke check
// verified through a real StackReference, and prod's database outlives `pulumi destroy`.
describe("promotion from staging to prod, with the real Pulumi engine", function () {
    this.timeout(600000);
    const verified = "ghcr.io/acme/shop:v1.2.0";
    const unverified = "ghcr.io/acme/shop:v1.3.0";
    let server: E2eServer;
    let project: PulumiProject;

    const stackConfig = (stack: "staging" | "prod", extra: Record<string, unknown> = {}): Record<string, unknown> => {
        return stackConfigFor(stack, server, {
            kubernetes: { renderDirectory: join(project.home, `rendered-${stack}`) },
            database: { name: `shop_${stack}`, sslmode: "disable" },
            ...extra,
        });
    };
    const withImage = (stack: "staging" | "prod", image: string, extra: Record<string, unknown> = {}) => {
        const config = stackConfig(stack, extra);
        return { ...config, app: { ...(config.app as object), image } };
    };
    const databases = () =>
        server.superSql(
            "postgres",
            "SELECT coalesce(string_agg(datname, ',' ORDER BY datname), '') FROM pg_database WHERE datname LIKE 'shop%';",
        );

    before(async () => {
        requireEngines();
        server = await startServer("admin-e2e-promotion");
        project = new PulumiProject("promotion");
        for (const stack of ["staging", "prod"] as const) {
            project.writeStack(stack, stackConfig(stack));
            await project.initStack(stack, { databaseAdminPassword: server.adminPassword });
        }
    });
    after(async () => server?.pg.stop());

    it("refuses on prod an image staging has not verified, before creating anything", async () => {
        const result = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "prod"]);
        assert.notEqual(result.status, 0);
        assert.match(
            result.stdout + result.stderr,
            /app\.image "ghcr\.io\/acme\/shop:v1\.2\.0" has not passed staging's PostSync smoke check; staging has verified no image yet\. Nothing was created/,
        );
        assert.equal(databases(), "");
    });

    it("exports from staging the image its real smoke check verified", async () => {
        await project.must(["up", "--yes", "--skip-preview", "--stack", "staging"]);
        const outputs = await project.outputs("staging", true);
        const migrator = learnPassword(server, outputs.migratorDatabaseUrl);
        const appRole = learnPassword(server, outputs.appDatabaseUrl);
        const env = (role: string) => server.pg.env(role, server.passwords.get(role) ?? "", "shop_staging");
        const migrations = join(project.dir, "examples", "shop", "migrations");
        const migrate = await runScript("migrate.sh", {
            ...env(migrator),
            APP: "shop",
            MIGRATIONS_DIR: migrations,
            RELEASE: verified,
            APP_ROLE: appRole,
        });
        assert.equal(migrate.code, 0, migrate.stderr);
        const app = await startStandInApp("/health");
        try {
            const smoke = await runScript("smoke-check.sh", {
                ...env(appRole),
                HEALTH_URL: app.healthUrl,
                MIGRATIONS_DIR: migrations,
                RELEASE: verified,
            });
            assert.equal(smoke.code, 0, smoke.stderr);
        } finally {
            await app.close();
        }
        await project.must(["up", "--yes", "--skip-preview", "--stack", "staging"]);
        assert.deepEqual((await project.outputs("staging")).verifiedImages, [verified]);
    });

    it("accepts on prod the image staging verified", async () => {
        await project.must(["up", "--yes", "--skip-preview", "--stack", "prod"]);
        assert.equal(databases(), "shop_prod,shop_staging");
    });

    it("refuses on prod another image, and lets it through with an override that is logged and exported", async () => {
        project.writeStack("prod", withImage("prod", unverified));
        const refused = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "prod"]);
        assert.notEqual(refused.status, 0);
        assert.match(
            refused.stdout + refused.stderr,
            /app\.image "ghcr\.io\/acme\/shop:v1\.3\.0" has not passed staging's PostSync smoke check; the newest image staging verified is "ghcr\.io\/acme\/shop:v1\.2\.0"/,
        );
        const reason = "hotfix for incident 4711, verified by hand";
        project.writeStack("prod", withImage("prod", unverified, { promotion: { override: reason } }));
        const out = await project.must(["up", "--yes", "--skip-preview", "--stack", "prod"]);
        assert.match(
            out,
            /warning: promotion override: app\.image "ghcr\.io\/acme\/shop:v1\.3\.0" has not passed staging's PostSync smoke check/,
        );
        assert.deepEqual((await project.outputs("prod")).promotionOverride, {
            image: unverified,
            from: "staging",
            reason,
        });
    });

    it("keeps prod's protected database: destroy is refused, and after unprotect it is left on the server", async () => {
        const refused = await project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", "prod"]);
        assert.notEqual(refused.status, 0);
        assert.match(refused.stdout + refused.stderr, /protected/);
        assert.equal(databases(), "shop_prod,shop_staging");
        await project.must(["state", "unprotect", "--all", "--yes", "--stack", "prod"]);
        await project.must(["destroy", "--yes", "--skip-preview", "--stack", "prod"]);
        assert.equal(databases(), "shop_prod,shop_staging");
        assert.equal(
            server.superSql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'shop_prod%';"),
            "2",
        );
    });
});
