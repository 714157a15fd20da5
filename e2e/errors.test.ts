import { strict as assert } from "assert";
import { join } from "path";
import { freePort } from "../rehearsal/postgres";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { stackConfigFor, startServer } from "./helpers/server";

/** The resources a stack's state holds, by type, the stack itself and providers left out. */
async function createdTypes(project: PulumiProject, stack: string): Promise<string[]> {
    const state = JSON.parse(await project.must(["stack", "export", "--stack", stack])) as {
        deployment?: { resources?: { type: string }[] };
    };
    return (state.deployment?.resources ?? [])
        .map((r) => r.type)
        .filter((type) => type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:"));
}

// The mistakes a new user meets first, through the real CLI.
describe("errors from the real Pulumi engine", function () {
    this.timeout(600000);
    let server: E2eServer;
    let project: PulumiProject;

    before(async () => {
        requireEngines();
        server = await startServer("admin-e2e-errors");
        project = new PulumiProject("errors");
    });
    after(async () => server?.pg.stop());

    it("stops a bad spec with the project's one error, and creates nothing", async () => {
        const config = stackConfigFor("dev", server);
        project.writeStack("dev", { ...config, app: { ...(config.app as object), image: "acme/shop" } });
        await project.initStack("dev", { databaseAdminPassword: server.adminPassword });
        for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
            const result = await project.pulumi([...command, "--stack", "dev"]);
            assert.notEqual(result.status, 0);
            const out = result.stdout + result.stderr;
            assert.match(out, /the spec for stack "dev" has 1 problem; nothing was created/);
            assert.match(out, /migrate-first:app\.image: "acme\/shop" has no tag or digest; pin it/);
            assert.doesNotMatch(out, /at .*\.ts:\d+/, "a stack trace was printed");
        }
        assert.deepEqual(await createdTypes(project, "dev"), []);
        assert.equal(server.superSql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'shop%';"), "0");
    });

    it("names the database host it cannot reach", async () => {
        const port = await freePort();
        const unreachable = new PulumiProject("errors-unreachable");
        const config = stackConfigFor("dev", server, {
            kubernetes: { renderDirectory: join(unreachable.home, "rendered") },
        });
        unreachable.writeStack("dev", { ...config, database: { ...(config.database as object), port } });
        await unreachable.initStack("dev", { databaseAdminPassword: server.adminPassword });
        const result = await unreachable.pulumi(["up", "--yes", "--skip-preview", "--stack", "dev"]);
        assert.notEqual(result.status, 0);
        assert.match(result.stdout + result.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
    });
});
