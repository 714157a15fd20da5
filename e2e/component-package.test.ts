import { strict as assert } from "assert";
import { spawn } from "child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { parse, stringify } from "yaml";
import { parseSpec, SpecError } from "../environment-schema";
import { enginesBin } from "../rehearsal/cluster/engines";
import { requireEngines } from "./helpers/engines";
import type { CommandResult } from "./helpers/project";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { installPacked, repo } from "./helpers/packed";
import { platformAdmin, startServer } from "./helpers/server";

// migrate-first from another Pulumi language: a Pulumi YAML program adds the component package
// (pulumi-package/, from the packed and installed library, as a user gets it) with the real
// `pulumi package add`, and previews one AppEnvironment with the real CLI, our Node.js host front
// (which serves the package through @pulumi/pulumi/cmd/run-plugin), the YAML host and the providers.
// The database host is a real Postgres; render mode (kubernetes.renderDirectory) keeps it off any cluster.
const libraryVersion = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;
const pluginPath = "./node_modules/migrate-first/pulumi-package";

/** One step of `pulumi preview --json`. */
interface PreviewStep {
    readonly op: string;
    readonly urn: string;
}

/** The YAML program of the README's "From YAML or another Pulumi language". */
interface ReadmeProgram {
    readonly config: Record<string, unknown>;
    readonly resources: {
        readonly shop: {
            readonly type: string;
            readonly properties: {
                readonly spec: { readonly "fn::toJSON": Record<string, unknown> & { app: Record<string, unknown> } };
            } & Record<string, unknown>;
        };
    };
    readonly outputs: Record<string, string>;
}

function readmeProgram(): ReadmeProgram {
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### From YAML or another Pulumi language"));
    const block = /^```yaml\n([\s\S]*?)^```$/m.exec(section);
    if (block === null) throw new Error("the README's YAML section has no ```yaml block");
    return parse(block[1]) as ReadmeProgram;
}

/** What parseSpec says of a spec, line by line (it must refuse it). */
function specProblems(input: unknown): string[] {
    try {
        parseSpec(input, { stack: "dev" });
    } catch (error) {
        if (error instanceof SpecError)
            return error.message
                .split("\n")
                .map((line) => line.trim())
                .filter((line) => line !== "");
        throw error;
    }
    throw new Error("parseSpec accepted the spec");
}

/** The type path of a URN (`parent$child$...`), its last element the resource's own type. */
function typePath(urn: string): string[] {
    return urn.split("::")[2].split("$");
}

describe("the component package, from a Pulumi YAML program with the real engine", function () {
    this.timeout(900000);
    const adminPassword = "yaml-admin-secret";
    let server: E2eServer;
    let project: PulumiProject;
    let consumer: string;

    /** Runs the real `pulumi` in the YAML program's directory; never throws. */
    function pulumi(args: readonly string[], input = "", cwd = consumer): Promise<CommandResult> {
        return new Promise((resolvePromise, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd, env: project.env });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            child.on("error", reject);
            child.on("close", (code) => resolvePromise({ status: code ?? 1, stdout, stderr }));
            child.stdin.end(input);
        });
    }

    async function must(args: readonly string[], input = "", cwd = consumer): Promise<CommandResult> {
        const result = await pulumi(args, input, cwd);
        assert.equal(
            result.status,
            0,
            `pulumi ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
        );
        return result;
    }

    /**
     * The README's YAML program ("From YAML or another Pulumi language") with the database on the
     * test's server and `app` merged into the spec; what `pulumi package add` recorded is kept.
     * Returns the spec it wrote.
     */
    function writeProgram(app: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
        const program = readmeProgram();
        const shop = program.resources.shop;
        const given = shop.properties.spec["fn::toJSON"];
        const spec = {
            ...given,
            app: { ...given.app, ...app },
            database: { host: "127.0.0.1", port: server.pg.port, adminUser: platformAdmin, sslmode: "disable" },
        };
        const file = join(consumer, "Pulumi.yaml");
        const project = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
        const resources = { shop: { ...shop, properties: { ...shop.properties, spec: { "fn::toJSON": spec } } } };
        writeFileSync(file, stringify({ ...project, ...program, resources }));
        return spec;
    }

    before(async () => {
        requireEngines();
        if (!existsSync(join(enginesBin, "pulumi-language-yaml")))
            throw new Error(`pulumi-language-yaml not found in ${enginesBin}: run \`npm run engines\` first`);
        server = await startServer(adminPassword);
        // The package as a user gets it, packed from the project's copy of the checkout.
        project = new PulumiProject("component-package");
        consumer = installPacked(project.dir, project.home, []);
        writeFileSync(join(consumer, "Pulumi.yaml"), stringify({ name: "yaml-consumer", runtime: "yaml" }));
        // `pulumi package add` installs the providers the package's npm dependencies name, at those
        // versions, into the workspace (PATH does not count there, and nothing is downloaded here):
        // our builds, the binaries every other suite finds on PATH, stand in for them.
        for (const provider of ["kubernetes", "postgresql", "random"]) {
            const version = (
                JSON.parse(readFileSync(join(consumer, "node_modules/@pulumi", provider, "package.json"), "utf8")) as {
                    version: string;
                }
            ).version;
            await must([
                "plugin",
                "install",
                "resource",
                provider,
                version,
                "--file",
                join(enginesBin, `pulumi-resource-${provider}`),
            ]);
        }
    });
    after(async () => server?.pg.stop());

    it("serves the schema the SDK infers from the component's args: the spec as text, the secrets as inputs", async () => {
        const { stdout } = await must(["package", "get-schema", pluginPath]);
        const schema = JSON.parse(stdout) as {
            name: string;
            version: string;
            resources: Record<
                string,
                { isComponent: boolean; inputProperties: Record<string, { type: string }>; requiredInputs: string[] }
            >;
        };
        assert.equal(schema.name, "migrate-first");
        assert.equal(schema.version, libraryVersion, "pulumi-package/package.json's version is the library's");
        const resource = schema.resources["migrate-first:index:AppEnvironment"];
        assert.ok(resource?.isComponent, `no component AppEnvironment in ${Object.keys(schema.resources).join(", ")}`);
        assert.deepEqual(Object.keys(resource.inputProperties).sort(), [
            "alertWebhookUrl",
            "databaseAdminPassword",
            "spec",
        ]);
        assert.deepEqual([...resource.requiredInputs].sort(), ["databaseAdminPassword", "spec"]);
    });

    it("is added with `pulumi package add <path>`, which records it in Pulumi.yaml", async () => {
        const { stderr } = await must(["package", "add", pluginPath]);
        assert.match(stderr, /Added package migrate-first/);
        const recorded = parse(readFileSync(join(consumer, "Pulumi.yaml"), "utf8")) as {
            packages?: Record<string, string>;
        };
        assert.equal(recorded.packages?.["migrate-first"], pluginPath);
    });

    it("is added from a checkout too, once built (`npm ci` builds it)", async () => {
        // The copy of this checkout the tarball was packed from: its prepare script built dist/ there.
        const program = join(project.home, "from-checkout");
        mkdirSync(program);
        writeFileSync(join(program, "Pulumi.yaml"), stringify({ name: "from-checkout", runtime: "yaml" }));
        const plugin = join(project.dir, "pulumi-package");
        const { stderr } = await must(["package", "add", plugin], "", program);
        assert.match(stderr, /Added package migrate-first/);
        const recorded = parse(readFileSync(join(program, "Pulumi.yaml"), "utf8")) as {
            packages?: Record<string, string>;
        };
        assert.equal(recorded.packages?.["migrate-first"], plugin);
    });

    it("previews one AppEnvironment and every child, for real, and creates nothing", async () => {
        writeProgram();
        await must(["stack", "init", "dev"]);
        await must(["config", "set", "--secret", "databaseAdminPassword"], adminPassword);
        const { stdout } = await must(["preview", "--stack", "dev", "--json"]);
        const steps = (JSON.parse(stdout) as { steps: PreviewStep[] }).steps;
        const creates = steps.filter((step) => step.op === "create").map((step) => typePath(step.urn));
        const top = ["migrate-first:index:AppEnvironment", "migrate-first:env:AppEnvironment"];
        assert.ok(
            creates.some((path) => path.join("$") === top[0]),
            `no AppEnvironment to create in ${JSON.stringify(steps.map((s) => s.urn))}`,
        );
        // Each child under the package's AppEnvironment, through the library's own component.
        for (const type of [
            "migrate-first:db:PostgresDatabase",
            "postgresql:index/database:Database",
            "postgresql:index/role:Role",
            "postgresql:index/grant:Grant",
            "random:index/randomPassword:RandomPassword",
            "migrate-first:k8s:DatabaseSecrets",
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:Secret",
            "kubernetes:argoproj.io/v1alpha1:Application",
        ]) {
            const path = creates.find((candidate) => candidate[candidate.length - 1] === type);
            assert.ok(path, `the preview creates no ${type}`);
            assert.deepEqual(path.slice(0, 2), top, `${type} is not a child of the AppEnvironment: ${path.join("$")}`);
        }
        // Render mode's provider too, so nothing reaches a cluster.
        assert.ok(
            creates.some((path) => path.join("$") === `${top[0]}$pulumi:providers:kubernetes`),
            "the render-mode kubernetes provider is not a child of the AppEnvironment",
        );
        assert.equal(server.superSql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'shop';"), "0");
        assert.ok(!existsSync(join(consumer, "rendered")), "a preview rendered manifests");
    });

    it("refuses a bad spec with parseSpec's words, before anything registers", async () => {
        const spec = writeProgram({ image: "ghcr.io/acme/shop" });
        const result = await pulumi(["preview", "--stack", "dev"]);
        const out = result.stdout + result.stderr;
        assert.notEqual(result.status, 0, out);
        // The TypeScript component's message, line by line, for the same spec.
        for (const line of specProblems(spec))
            assert.ok(out.includes(line), `the preview does not say ${JSON.stringify(line)}:\n${out}`);
        assert.doesNotMatch(out, /\+ +migrate-first:index:AppEnvironment/);
    });
});
