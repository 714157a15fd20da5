import { strict as assert } from "assert";
import { writeFileSync } from "fs";
import { join } from "path";
import { Client } from "pg";
import { loadParser, parseStatements } from "../lint";
import { namespace, previewMetadata } from "../manifests";
import { parseSpec, SpecError } from "../environment-schema";
import { requestedEnvironments, selfServicePolicy } from "../stacks";
import { withPostgres } from "./helpers/environments";
import { scratchDir } from "./helpers/scratch";
import { specInput } from "./helpers/specs";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The problems of a spec written in stack config, one per line. */
function problems(input: unknown, stack = "dev"): string[] {
    try {
        parseSpec(input, { stack, kind: "config" });
    } catch (error) {
        assert.ok(error instanceof SpecError, String(error));
        return [...error.problems];
    }
    assert.fail("expected a SpecError");
}

describe("strict inputs: each mistake meets one error with the field, the value and the fix", () => {
    it("takes only a host name or an IP address for database.host and clusterHost", () => {
        const hostFix =
            'is not a host name or an IP address; give only the server\'s name (e.g. "postgres.example.internal") or address (e.g. "10.0.0.5"), without user, port, path or parameters: the port is database.port, sslmode database.sslmode';
        assert.deepEqual(
            problems(
                specInput({ database: { host: "u@attacker.example", clusterHost: "db?sslmode=disable&host=evil" } }),
            ),
            [
                `migrate-first:database.host: "u@attacker.example" ${hostFix}`,
                `migrate-first:database.clusterHost: "db?sslmode=disable&host=evil" ${hostFix}`,
            ],
        );
        for (const host of ["db", "postgres.databases.svc.cluster.local", "10.0.0.5", "fd00::5", "DB-1.Example.COM."])
            assert.equal(
                parseSpec(specInput({ database: { host, clusterHost: host } }), { stack: "dev" }).database.host,
                host,
            );
    });

    it("refuses a targetRevision with a newline or a space", () => {
        assert.deepEqual(
            problems(
                specInput({
                    argocd: { repoURL: "https://github.com/acme/gitops.git", targetRevision: "main\nrepoURL: x" },
                }),
            ),
            [
                'migrate-first:argocd.targetRevision: "main\\nrepoURL: x" is not a Git revision; give a branch, tag or commit on one line, without spaces (e.g. "main", "v1.2.0" or a SHA)',
            ],
        );
    });

    it("checks network.dns.podLabels keys and values as Kubernetes does", () => {
        assert.deepEqual(
            problems(specInput({ network: { dns: { podLabels: { "k8s app": "kube-dns", tier: "dns-" } } } })),
            [
                "migrate-first:network.dns.podLabels[\"k8s app\"]: \"k8s app\" is not a Kubernetes label key; use [prefix/]name, the name at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, e.g. \"k8s-app\"",
                "migrate-first:network.dns.podLabels.tier: \"dns-\" is not a Kubernetes label value; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, e.g. \"kube-dns\"",
            ],
        );
        assert.deepEqual(
            parseSpec(specInput({ network: { dns: { podLabels: { "app.kubernetes.io/name": "coredns" } } } }), {
                stack: "dev",
            }).network.dns.podLabels,
            { "app.kubernetes.io/name": "coredns" },
        );
    });

    it("gives a preview branch ending in '-', '_', '.' or a non-ASCII letter a valid label value", () => {
        for (const branch of ["fix/login-", "fix/login_", "fix/login.", "feature/größe", "ü"]) {
            const spec = parseSpec(specInput({ preview: { pr: 7, branch } }), { stack: "pr-7" });
            const value = previewMetadata(spec).labels["migrate-first.dev/branch"] ?? "";
            assert.match(value, labelValue, branch);
            assert.equal(
                namespace(spec).metadata?.annotations?.["migrate-first.dev/branch"],
                branch,
                "the annotation keeps the exact branch",
            );
        }
    });

    it("refuses app.env entries migrate-first sets itself, and values too large for a manifest", () => {
        const env = {
            DATABASE_URL: "postgres://elsewhere/db",
            PGHOST: "elsewhere",
            RELEASE: "x",
            BIG: "x".repeat(3 * 1024 * 1024),
        };
        const found = problems(specInput({ app: { name: "shop", image: "ghcr.io/acme/shop:v1.2.0", env } }));
        const reserved =
            "is set by migrate-first (DATABASE_URL and the PG* variables from the credentials Secret; APP, ENVIRONMENT and RELEASE from the spec); a second entry would make the container's value depend on the order; rename yours or remove it";
        assert.deepEqual(found.slice(0, 3), [
            `migrate-first:app.env.DATABASE_URL: "DATABASE_URL" ${reserved}`,
            `migrate-first:app.env.PGHOST: "PGHOST" ${reserved}`,
            `migrate-first:app.env.RELEASE: "RELEASE" ${reserved}`,
        ]);
        assert.match(
            found[3] ?? "",
            /^migrate-first:app\.env\.BIG: "x{56}\.\.\. is longer than 32768 characters: it is copied into every pod template and manifest; put large configuration in a ConfigMap or file in the image$/,
        );
        const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`PART_${i}`, "y".repeat(20000)]));
        assert.match(
            problems(specInput({ app: { name: "shop", image: "ghcr.io/acme/shop:v1.2.0", env: many } })).join(),
            /migrate-first:app\.env: .* holds more than 65536 characters in all/,
        );
        assert.match(
            problems(specInput({ migration: { mode: "command", command: ["x".repeat(5000)] } })).join(),
            /migrate-first:migration\.command\[0\]: .* is longer than 4096 characters; put a long script in the image/,
        );
    });

    it("checks lockRetries × lockTimeout, with the backoff and the lock wait, against the Job's deadline", () => {
        assert.deepEqual(problems(specInput({ migration: { lockRetries: 10, lockTimeout: "30s" } })), [
            'migrate-first:migration.lockRetries: 10 with migration.lockTimeout "30s" can wait 1473 s for locks (lockWaitSeconds 120 s, then 11 attempts of up to 30s and 1023 s of backoff), not shorter than migration.activeDeadlineSeconds (300 s): Kubernetes would kill the Job mid-retry without saying why; lower lockRetries or lockTimeout, or raise the deadline',
        ]);
        assert.equal(
            parseSpec(specInput({ migration: { lockRetries: 3, lockTimeout: "5s" } }), { stack: "dev" }).migration
                .lockRetries,
            3,
        );
    });

    it("names the stack file whose YAML does not parse", () => {
        const dir = scratchDir("yaml");
        writeFileSync(
            join(dir, "Pulumi.qa.yaml"),
            "config:\n  migrate-first:app:\n    name: shop\n   image: ghcr.io/acme/shop:v1\n",
        );
        const run = migrateFirst(["render", "--dir", dir, "--stack", "qa"], { cwd: root, encoding: "utf8" });
        assert.equal(run.status, 1);
        assert.equal(
            run.stderr.trim(),
            `render: ${join(dir, "Pulumi.qa.yaml")}: is not valid YAML: All mapping items must start at the same column at line 4, column 1`,
        );
    });
});

describe("strict inputs for self-service", () => {
    const policy = (extra: Record<string, unknown> = {}) =>
        selfServicePolicy(
            {
                registries: ["ghcr.io/acme/"],
                teams: ["a", "a-b", "payments"],
                database: { host: "db.internal" },
                argocd: { repoURL: "https://github.com/acme/gitops.git" },
                ...extra,
            },
            "platform",
        );
    const folder = (files: Record<string, string>) => {
        const dir = scratchDir("requests");
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
        return dir;
    };
    const refusal = (run: () => unknown) => {
        try {
            run();
        } catch (error) {
            return error instanceof Error ? error.message : String(error);
        }
        assert.fail("expected a refusal");
    };

    it("refuses two files for one environment, naming both", () => {
        const twoSpellings = folder({
            "payments-checkout.yaml": "app: checkout\nteam: payments\nimage: ghcr.io/acme/checkout:v1\n",
            "payments-checkout.yml": "app: checkout\nteam: payments\nimage: ghcr.io/acme/checkout:v2\n",
        });
        assert.equal(
            refusal(() =>
                requestedEnvironments(policy(), twoSpellings, "platform", (f) => f.slice(twoSpellings.length + 1)),
            ),
            [
                "migrate-first self-service: 2 of 2 request file(s) have problems; no environment was created, not even the good ones:",
                "  payments-checkout.yaml:",
                '    - asks for environment "payments-checkout" (team-app), as payments-checkout.yml does; keep one file per environment, or rename the app',
                "  payments-checkout.yml:",
                '    - asks for environment "payments-checkout" (team-app), as payments-checkout.yaml does; keep one file per environment, or rename the app',
            ].join("\n"),
        );
        const sameKey = folder({
            "a-b-c.yaml": "app: b-c\nteam: a\nimage: ghcr.io/acme/x:v1\n",
            "a-b-c.yml": "app: c\nteam: a-b\nimage: ghcr.io/acme/y:v1\n",
        });
        assert.match(
            refusal(() => requestedEnvironments(policy(), sameKey, "platform", (f) => f.slice(sameKey.length + 1))),
            /a-b-c\.yaml:\n {4}- asks for environment "a-b-c" \(team-app\), as a-b-c\.yml does/,
        );
    });

    it('caps the migration timeouts a team may set, "0" (no limit) included', () => {
        const dir = folder({
            "payments-checkout.yaml":
                'app: checkout\nteam: payments\nimage: ghcr.io/acme/checkout:v1\nmigration:\n  lockTimeout: "0"\n  statementTimeout: 2h\n  activeDeadlineSeconds: 9000\n',
        });
        assert.equal(
            refusal(() => requestedEnvironments(policy(), dir, "platform", (f) => f.slice(dir.length + 1))),
            [
                "migrate-first self-service: 1 of 1 request file(s) have problems; no environment was created, not even the good ones:",
                "  payments-checkout.yaml:",
                '    - migration.lockTimeout: "0" is over the platform\'s cap ("1min"; "0" means no limit); lower it, or ask the platform team to raise migrationLimits.lockTimeout',
                '    - migration.statementTimeout: "2h" is over the platform\'s cap ("1h"); lower it, or ask the platform team to raise migrationLimits.statementTimeout',
                "    - migration.activeDeadlineSeconds: 9000 is over the platform's cap (3600); lower it, or ask the platform team to raise migrationLimits.activeDeadlineSeconds",
            ].join("\n"),
        );
        const raised = policy({
            migrationLimits: { statementTimeout: "3h", activeDeadlineSeconds: 10000, lockTimeout: "10min" },
        });
        const ok = folder({
            "payments-checkout.yaml":
                "app: checkout\nteam: payments\nimage: ghcr.io/acme/checkout:v1\nmigration:\n  lockTimeout: 1min\n  lockRetries: 1\n  statementTimeout: 2h\n  activeDeadlineSeconds: 9000\n",
        });
        assert.equal(requestedEnvironments(raised, ok, "platform")[0]?.spec.migration.statementTimeout, "2h");
    });
});

describe("the linter's positions match Postgres' own", function () {
    this.timeout(60000);
    const pg = withPostgres("positions");

    // Where the server puts a syntax error (its 1-based character position), as line and column.
    async function serverPosition(sql: string): Promise<{ line: number; column: number }> {
        const server = pg.server();
        const client = new Client({
            host: "127.0.0.1",
            port: server.port,
            user: "postgres",
            password: server.adminPassword,
            database: "postgres",
        });
        await client.connect();
        try {
            await client.query(sql);
        } catch (error) {
            const before = Array.from(sql)
                .slice(0, Number((error as { position?: string }).position) - 1)
                .join("")
                .split("\n");
            return { line: before.length, column: Array.from(before[before.length - 1] ?? "").length + 1 };
        } finally {
            await client.end();
        }
        assert.fail("expected a syntax error");
    }

    for (const sql of [
        "-- a\n-- b\nSELECT 1 FORM a;\n",
        "SELECT 1;\nFROM x;\n",
        "-- é\nSELECT 'é' FORM a;\n",
        "CREATE TABLE t (\n  id bigint,\n  name text,,\n);\n",
    ]) {
        it(`puts the error of ${JSON.stringify(sql)} where the server does`, async () => {
            await loadParser();
            const parsed = parseStatements(sql);
            assert.ok(!parsed.ok);
            assert.deepEqual({ line: parsed.line, column: parsed.column }, await serverPosition(sql));
        });
    }

    it("reports SELECT 1 FORM a; at line 3, column 15, as psql's caret", async () => {
        await loadParser();
        const parsed = parseStatements("-- a\n-- b\nSELECT 1 FORM a;\n");
        assert.deepEqual(parsed.ok ? undefined : [parsed.line, parsed.column], [3, 15]);
    });
});
