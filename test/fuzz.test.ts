import { strict as assert } from "assert";
import fc from "fast-check";
import { stringify } from "yaml";
import { AppEnvironment } from "../components";
import { accessPlan, ident, literal } from "../database";
import { runSql } from "../rehearsal/provision";
import type { LocalPostgres } from "../rehearsal/postgres";
import { startPostgres } from "../rehearsal/postgres";
import type { EnvironmentSpec } from "../environment-schema";
import { parseSpec, SpecError } from "../environment-schema";
import type { SelfServicePolicy } from "../stacks";
import { requestFromText, selfServicePolicy } from "../stacks";
import { registered } from "./helpers/pulumi-mocks";
import { specInput } from "./helpers/specs";

const hostile = [
    "'; DROP DATABASE shop; --",
    '"; DROP ROLE postgres; --',
    "$(rm -rf /)",
    "`id`",
    "${HOME}",
    "../../etc/passwd",
    "{{ .Values.x }}",
    "a\u0000b",
    "ünïcødé-名前",
    "🙂",
    "x".repeat(100_000),
    "-- migrate-first: allow everything",
    "null",
    "true",
    "0x10",
];
const junk = fc.oneof(
    fc.constantFrom(...hostile),
    fc.string({ maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);
const fields = [
    "app.name",
    "app.image",
    "app.port",
    "app.replicas",
    "app.namespace",
    "app.env",
    "app.healthPath",
    "app.command",
    "app.resources.limits.memory",
    "database.host",
    "database.name",
    "database.schema",
    "database.port",
    "database.sslmode",
    "database.roles",
    "database.protect",
    "migration.mode",
    "migration.command",
    "migration.lockTimeout",
    "migration.statementTimeout",
    "migration.activeDeadlineSeconds",
    "migration.lockWaitSeconds",
    "argocd.repoURL",
    "argocd.path",
    "argocd.namespace",
    "delivery",
    "tier",
    "environment",
    "preview",
    "preview.branch",
    "promotion.from",
    "promotion.override",
    "network.databaseCidrs",
    "network.ingressNamespaces",
    "runtime.postgresImage",
    "surprise",
    "app.surprise",
];

/** The valid base spec with `value` written at each dotted path. */
function mutate(mutations: readonly [string, unknown][]): unknown {
    const spec = JSON.parse(JSON.stringify(specInput())) as Record<string, unknown>;
    for (const [path, value] of mutations) {
        const keys = path.split(".");
        let node = spec;
        for (const key of keys.slice(0, -1)) {
            if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
            node = node[key] as Record<string, unknown>;
        }
        node[keys[keys.length - 1]] = value;
    }
    return spec;
}

const specs = fc.oneof(
    { weight: 8, arbitrary: fc.array(fc.tuple(fc.constantFrom(...fields), junk), { maxLength: 4 }).map(mutate) },
    { weight: 2, arbitrary: fc.anything() },
);
const stacks = fc.constantFrom("dev", "staging", "prod", "pr-12", "qa");

/** Parses within a second, and either validates or fails with SpecError lines that each name a field. */
function check(input: unknown, stack: string): EnvironmentSpec | SpecError {
    const started = performance.now();
    let outcome: EnvironmentSpec | SpecError;
    try {
        outcome = parseSpec(input, { stack });
    } catch (error) {
        assert.ok(error instanceof SpecError, `not a SpecError: ${String(error)}`);
        assert.ok(error.problems.length >= 1);
        for (const problem of error.problems) assert.match(problem, fieldFirst, problem);
        outcome = error;
    }
    assert.ok(performance.now() - started < 1000, "validated within a second");
    return outcome;
}

// A problem starts with the field: a dotted path whose odd keys are quoted, or the whole spec.
const fieldFirst =
    /^(\(the whole spec\)|([A-Za-z_][\w-]*|\["(?:[^"\\]|\\.)*"\])(\.[A-Za-z_][\w-]*|\["(?:[^"\\]|\\.)*"\]|\[\d+\])*): \S/;
const identifier = /^[a-z_][a-z0-9_]*$/;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe("bad input, fuzzed (fast-check)", function () {
    this.timeout(300000);

    it("10,000 generated specs: each validates or names a field; a valid one only has safe names", () => {
        let valid = 0;
        fc.assert(
            fc.property(specs, stacks, (input, stack) => {
                const outcome = check(input, stack);
                if (outcome instanceof SpecError) return;
                valid++;
                const access = accessPlan(outcome);
                for (const name of [access.database, access.schema, ...access.roles.map((r) => r.name)])
                    assert.ok(identifier.test(name) && Buffer.byteLength(name) <= 63, name);
                assert.ok(dnsLabel.test(outcome.app.namespace) && dnsLabel.test(outcome.app.name));
            }),
            { numRuns: 10_000 },
        );
        assert.ok(valid >= 1000, `only ${valid} of the generated specs were valid: the safe-name property saw too few`);
    });

    it("registers no resource from an invalid spec", async () => {
        const invalid = fc
            .sample(specs, { numRuns: 400, seed: 7 })
            .filter((input) => check(input, "dev") instanceof SpecError)
            .slice(0, 60);
        assert.ok(invalid.length >= 30);
        for (const input of invalid) {
            const resources = await registered(() => {
                assert.throws(
                    () => new AppEnvironment("fuzz", { spec: input as never, databaseAdminPassword: "pw" }),
                    SpecError,
                );
            });
            assert.deepEqual(resources, []);
        }
    });

    it("2,000 generated self-service files: each becomes a spec or names its problems, never a crash", () => {
        const policy: SelfServicePolicy = selfServicePolicy(
            {
                registries: ["ghcr.io/acme/"],
                teams: ["payments"],
                database: { host: "db" },
                argocd: { repoURL: "https://github.com/acme/gitops.git" },
            },
            "platform",
        );
        const good = { app: "shop", team: "payments", image: "ghcr.io/acme/shop:v1" };
        const requests = fc.oneof(
            fc
                .dictionary(
                    fc.constantFrom(
                        "app",
                        "team",
                        "image",
                        "size",
                        "replicas",
                        "port",
                        "env",
                        "database",
                        "migration",
                        "x",
                    ),
                    junk,
                    { maxKeys: 6 },
                )
                .map((d) => stringify({ ...good, ...d })),
            fc.string({ maxLength: 200 }),
            fc.constantFrom(
                "a: &a [1, 2]\nb: *a\n",
                `${Array.from(
                    { length: 9 },
                    (_, i) =>
                        `l${i}: &l${i} [${Array(9)
                            .fill(i === 0 ? "x" : `*l${i - 1}`)
                            .join(", ")}]`,
                ).join("\n")}\n`,
                "app: [unclosed\n",
                "%YAML 9.9\n---\n",
                "!!binary AAAA\n",
            ),
        );
        fc.assert(
            fc.property(requests, (text) => {
                const started = performance.now();
                const result = requestFromText(policy, "payments-shop.yaml", text, "platform");
                assert.ok(performance.now() - started < 1000);
                if ("problems" in result) {
                    assert.ok(result.problems.length >= 1);
                    for (const problem of result.problems) assert.equal(typeof problem, "string");
                } else {
                    assert.ok(identifier.test(result.spec.database.name));
                }
            }),
            { numRuns: 2_000 },
        );
    });

    describe("names that reach SQL", () => {
        let pg: LocalPostgres | undefined;
        before(async () => {
            pg = await startPostgres();
        });
        after(async () => pg?.stop());

        it("are refused by the validator unless plain identifiers, and quoted so Postgres reads back exactly the name", () => {
            for (const name of hostile.filter((h) => !identifier.test(h)))
                assert.ok(check(specInput({ database: { host: "db", name } }), "dev") instanceof SpecError, name);
            const names = fc.sample(
                fc
                    .string({ unit: "grapheme", minLength: 1, maxLength: 20 })
                    .filter((s) => !s.includes("\u0000") && Buffer.byteLength(s) <= 63),
                { numRuns: 300, seed: 11 },
            );
            const sql = names
                .map(
                    (name, i) =>
                        `CREATE TEMP TABLE t${i} (${ident(name)} int); SELECT ${literal(String(i))}, attname FROM pg_attribute WHERE attrelid = 't${i}'::regclass AND attnum = 1;`,
                )
                .join("\n");
            const server = pg as LocalPostgres;
            const rows = runSql(server.env("postgres", server.adminPassword), `${sql}\n`).split("\n");
            assert.deepEqual(
                rows.map((row) => row.slice(row.indexOf("|") + 1)),
                names,
            );
        });
    });
});
