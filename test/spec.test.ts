import { strict as assert } from "assert";
import type { EnvironmentSpecInput } from "../environment-schema";
import { parseSpec, SpecError } from "../environment-schema";
import { specFromConfig } from "../stacks";
import { specInput, validSpec } from "./helpers/specs";

function problemsOf(input: unknown, kind: "config" | "typescript" = "typescript"): readonly string[] {
    try {
        parseSpec(input, { stack: "dev", kind });
    } catch (error) {
        assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`);
        return error.problems;
    }
    assert.fail("the spec was accepted");
}

// A deep copy of the base spec with one path set (undefined deletes it).
function withField(path: string, value: unknown): EnvironmentSpecInput {
    const spec = JSON.parse(JSON.stringify(specInput())) as Record<string, unknown>;
    const keys = path.split(".");
    let node = spec;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    if (value === undefined) delete node[keys[keys.length - 1]];
    else node[keys[keys.length - 1]] = value;
    return spec as EnvironmentSpecInput;
}

describe("spec validation", () => {
    it("applies every documented default, the article's values included", () => {
        const spec = validSpec();
        assert.equal(spec.environment, "dev");
        assert.equal(spec.migration.activeDeadlineSeconds, 300);
        assert.equal(spec.migration.backoffLimit, 0);
        assert.equal(spec.migration.mode, "sql");
        assert.equal(spec.migration.imageDirectory, "/app/migrations");
        assert.equal(spec.migration.lockTimeout, "5s");
        assert.equal(spec.migration.statementTimeout, "4min");
        assert.equal(spec.migration.lockRetries, 3);
        assert.equal(spec.migration.lockWaitSeconds, 120);
        assert.equal(spec.migration.allowOutOfOrder, false);
        assert.equal(spec.app.maxSurge, 1);
        assert.equal(spec.app.maxUnavailable, 0);
        assert.equal(spec.app.replicas, 3);
        assert.equal(spec.app.port, 8080);
        assert.equal(spec.app.healthPath, "/health");
        assert.deepEqual(spec.app.resources, {
            requests: { cpu: "100m", memory: "256Mi" },
            limits: { cpu: "500m", memory: "512Mi" },
        });
        assert.equal(spec.app.namespace, "shop");
        assert.equal(spec.database.name, "shop");
        assert.equal(spec.database.clusterHost, "postgres.example.internal");
        assert.equal(spec.database.roles, "split");
        assert.equal(spec.delivery, "argocd");
        assert.equal(spec.argocd.path, "deploy/dev/shop");
    });

    it("is idempotent: a parsed spec parses to itself", () => {
        const spec = validSpec();
        assert.deepEqual(parseSpec(spec, { stack: "other" }), spec);
    });

    // Each bad input: the field path and the exact message, value and fix included.
    const cases: [string, EnvironmentSpecInput, string][] = [
        [
            "image without tag",
            withField("app.image", "myapp/api"),
            'app.image: "myapp/api" has no tag or digest; pin it, e.g. "myapp/api:v1.2.0" or "myapp/api@sha256:..."',
        ],
        [
            "image that is no reference",
            withField("app.image", "My App!"),
            'app.image: "My App!" is not an image reference; write it as registry/repository:tag, e.g. "ghcr.io/acme/shop:v1.2.0"',
        ],
        ["missing image", withField("app.image", undefined), "app.image: is missing; set app.image"],
        [
            "upper-case app name",
            withField("app.name", "Shop"),
            `app.name: "Shop" is not a valid app name; use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (it names the Service and the database), e.g. "shop"`,
        ],
        [
            "app name starting with a digit",
            withField("app.name", "1shop"),
            `app.name: "1shop" is not a valid app name; use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (it names the Service and the database), e.g. "shop"`,
        ],
        [
            "namespace with a dot",
            withField("app.namespace", "shop.prod"),
            `app.namespace: "shop.prod" is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. "shop"`,
        ],
        [
            "app name too long",
            withField("app.name", "a".repeat(41)),
            `app.name: "${"a".repeat(41)}" is longer than 40 characters; shorten it`,
        ],
        ["port as text", withField("app.port", "8080"), 'app.port: "8080" is a string; expected a number'],
        ["port out of range", withField("app.port", 70000), "app.port: 70000 must be a TCP port between 1 and 65535"],
        [
            "fractional replicas",
            withField("app.replicas", 1.5),
            "app.replicas: 1.5 is a number; expected a whole number",
        ],
        [
            "zero replicas",
            withField("app.replicas", 0),
            "app.replicas: 0 must be at least 1 for a zero-downtime rollout",
        ],
        [
            "bad quantity",
            withField("app.resources.limits.memory", "512MB"),
            'app.resources.limits.memory: "512MB" is not a Kubernetes quantity; write it like "100m" (CPU) or "256Mi" (memory)',
        ],
        [
            "misspelt field",
            withField("app.imgae", "x"),
            'app.imgae: unknown field; did you mean "image"? remove it or use one of: name, image, namespace, port, replicas, healthPath, readinessInitialDelaySeconds, readinessPeriodSeconds, maxSurge, maxUnavailable, command, env, runAsUser, resources',
        ],
        [
            "missing database host",
            withField("database.host", undefined),
            "database.host: is missing; set database.host",
        ],
        [
            "database name with a dash",
            withField("database.name", "my-db"),
            "database.name: \"my-db\" is not a plain Postgres identifier; use lower-case letters, digits and '_', starting with a letter or '_', e.g. \"shop\"",
        ],
        [
            "unknown sslmode",
            withField("database.sslmode", "on"),
            'database.sslmode: "on" is not allowed; use one of "disable", "allow", "prefer", "require", "verify-ca", "verify-full"',
        ],
        [
            "backoffLimit above 0",
            withField("migration.backoffLimit", 3),
            "migration.backoffLimit: 3 must be 0: Kubernetes retries would re-run a failed migration behind Argo CD's back; use the Application's sync retry instead",
        ],
        [
            "empty migration command",
            withField("migration", { mode: "command", command: [] }),
            'migration.command: [] is empty; give the command that applies your migrations, e.g. ["python", "manage.py", "migrate", "--noinput"]',
        ],
        [
            "command mode without a command",
            withField("migration.mode", "command"),
            'migration.command: is required with migration.mode "command": give the command that applies your migrations, e.g. ["python", "manage.py", "migrate", "--noinput"]',
        ],
        [
            "a command in SQL mode",
            withField("migration.command", ["migrate"]),
            'migration.command: ["migrate"] is only used with migration.mode "command"; set mode to "command" to run your own tool, or remove command to let migrate-first apply the SQL files',
        ],
        [
            "a duration Postgres cannot read",
            withField("migration.lockTimeout", "5 seconds"),
            'migration.lockTimeout: "5 seconds" is not a Postgres duration; write it like "500ms", "5s" or "4min"',
        ],
        [
            "a statement timeout past the Job's deadline",
            withField("migration.statementTimeout", "10min"),
            'migration.statementTimeout: "10min" must be shorter than migration.activeDeadlineSeconds (300 s), or Kubernetes kills the Job mid-statement without a clear error; lower it or raise the deadline',
        ],
        [
            "a lock wait past the Job's deadline",
            withField("migration.lockWaitSeconds", 300),
            "migration.lockWaitSeconds: 300 must be shorter than migration.activeDeadlineSeconds (300 s), or a waiting runner is killed before it can say who holds the lock; lower it or raise the deadline",
        ],
        [
            "zero deadline",
            withField("migration.activeDeadlineSeconds", 0),
            "migration.activeDeadlineSeconds: 0 must be at least 1",
        ],
        [
            "unknown delivery",
            withField("delivery", "flux"),
            'delivery: "flux" is not allowed; use one of "argocd", "direct"',
        ],
        [
            "argocd without repoURL",
            withField("argocd.repoURL", undefined),
            'argocd.repoURL: is required with delivery "argocd": give the Git repository Argo CD syncs the rendered workload from, or set delivery to "direct"',
        ],
        [
            "repoURL that is no Git URL",
            withField("argocd.repoURL", "github.com/acme"),
            'argocd.repoURL: "github.com/acme" is not a Git URL; use https://, ssh:// or git@host:org/repo',
        ],
        [
            "a rollout that cannot start",
            withField("app.maxSurge", 0),
            "app.maxSurge: 0 and app.maxUnavailable are both 0, so a rollout can never start; set maxSurge to 1",
        ],
        [
            "SQL in a name",
            withField("database.schema", "app'; DROP DATABASE x; --"),
            `database.schema: "app'; DROP DATABASE x; --" is not a plain Postgres identifier; use lower-case letters, digits and '_', starting with a letter or '_', e.g. "shop"`,
        ],
    ];
    for (const [what, input, message] of cases) {
        it(`refuses ${what}`, () => {
            assert.deepEqual(problemsOf(input), [message]);
        });
    }

    it("lists every problem in one error, naming config keys and the pulumi command that fixes a missing one", () => {
        const input = { ...withField("app.image", "myapp/api"), delivery: "flux", database: {} };
        const problems = problemsOf(input, "config");
        assert.deepEqual(problems, [
            'migrate-first:app.image: "myapp/api" has no tag or digest; pin it, e.g. "myapp/api:v1.2.0" or "myapp/api@sha256:..."',
            "migrate-first:database.host: is missing; set it: pulumi config set --path 'database.host' <value>",
            'migrate-first:delivery: "flux" is not allowed; use one of "argocd", "direct"',
        ]);
    });

    it("says in its headline that nothing was created", () => {
        assert.throws(
            () => parseSpec({}, { stack: "prod", origin: "Pulumi.prod.yaml" }),
            /^SpecError: migrate-first: the spec for Pulumi\.prod\.yaml has 2 problems; nothing was created:\n {2}- app: is missing/,
        );
    });
});

describe("spec from stack config", () => {
    const entries = {
        "migrate-first:app": { name: "shop", image: "ghcr.io/acme/shop:v1.2.0" },
        "migrate-first:database": { host: "db" },
        "migrate-first:argocd": { repoURL: "https://github.com/acme/gitops.git" },
        "other-project:key": "ignored",
    };

    it("puts the dev preset underneath and lets config override it", () => {
        const dev = specFromConfig({ stack: "dev", entries, isSecret: () => false });
        assert.equal(dev.app.replicas, 1, "the dev preset sets one replica");
        const overridden = specFromConfig({
            stack: "dev",
            entries: { ...entries, "migrate-first:app": { ...entries["migrate-first:app"], replicas: 2 } },
            isSecret: () => false,
        });
        assert.equal(overridden.app.replicas, 2);
        assert.equal(overridden.app.resources.limits.memory, "256Mi", "the rest of the preset stays");
        assert.equal(
            specFromConfig({ stack: "qa", entries, isSecret: () => false }).tier,
            "prod",
            "a stack of another name gets the strictest tier's preset",
        );
    });

    it("refuses a database password stored in plain text, and a secret where none belongs", () => {
        const isSecret = (key: string) => key === "migrate-first:app";
        assert.throws(
            () =>
                specFromConfig({
                    stack: "dev",
                    entries: { ...entries, "migrate-first:databaseAdminPassword": "hunter2" },
                    isSecret: isSecret,
                }),
            (error: unknown) =>
                error instanceof SpecError &&
                error.problems.includes(
                    "migrate-first:databaseAdminPassword: is stored in plain text; set it with: pulumi config set --secret databaseAdminPassword <value>",
                ) &&
                error.problems.includes(
                    "migrate-first:app: is a secret, but only migrate-first:databaseAdminPassword and migrate-first:alertWebhookUrl may be; set it without --secret",
                ) &&
                !error.message.includes("hunter2"),
        );
    });
});
