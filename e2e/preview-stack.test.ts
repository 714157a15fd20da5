import { strict as assert } from "assert";
import { join } from "path";
import { runScript } from "../rehearsal/scripts";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { learnPassword, stackConfigFor, startServer } from "./helpers/server";

// A pull request's preview: its own database and roles, gone from the server after destroy.
describe("a preview stack pr-<n>, with the real Pulumi engine", function () {
    this.timeout(600000);
    let server: E2eServer;
    let project: PulumiProject;
    const count = (sql: string) => server.superSql("postgres", sql);

    before(async () => {
        requireEngines();
        server = await startServer("admin-e2e-preview");
        project = new PulumiProject("preview");
        project.writeStack(
            "pr-42",
            stackConfigFor("preview", server, {
                preview: { branch: "feature/discounts" },
                kubernetes: { renderDirectory: `${project.home}/rendered` },
            }),
        );
        await project.initStack("pr-42", { databaseAdminPassword: server.adminPassword });
    });
    after(async () => server?.pg.stop());

    it("comes up with a database and roles named for the pull request", async () => {
        await project.must(["up", "--yes", "--skip-preview", "--stack", "pr-42"]);
        assert.equal(
            count("SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'shop%';"),
            "shop_pr_42",
        );
        assert.equal(
            count("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'shop%';"),
            "shop_pr_42_app,shop_pr_42_migrator",
        );
    });

    it("leaves nothing on the server after `pulumi destroy` and `pulumi stack rm`, migrations applied or not", async () => {
        const outputs = await project.outputs("pr-42", true);
        const migrator = learnPassword(server, outputs.migratorDatabaseUrl);
        const env = server.pg.env(migrator, server.passwords.get(migrator) ?? "", "shop_pr_42");
        const migrate = await runScript("migrate.sh", {
            ...env,
            APP: "shop",
            MIGRATIONS_DIR: join(project.dir, "examples", "shop", "migrations"),
        });
        assert.equal(migrate.code, 0, migrate.stderr);
        await project.must(["destroy", "--yes", "--skip-preview", "--stack", "pr-42"]);
        await project.must(["stack", "rm", "--yes", "pr-42"]);
        assert.equal(count("SELECT count(*) FROM pg_database WHERE datname LIKE 'shop%';"), "0");
        assert.equal(count("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'shop%';"), "0");
    });
});
