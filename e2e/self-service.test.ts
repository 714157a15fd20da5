import { strict as assert } from "assert";
import { cpSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { platformAdmin, startServer } from "./helpers/server";

// A platform stack building one environment per request file, all or nothing, for real.
describe("platform self-service, with the real Pulumi engine", function () {
    this.timeout(600000);
    let server: E2eServer;
    let project: PulumiProject;
    let requests: string;
    const databases = () =>
        server.superSql(
            "postgres",
            "SELECT coalesce(string_agg(datname, ',' ORDER BY datname), '') FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1');",
        );

    before(async () => {
        requireEngines();
        server = await startServer("admin-e2e-self-service");
        project = new PulumiProject("self-service");
        requests = join(project.dir, "e2e-requests");
        cpSync(join(project.dir, "environments"), requests, { recursive: true });
        writeFileSync(
            join(requests, "payments-ledger.yaml"),
            'app: ledger\nteam: payments\nimage: ghcr.io/acme/ledger:v1.0.0\nmigration:\n  mode: command\n  command: ["./ledger", "migrate"]\n',
        );
        project.writeStack("platform", {
            selfService: {
                directory: "e2e-requests",
                tier: "dev",
                registries: ["ghcr.io/acme/"],
                teams: ["payments", "search"],
                database: {
                    host: "127.0.0.1",
                    port: server.pg.port,
                    adminUser: platformAdmin,
                    clusterHost: "postgres.databases.svc.cluster.local",
                    sslmode: "disable",
                },
                argocd: { repoURL: "https://github.com/acme/gitops.git", targetRevision: "main" },
                kubernetes: { renderDirectory: join(project.home, "rendered") },
            },
        });
        await project.initStack("platform", { databaseAdminPassword: server.adminPassword });
    });
    after(async () => server?.pg.stop());

    it("creates nothing at all when one request file is bad", async () => {
        writeFileSync(
            join(requests, "growth-experiments.yaml"),
            "app: experiments\nteam: growth\nimage: ghcr.io/acme/experiments:v1.0.0\n",
        );
        const result = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "platform"]);
        assert.notEqual(result.status, 0);
        assert.match(result.stdout + result.stderr, /growth-experiments\.yaml/);
        assert.equal(databases(), "");
        rmSync(join(requests, "growth-experiments.yaml"));
    });

    it("brings up three environments from three request files", async () => {
        await project.must(["up", "--yes", "--skip-preview", "--stack", "platform"]);
        assert.equal(databases(), "payments_checkout,payments_ledger,search_indexer");
        const outputs = await project.outputs("platform");
        assert.equal(outputs.environmentCount, 3);
        await project.must(["preview", "--expect-no-changes", "--stack", "platform"]);
    });
});
