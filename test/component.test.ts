import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { join } from "path";
import * as pulumi from "@pulumi/pulumi";
import { AppEnvironment } from "../components";
import type { EnvironmentSpecInput } from "../environment-schema";
import { specInput } from "./helpers/specs";
import type { Registered } from "./helpers/pulumi-mocks";
import { ofType, one, registered, reveal, secretInput } from "./helpers/pulumi-mocks";

const canary = "canary-admin-Pa55word";
type Env = { env?: AppEnvironment };

async function environment(
    spec: EnvironmentSpecInput = specInput(),
): Promise<{ resources: Registered[]; env: AppEnvironment }> {
    const holder: Env = {};
    const resources = await registered(() => {
        holder.env = new AppEnvironment("shop", {
            spec,
            databaseAdminPassword: pulumi.secret(canary),
            alertWebhookUrl: pulumi.secret("https://hooks.example.test/T000/B000/canary"),
        });
    });
    return { resources, env: holder.env as AppEnvironment };
}

const kube = (r: Registered) =>
    r.inputs as { metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> };

describe("AppEnvironment under the Pulumi mock runtime", () => {
    it("creates the database, both roles and their least-privilege grants through the postgresql provider", async () => {
        const { resources } = await environment();
        const provider = one(resources, "pulumi:providers:postgresql");
        assert.equal(provider.inputs.host, "postgres.example.internal");
        assert.equal(provider.inputs.username, "postgres");
        assert.equal(one(resources, "postgresql:index/database:Database").inputs.name, "shop");
        assert.deepEqual(
            ofType(resources, "postgresql:index/role:Role").map((r) => [r.inputs.name, r.inputs.login]),
            [
                ["shop_migrator", true],
                ["shop_app", true],
            ],
        );
        const schema = one(resources, "postgresql:index/schema:Schema");
        assert.deepEqual([schema.inputs.name, schema.inputs.owner], ["app", "shop_migrator"]);
        const grants = ofType(resources, "postgresql:index/grant:Grant").map(
            (g) =>
                `${String(g.inputs.role)} ${String(g.inputs.objectType)} ${(g.inputs.privileges as string[]).join(",")}`,
        );
        assert.deepEqual(grants.sort(), [
            "public database ",
            "shop_app database CONNECT",
            "shop_app schema USAGE",
            "shop_app sequence USAGE,SELECT,UPDATE",
            "shop_app table SELECT,INSERT,UPDATE,DELETE",
            "shop_migrator database CONNECT,CREATE,TEMPORARY",
        ]);
        const defaults = ofType(resources, "postgresql:index/defaultPrivileges:DefaultPrivileges").map(
            (d) => `${String(d.inputs.owner)}->${String(d.inputs.role)} ${String(d.inputs.objectType)}`,
        );
        assert.deepEqual(
            defaults.sort(),
            ["shop_migrator->shop_app sequence", "shop_migrator->shop_app table"],
            "tables future migrations create are usable by the app",
        );
        assert.ok(
            ofType(resources, "postgresql:index/role:Role").every((r) =>
                r.options.provider?.includes("pulumi:providers:postgresql"),
            ),
            "roles go to our server",
        );
        assert.equal(ofType(resources, "random:index/randomPassword:RandomPassword").length, 2);
    });

    it("creates db-credentials and db-migrator-credentials whose values are secrets, and an alert Secret", async () => {
        const { resources, env } = await environment();
        const secrets = ofType(resources, "kubernetes:core/v1:Secret");
        assert.deepEqual(secrets.map((s) => kube(s).metadata.name).sort(), [
            "db-credentials",
            "db-migrator-credentials",
            "shop-alert-webhook",
        ]);
        for (const secret of secrets)
            assert.equal(
                secretInput(secret.inputs.stringData).secret,
                true,
                `${kube(secret).metadata.name} data reaches the engine as a secret`,
            );
        const app = secrets.find((s) => kube(s).metadata.name === "db-credentials") as Registered;
        const data = secretInput<Record<string, string>>(app.inputs.stringData).value;
        assert.deepEqual(Object.keys(data).sort(), [
            "PGDATABASE",
            "PGHOST",
            "PGPASSWORD",
            "PGPORT",
            "PGSSLMODE",
            "PGUSER",
            "url",
        ]);
        assert.match(
            data.url,
            /^postgresql:\/\/shop_app:[^@]+@postgres\.example\.internal:5432\/shop\?sslmode=require$/,
        );
        const appUrl = await reveal(env.appDatabaseUrl);
        const migratorUrl = await reveal(env.migratorDatabaseUrl);
        assert.equal(appUrl.secret, true, "the app URL is a secret output");
        assert.equal(migratorUrl.secret, true, "the migrator URL is a secret output");
        assert.match(migratorUrl.value, /^postgresql:\/\/shop_migrator:/);
    });

    it("keeps the admin password out of every plain input", async () => {
        const { resources } = await environment();
        const provider = one(resources, "pulumi:providers:postgresql");
        assert.deepEqual(secretInput(provider.inputs.password), { secret: true, value: canary });
        const plain = resources.filter((r) => r !== provider).map((r) => JSON.stringify(r.inputs));
        assert.ok(plain.every((text) => !text.includes(canary)));
        const passwords = ofType(resources, "postgresql:index/role:Role").map((r) => secretInput(r.inputs.password));
        assert.ok(
            passwords.every((p) => p.secret),
            "role passwords reach the provider as secrets",
        );
    });

    it("creates the namespace and the Argo CD Application with the resources finalizer", async () => {
        const { resources, env } = await environment();
        assert.equal(kube(one(resources, "kubernetes:core/v1:Namespace")).metadata.name, "shop");
        const app = one(resources, "kubernetes:argoproj.io/v1alpha1:Application");
        assert.deepEqual((app.inputs.metadata as { finalizers: string[] }).finalizers, [
            "resources-finalizer.argocd.argoproj.io",
        ]);
        assert.deepEqual((app.inputs.spec as { destination: unknown }).destination, {
            server: "https://kubernetes.default.svc",
            namespace: "shop",
        });
        assert.equal(ofType(resources, "kubernetes:batch/v1:Job").length, 0, "Argo CD, not Pulumi, runs the workload");
        assert.equal(await reveal(env.applicationName as pulumi.Output<string>).then((r) => r.value), "shop-dev");
        assert.equal(env.syncPlan[1].name, "shop-migrate");
    });

    it("creates the environment's NetworkPolicies in its namespace, with the namespace", async () => {
        const { resources } = await environment();
        const policies = ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
            (r) => kube(r).metadata,
        );
        assert.deepEqual(policies.map((m) => m.name).sort(), [
            "shop-alert-egress",
            "shop-app-ingress",
            "shop-database-egress",
            "shop-default-deny",
            "shop-dns",
            "shop-smoke-egress",
        ]);
        assert.ok(policies.every((m) => (m as { namespace?: string }).namespace === "shop"));
    });

    it("gives every resource a parent and uses migrate-first type tokens", async () => {
        const { resources } = await environment();
        const components = resources
            .filter((r) => r.type.startsWith("migrate-first:"))
            .map((r) => r.type)
            .sort();
        assert.deepEqual(components, [
            "migrate-first:argocd:Application",
            "migrate-first:db:PostgresDatabase",
            "migrate-first:env:AppEnvironment",
            "migrate-first:k8s:DatabaseSecrets",
        ]);
    });

    it('with roles "single", creates one role and only db-credentials', async () => {
        const { resources } = await environment(specInput({ database: { host: "db", roles: "single" } }));
        assert.deepEqual(
            ofType(resources, "postgresql:index/role:Role").map((r) => r.inputs.name),
            ["shop_migrator"],
        );
        assert.deepEqual(
            ofType(resources, "kubernetes:core/v1:Secret")
                .map((s) => kube(s).metadata.name)
                .sort(),
            ["db-credentials", "shop-alert-webhook"],
        );
    });

    it('with delivery "direct", applies the Job, then the Deployment after it, then the smoke test, without Argo CD annotations', async () => {
        const { resources } = await environment(specInput({ delivery: "direct" }));
        assert.equal(ofType(resources, "kubernetes:argoproj.io/v1alpha1:Application").length, 0);
        const order = resources
            .filter((r) => /ConfigMap|Job|Deployment|Service$/.test(r.type))
            .map((r) => `${r.type.split(":").pop()} ${kube(r).metadata.name}`);
        assert.deepEqual(
            order.map((o) => o.replace(/-[0-9a-f]{10}$/, "")),
            ["ConfigMap shop-runtime", "Job shop-migrate", "Service shop", "Deployment shop", "Job shop-smoke"],
        );
        const job = one(resources, "kubernetes:batch/v1:Job", "shop-workload-migrate");
        const smoke = one(resources, "kubernetes:batch/v1:Job", "shop-workload-smoke");
        const deployment = one(resources, "kubernetes:apps/v1:Deployment");
        // Only the provider's replaceUnready: a failed Job is run again by the next `pulumi up`.
        for (const hook of [job, smoke])
            assert.deepEqual(kube(hook).metadata.annotations, { "pulumi.com/replaceUnready": "true" });
        assert.deepEqual(kube(deployment).metadata.annotations, {});
        assert.equal(
            (kube(deployment).spec.template as { spec: { containers: { image: string }[] } }).spec.containers[0].image,
            "ghcr.io/acme/shop:v1.2.0",
        );
    });

    it("registers nothing at all for a bad spec, and says why", async () => {
        let error: unknown;
        const resources = await registered(() => {
            try {
                new AppEnvironment("shop", {
                    spec: specInput({ app: { name: "shop", image: "myapp/api" } }),
                    databaseAdminPassword: "x",
                });
            } catch (e) {
                error = e;
            }
        });
        assert.deepEqual(resources, []);
        assert.match(String(error), /app\.image: "myapp\/api" has no tag or digest/);
    });
});

describe('delivery "direct" when the migration fails', function () {
    this.timeout(60000);
    it("never registers the Deployment or the smoke test: the old code keeps running", () => {
        const root = join(__dirname, "..");
        const run = spawnSync(
            process.execPath,
            [
                join(root, "node_modules/ts-node/dist/bin.js"),
                "--transpile-only",
                join(__dirname, "fixtures/direct-failure.ts"),
            ],
            { cwd: root, encoding: "utf8" },
        );
        const result = JSON.parse(run.stdout) as { registered: string[]; errors: string[] };
        assert.ok(
            result.registered.includes("kubernetes:batch/v1:Job shop-workload-migrate"),
            "the migration was attempted",
        );
        assert.ok(
            result.registered.some((r) => r.startsWith("kubernetes:core/v1:Secret")),
            "the Secrets came before it",
        );
        assert.deepEqual(
            result.registered.filter((r) => /Deployment|Service |shop-workload-smoke/.test(r)),
            [],
        );
        assert.ok(
            result.errors.some((e) => e.includes("BackoffLimitExceeded")),
            "the failure is reported",
        );
    });
});
