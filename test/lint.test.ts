import { strict as assert } from "assert";
import { writeFileSync } from "fs";
import { join } from "path";
import { formatFinding, lintDirectory, lintFile, loadParser, rules } from "../lint";
import { migrationsDir } from "./helpers/scratch";
import { migrateFirst } from "./helpers/cli";

const noTx = "-- migrate-first: no-transaction\n";
const contract = "-- migrate-first: contract completes 1\n";

const optIns = Object.values(rules)
    .filter((r) => r.optIn === true)
    .map((r) => r.id);

/** Rules that fire (not opted out) on a file, the opt-in rules on. */
const firing = (sql: string, file = "0002_change.sql") =>
    lintFile(file, sql, { enable: optIns })
        .findings.filter((f) => f.severity !== "allowed")
        .map((f) => f.rule);

// [rule, a file it fires on, the safe rewrite it stays quiet on]. Tables not created in the
// file are existing tables with traffic.
const cases: [string, string, string][] = [
    [
        "require-concurrent-index-creation",
        "CREATE INDEX i ON t (a);",
        `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);`,
    ],
    ["require-concurrent-index-deletion", "DROP INDEX i;", `${noTx}DROP INDEX CONCURRENTLY IF EXISTS i;`],
    ["require-concurrent-reindex", "REINDEX INDEX i;", `${noTx}REINDEX INDEX CONCURRENTLY i;`],
    [
        "require-concurrent-partition-detach",
        "ALTER TABLE t DETACH PARTITION p;",
        `${noTx}ALTER TABLE t DETACH PARTITION p CONCURRENTLY;`,
    ],
    [
        "adding-foreign-key-constraint",
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES u (id);",
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES u (id) NOT VALID;",
    ],
    [
        "adding-foreign-key-constraint",
        "ALTER TABLE t ADD COLUMN u bigint REFERENCES u (id);",
        "CREATE TABLE v (id bigint, u bigint REFERENCES u (id));",
    ],
    [
        "constraint-missing-not-valid",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
    ],
    [
        "validate-in-same-transaction",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;",
        "ALTER TABLE t VALIDATE CONSTRAINT c;",
    ],
    [
        "disallowed-unique-constraint",
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);",
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_a;",
    ],
    [
        "adding-primary-key-constraint",
        "ALTER TABLE t ADD PRIMARY KEY (id);",
        "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id;",
    ],
    [
        "adding-exclusion-constraint",
        "ALTER TABLE t ADD CONSTRAINT e EXCLUDE USING gist (r WITH &&);",
        "CREATE TABLE booking (r int8range, EXCLUDE USING gist (r WITH &&));",
    ],
    [
        "adding-field-with-default",
        "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();",
        "ALTER TABLE t ADD COLUMN v boolean DEFAULT false;",
    ],
    [
        "adding-stored-generated-column",
        "ALTER TABLE t ADD COLUMN g bigint GENERATED ALWAYS AS (a * 2) STORED;",
        "ALTER TABLE t ADD COLUMN g bigint GENERATED ALWAYS AS (a * 2) VIRTUAL;",
    ],
    [
        "adding-serial-primary-key-field",
        "ALTER TABLE t ADD COLUMN n bigserial;",
        "CREATE TABLE n (id bigint GENERATED ALWAYS AS IDENTITY);",
    ],
    ["changing-column-type", "ALTER TABLE t ALTER COLUMN a TYPE bigint;", "ALTER TABLE t ADD COLUMN a_big bigint;"],
    [
        "adding-not-nullable-field",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        "ALTER TABLE t ADD CONSTRAINT a_not_null CHECK (a IS NOT NULL) NOT VALID;",
    ],
    [
        "ban-table-rewrite",
        "ALTER TABLE t SET LOGGED;",
        "CREATE UNLOGGED TABLE n (id bigint);\nALTER TABLE n SET LOGGED;",
    ],
    ["ban-vacuum-full", "VACUUM FULL t;", "VACUUM t;"],
    ["ban-cluster", "CLUSTER t USING i;", "ANALYZE t;"],
    ["ban-lock-table", "LOCK TABLE t;", "ALTER TABLE t ADD COLUMN x bigint;"],
    ["require-concurrent-refresh", "REFRESH MATERIALIZED VIEW m;", "REFRESH MATERIALIZED VIEW CONCURRENTLY m;"],
    [
        "ban-alter-domain-with-add-constraint",
        "ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0);",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
    ],
    ["ban-create-domain-with-constraint", "CREATE DOMAIN d AS bigint CHECK (VALUE > 0);", "CREATE DOMAIN d AS bigint;"],
    ["ban-drop-column", "ALTER TABLE t DROP COLUMN a;", `${contract}ALTER TABLE t DROP COLUMN a;`],
    ["ban-drop-table", "DROP TABLE t;", `${contract}DROP TABLE t;`],
    ["ban-drop-table", "DROP TABLE t;", "CREATE TABLE t (id bigint);\nDROP TABLE t;"],
    [
        "ban-drop-database",
        "DROP DATABASE shop;",
        "DROP TABLE IF EXISTS created_here;\nCREATE TABLE created_here (id bigint);".split("\n").reverse().join("\n"),
    ],
    ["ban-drop-schema-object", "DROP SEQUENCE s;", `${contract}DROP SEQUENCE s;`],
    ["ban-drop-constraint", "ALTER TABLE t DROP CONSTRAINT c;", `${contract}ALTER TABLE t DROP CONSTRAINT c;`],
    ["renaming-column", "ALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t ADD COLUMN b bigint;"],
    ["renaming-table", "ALTER TABLE t RENAME TO u;", "CREATE VIEW u AS SELECT * FROM t;"],
    [
        "ban-drop-not-null",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
        `${contract}ALTER TABLE t ALTER COLUMN a DROP NOT NULL;`,
    ],
    ["ban-drop-default", "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;", "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0;"],
    [
        "adding-required-field",
        "ALTER TABLE t ADD COLUMN r bigint NOT NULL;",
        "ALTER TABLE t ADD COLUMN r bigint NOT NULL DEFAULT 0;",
    ],
    ["ban-truncate", "TRUNCATE t CASCADE;", "DELETE FROM t WHERE id < 1000;"],
    ["transaction-nesting", "BEGIN;\nCREATE TABLE a (id bigint);\nCOMMIT;", "CREATE TABLE a (id bigint);"],
    [
        "ban-concurrent-index-creation-in-transaction",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);",
        `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);`,
    ],
    [
        "prefer-robust-stmts",
        `${noTx}CREATE INDEX CONCURRENTLY i ON t (a);`,
        `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);`,
    ],
    ["require-enum-value-ordering", "ALTER TYPE mood ADD VALUE 'meh';", "ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';"],
    [
        "identifier-too-long",
        `CREATE TABLE ${"t".repeat(64)} (id bigint);`,
        `CREATE TABLE ${"t".repeat(63)} (id bigint);`,
    ],
    ["syntax-error", "CREATE TABLE (id bigint;", "CREATE TABLE a (id bigint);"],
    ["prefer-bigint-over-int", "CREATE TABLE a (id int);", "CREATE TABLE a (id bigint);"],
    ["prefer-bigint-over-smallint", "CREATE TABLE a (n smallint);", "CREATE TABLE a (n bigint);"],
    ["prefer-identity", "CREATE TABLE a (id bigserial);", "CREATE TABLE a (id bigint GENERATED ALWAYS AS IDENTITY);"],
    [
        "prefer-text-field",
        "CREATE TABLE a (name varchar(20));",
        "CREATE TABLE a (name text CHECK (length(name) <= 20));",
    ],
    ["prefer-timestamptz", "CREATE TABLE a (at timestamp);", "CREATE TABLE a (at timestamptz);"],
    ["ban-char-field", "CREATE TABLE a (code char(3));", "CREATE TABLE a (code text);"],
    ["prefer-jsonb", "CREATE TABLE a (doc json);", "CREATE TABLE a (doc jsonb);"],
    [
        "require-lock-timeout",
        "ALTER TABLE t ADD COLUMN c text;",
        "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c text;",
    ],
    [
        "require-statement-timeout",
        "ALTER TABLE t ADD COLUMN c text;",
        "SET statement_timeout = '5min';\nALTER TABLE t ADD COLUMN c text;",
    ],
    ["require-table-schema", "ALTER TABLE t ADD COLUMN c text;", "ALTER TABLE public.t ADD COLUMN c text;"],
    ["ban-duplicate-column-assignments", "UPDATE t SET a = 1, a = 2;", "UPDATE t SET a = 1, b = 2;"],
    [
        "index-too-many-columns",
        `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a, b, c, d);`,
        `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a, b, c);`,
    ],
    [
        "contract-without-expand",
        "-- migrate-first: contract\nALTER TABLE t DROP COLUMN a;",
        `${contract}ALTER TABLE t DROP COLUMN a;`,
    ],
    [
        "bad-directive",
        "-- migrate-first: allow ban-drop-column\nALTER TABLE t DROP COLUMN a;",
        "-- migrate-first: allow ban-drop-column because the column was never read\nALTER TABLE t DROP COLUMN a;",
    ],
    [
        "bad-directive",
        "-- migrate-first: no-transation\nCREATE TABLE a (id bigint);",
        `${noTx}CREATE TABLE IF NOT EXISTS a (id bigint);`,
    ],
];

describe("the migration linter", () => {
    before(() => loadParser());

    it("has a fire and a quiet case for every rule but file-name (tested below)", () => {
        const covered = new Set(cases.map(([rule]) => rule));
        assert.deepEqual(
            Object.keys(rules).filter((id) => !covered.has(id) && id !== "file-name"),
            [],
        );
    });

    for (const [rule, bad, safe] of cases) {
        it(`${rule}: fires on ${JSON.stringify(bad.split("\n").pop())}, quiet on the safe form`, () => {
            assert.ok(firing(bad).includes(rule), `did not fire: ${firing(bad).join(", ") || "nothing"}`);
            assert.ok(!firing(safe).includes(rule), `fired on the safe form: ${safe}`);
        });
    }

    it("file-name: fires on a file the runner would refuse", () => {
        assert.ok(firing("SELECT 1;", "create_users.sql").includes("file-name"));
        assert.ok(!firing("SELECT 1;", "0001_create_users.sql").includes("file-name"));
    });

    it("reports file:line:col rule-id severity: what — why — the safe way", () => {
        const [finding] = lintFile(
            "0007_index.sql",
            "-- a comment\n\n  CREATE INDEX users_email ON users (email);\n",
        ).findings;
        assert.ok(finding);
        assert.equal(
            formatFinding(finding),
            "0007_index.sql:3:3 require-concurrent-index-creation error: CREATE INDEX users_email on users without CONCURRENTLY — CREATE INDEX takes a SHARE lock: every write to the table waits until the index is built — CREATE INDEX CONCURRENTLY ... in a file marked -- migrate-first: no-transaction",
        );
    });

    it("classifies each statement as expand, contract or blocking", () => {
        const report = lintFile(
            "0002_mixed.sql",
            "ALTER TABLE t ADD COLUMN v boolean DEFAULT false;\nALTER TABLE t DROP COLUMN a;\nCREATE INDEX i ON t (v);\nALTER TABLE t ALTER COLUMN b TYPE bigint;\n",
        );
        assert.deepEqual(
            report.statements.map((s) => [s.line, s.classes]),
            [
                [1, ["expand"]],
                [2, ["contract"]],
                [3, ["blocking"]],
                [4, ["blocking"]],
            ],
        );
    });

    it("reports an opt-out with its reason, per statement or per file, and only for the named rule", () => {
        const sql =
            "CREATE INDEX a ON t (x);\n-- migrate-first: allow require-concurrent-index-creation because t has 12 rows\nCREATE INDEX b ON t (y);\n";
        const findings = lintFile("0003_ix.sql", sql).findings;
        assert.deepEqual(
            findings.map((f) => [f.line, f.severity, f.reason]),
            [
                [1, "error", undefined],
                [3, "allowed", "t has 12 rows"],
            ],
        );
        assert.match(formatFinding(findings[1]), /\(allowed: t has 12 rows\)$/);
        const file = lintFile(
            "0003_ix.sql",
            `-- migrate-first: allow require-concurrent-index-creation because lookup table\n${sql}`,
        );
        assert.deepEqual(
            file.findings.map((f) => f.severity),
            ["allowed", "allowed"],
        );
    });

    it("checks each contract against the expand it names", () => {
        const dir = migrationsDir({
            "0001_add_email_verified.sql": "ALTER TABLE users ADD COLUMN email_verified boolean DEFAULT false;",
            "0002_drop_old.sql":
                "-- migrate-first: contract completes 1\nALTER TABLE users DROP COLUMN is_email_confirmed;",
            "0003_bad.sql": "-- migrate-first: contract completes 9\nALTER TABLE users DROP COLUMN a;",
            "0004_bad.sql": "-- migrate-first: contract completes 2\nALTER TABLE users DROP COLUMN b;",
            "0005_bad.sql": "-- migrate-first: contract completes 6\nALTER TABLE users DROP COLUMN c;",
            "0006_later.sql": "ALTER TABLE users ADD COLUMN d bigint;",
        });
        const problems = lintDirectory(dir)
            .findings.filter((f) => f.rule === "contract-without-expand")
            .map((f) => `${f.file}: ${f.what}`);
        assert.deepEqual(problems, [
            "0003_bad.sql: it completes 9, but no file has that version",
            "0004_bad.sql: it completes 0002_drop_old.sql, which is itself a contract",
            "0005_bad.sql: it completes 0006_later.sql, which does not come before it",
        ]);
    });

    it("exits 1 on an error, 0 on warnings only, and prints JSON for tools", () => {
        const cli = (...args: string[]) => migrateFirst(["lint", ...args], { encoding: "utf8" });
        const dir = migrationsDir({ "0001_a.sql": "CREATE TABLE a (id int);" });
        const warned = cli(dir);
        assert.equal(warned.status, 0, warned.stderr);
        assert.match(warned.stdout, /0001_a\.sql:1:1 prefer-bigint-over-int warning: column id is a 32-bit integer/);
        assert.match(warned.stdout, /1 file\(s\), 1 statement\(s\): 0 error\(s\), 1 warning\(s\), 0 allowed/);
        writeFileSync(join(dir, "0002_b.sql"), "ALTER TABLE a DROP COLUMN id;");
        const failed = cli(dir, "--json");
        assert.equal(failed.status, 1);
        const report = JSON.parse(failed.stdout) as { errors: number; findings: { rule: string; kind: string }[] };
        assert.equal(report.errors, 1);
        assert.deepEqual(
            report.findings.map((f) => [f.rule, f.kind]),
            [
                ["prefer-bigint-over-int", "style"],
                ["ban-drop-column", "contract"],
            ],
        );
        assert.equal(cli(join(dir, "missing")).status, 2);
        assert.equal(
            cli(join(__dirname, "..", "examples", "shop", "migrations")).status,
            0,
            "our own example is clean",
        );
    });
});
