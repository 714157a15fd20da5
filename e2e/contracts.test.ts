import { strict as assert } from "assert";
import { copyFileSync, mkdirSync } from "fs";
import { join } from "path";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { stackConfigFor, startServer } from "./helpers/server";

// Expand/contract at preview: the program reads what the stack last shipped through a real
// StackReference to itself, and refuses a contract its expand's release has not earned.
describe("expand/contract at preview, with the real Pulumi engine", function () {
    this.timeout(600000);
    const source = join(__dirname, "..", "examples", "users-email", "migrations");
    const files = ["0001_create_users.sql", "0002_add_email_verified.sql", "0003_drop_is_email_confirmed.sql"];
    let server: E2eServer;

    /**
     * The dev stack of a project of its own (one per case: only "dev" is dev by name) ships
     * the first `count` files of users-email with `image`, into database `database`.
     */
    const release = (project: PulumiProject, database: string, image: string, count: number) => {
        const dir = join(project.dir, `release-${count}`);
        mkdirSync(dir, { recursive: true });
        files.slice(0, count).forEach((file) => copyFileSync(join(source, file), join(dir, file)));
        const config = stackConfigFor("dev", server, {
            kubernetes: { renderDirectory: join(project.home, "rendered") },
        });
        project.writeStack("dev", {
            ...config,
            app: { ...(config.app as object), image },
            database: { ...(config.database as object), name: database },
            migration: { ...(config.migration as object), directory: dir },
        });
    };

    before(async () => {
        requireEngines();
        server = await startServer("admin-e2e-contracts");
    });
    after(async () => server?.pg.stop());

    it("passes a never-updated stack's whole history, contract included", async () => {
        const project = new PulumiProject("contracts-fresh");
        release(project, "fresh", "ghcr.io/acme/shop:v1.2.0", 3);
        await project.initStack("dev", { databaseAdminPassword: server.adminPassword });
        await project.must(["preview", "--stack", "dev"]);
    });

    it("refuses a contract shipped in the same release as its expand, in the runtime ledger's words", async () => {
        const project = new PulumiProject("contracts-same-release");
        release(project, "shop_a", "ghcr.io/acme/shop:v1.1.0", 1);
        await project.initStack("dev", { databaseAdminPassword: server.adminPassword });
        await project.must(["up", "--yes", "--skip-preview", "--stack", "dev"]);
        assert.deepEqual((await project.outputs("dev")).migrationVersions, ["1"]);
        release(project, "shop_a", "ghcr.io/acme/shop:v1.2.0", 3);
        const result = await project.pulumi(["preview", "--stack", "dev"]);
        assert.notEqual(result.status, 0);
        assert.match(
            result.stdout + result.stderr,
            /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, which arrives in this same release \(ghcr\.io\/acme\/shop:v1\.2\.0\): the old version still running needs what the expand keeps/,
        );
    });

    it("refuses a contract shipped with the very image that shipped its expand, and passes it with a later one", async () => {
        const project = new PulumiProject("contracts-same-image");
        release(project, "shop_b", "ghcr.io/acme/shop:v1.2.0", 2);
        await project.initStack("dev", { databaseAdminPassword: server.adminPassword });
        await project.must(["up", "--yes", "--skip-preview", "--stack", "dev"]);
        release(project, "shop_b", "ghcr.io/acme/shop:v1.2.0", 3);
        const result = await project.pulumi(["preview", "--stack", "dev"]);
        assert.notEqual(result.status, 0);
        assert.match(
            result.stdout + result.stderr,
            /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, which this same release \(ghcr\.io\/acme\/shop:v1\.2\.0\) applied/,
        );
        release(project, "shop_b", "ghcr.io/acme/shop:v1.3.0", 3);
        await project.must(["preview", "--stack", "dev"]);
    });
});
