import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { join } from "path";
import { privilegeFacts } from "../test/helpers/privilege-facts";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { learnPassword, stackConfigFor, startServer } from "./helpers/server";
import type { KubeObject } from "./helpers/rendered";
import { objectKey, objectsIn, textOfTree, withoutProviderFields } from "./helpers/rendered";

// The dev stack (delivery argocd) through the real CLI, language host and providers: the
// postgresql provider creates the database, roles and grants on a real Postgres; the
// kubernetes provider renders the stack's objects to a directory (kubernetes.renderDirectory).
describe("the dev stack, with the real Pulumi engine", function () {
    this.timeout(600000);
    const adminPassword = `canary-admin-${randomBytes(6).toString("hex")}`;
    const webhook = `https://hooks.example.com/services/canary-${randomBytes(6).toString("hex")}`;
    let server: E2eServer;
    let project: PulumiProject;
    let rendered: string;

    before(async () => {
        requireEngines();
        server = await startServer(adminPassword);
        project = new PulumiProject("dev");
        rendered = join(project.home, "rendered");
        project.writeStack("dev", stackConfigFor("dev", server, { kubernetes: { renderDirectory: rendered } }));
        await project.initStack("dev", { databaseAdminPassword: adminPassword, alertWebhookUrl: webhook });
    });
    after(async () => server?.pg.stop());

    it("previews the whole environment and creates nothing", async () => {
        const out = await project.must(["preview", "--stack", "dev", "--diff"]);
        for (const type of [
            "postgresql:index/database:Database",
            "postgresql:index/role:Role",
            "postgresql:index/grant:Grant",
            "postgresql:index/defaultPrivileges:DefaultPrivileges",
            "random:index/randomPassword:RandomPassword",
            "kubernetes:argoproj.io/v1alpha1:Application",
        ]) {
            assert.match(
                out,
                new RegExp(`\\+ ${type.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`),
                `preview shows no ${type} to create`,
            );
        }
        assert.equal(server.superSql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'shop';"), "0");
        assert.doesNotMatch(out, /Undefined value/, "an output without a value makes the engine warn at every preview");
    });

    it("creates the database, both roles, the schema, grants and default privileges on `pulumi up`", async () => {
        await project.must(["up", "--yes", "--skip-preview", "--stack", "dev"]);
        const outputs = await project.outputs("dev", true);
        learnPassword(server, outputs.migratorDatabaseUrl);
        learnPassword(server, outputs.appDatabaseUrl);
        assert.equal(outputs.database, "shop");
        assert.equal(
            server.superSql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop';"),
            "platform_admin",
        );
        assert.equal(
            server.superSql("shop", "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'app';"),
            "shop_migrator",
        );
        assert.equal(
            server.superSql(
                "postgres",
                "SELECT string_agg(rolname || ':' || rolcanlogin || rolsuper || rolcreaterole || rolcreatedb, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'shop%';",
            ),
            "shop_app:truefalsefalsefalse,shop_migrator:truefalsefalsefalse",
        );
    });

    describe("least privilege, as each role created by the provider", () => {
        for (const fact of privilegeFacts({
            database: "shop",
            schema: "app",
            migrator: "shop_migrator",
            app: "shop_app",
        })) {
            it(fact.title, () => fact.check(server.sql));
        }
    });

    it("changes nothing on a second `pulumi up`", async () => {
        await project.must(["up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", "dev"]);
    });

    it("renders the Application and NetworkPolicies exactly as `npm run render` writes them", () => {
        const out = join(project.home, "render-cli");
        const render = project.tool("render", ["--stack", "dev", "--out", out, "--quiet"]);
        assert.equal(render.status, 0, render.stderr);
        const fromCli = new Map(objectsIn(out).map((o) => [objectKey(o), o]));
        const fromProvider = objectsIn(join(rendered, "1-manifest"));
        const compared = fromProvider.filter((o) => o.kind === "Application" || o.kind === "NetworkPolicy");
        assert.ok(
            compared.some((o) => o.kind === "Application"),
            "the provider rendered no Application",
        );
        assert.equal(
            compared.filter((o) => o.kind === "NetworkPolicy").length,
            [...fromCli.values()].filter((o) => o.kind === "NetworkPolicy").length,
        );
        for (const object of compared) {
            const twin = fromCli.get(objectKey(object));
            assert.ok(twin !== undefined, `${objectKey(object)} is rendered by the provider but not by npm run render`);
            assert.deepEqual(withoutProviderFields(object), twin, objectKey(object));
        }
    });

    describe("secrets, for real", () => {
        const canaries = () => [
            adminPassword,
            webhook,
            ...[...server.passwords].filter(([role]) => role.startsWith("shop_")).map(([, password]) => password),
        ];

        it("keeps the admin password, the webhook and the role passwords out of the state and the plain outputs", async () => {
            const exported = await project.must(["stack", "export", "--stack", "dev"]);
            const plain = await project.must(["stack", "output", "--json", "--stack", "dev"]);
            const files = textOfTree(join(project.home, "state"));
            assert.equal(canaries().length, 4);
            for (const canary of canaries()) {
                for (const [where, text] of [
                    ["stack export", exported],
                    ["stack output", plain],
                    ["the backend's files", files],
                ] as const) {
                    assert.ok(!text.includes(canary), `a secret is in ${where} in plain text`);
                }
            }
        });

        it("keeps them out of everything the engine printed, but for `stack output --show-secrets`", () => {
            const printed = project.log.filter((entry) => !entry.includes("--show-secrets")).join("\n");
            for (const canary of canaries()) assert.ok(!printed.includes(canary), "a secret was printed");
        });

        it("writes the admin password nowhere in the rendered directory, and the others only into Secret objects", () => {
            // The provider writes a Secret's stringData as base64 data: look for both forms.
            const forms = (value: string) => [value, Buffer.from(value).toString("base64")];
            const decoded = (o: KubeObject) =>
                Object.values((o.data ?? {}) as Record<string, string>).map((v) => Buffer.from(v, "base64").toString());
            const objects = objectsIn(join(rendered, "1-manifest"));
            const secrets = objects
                .filter((o) => o.kind === "Secret")
                .flatMap((o) => [JSON.stringify(o), ...decoded(o)])
                .join("\n");
            const others = objects
                .filter((o) => o.kind !== "Secret")
                .map((o) => JSON.stringify(o))
                .join("\n");
            assert.ok(
                forms(adminPassword).every((form) => !`${secrets}${others}`.includes(form)),
                "the admin password was rendered",
            );
            for (const canary of canaries().slice(1)) {
                assert.ok(secrets.includes(canary), "a Secret object lacks its value");
                assert.ok(
                    forms(canary).every((form) => !others.includes(form)),
                    "a secret was rendered outside a Secret object",
                );
            }
        });
    });
});
