// The classes of misses issue 15 names, measured against a peer linter's (squawk's) own rule
// tests: one block per class, each case failing on the linter before the fix.
import { strict as assert } from "assert";
import { lintDirectory, lintFile, loadParser, optInGroups, parseStatements, rules } from "../lint";
import { ruleExamples } from "../lint/rule-examples";
import { migrationsDir } from "./helpers/scratch";
import { migrateFirst } from "./helpers/cli";

const noTx = "-- migrate-first: no-transaction\n";
const contractHeader = "-- migrate-first: contract completes 2\n";

/** Rules that fire (not opted out) on a file. */
const firing = (sql: string, file = "0002_change.sql") =>
    lintFile(file, sql)
        .findings.filter((f) => f.severity !== "allowed")
        .map((f) => f.rule);

describe("the linter against the peers' rule tests (issue 15)", () => {
    before(() => loadParser());

    describe("options spelled off", () => {
        for (const value of ["false", "off", "0", "FALSE", "Off", "'false'", "E'false'", "U&'false'"]) {
            it(`REINDEX (CONCURRENTLY ${value}) is a blocking reindex, in a no-transaction file too`, () => {
                assert.ok(firing(`REINDEX (CONCURRENTLY ${value}) INDEX i;`).includes("require-concurrent-reindex"));
                assert.ok(
                    firing(`${noTx}REINDEX (CONCURRENTLY ${value}) INDEX i;`).includes("require-concurrent-reindex"),
                );
            });
            it(`VACUUM (FULL ${value}) is a plain vacuum`, () => {
                assert.deepEqual(firing(`VACUUM (FULL ${value}) t;`), []);
            });
        }
        for (const value of ["", " true", " on", " 1", " TRUE"]) {
            it(`REINDEX (CONCURRENTLY${value}) is concurrent; VACUUM (FULL${value}) is a full vacuum`, () => {
                assert.deepEqual(firing(`${noTx}REINDEX (CONCURRENTLY${value}) INDEX i;`), []);
                assert.ok(
                    firing(`REINDEX (CONCURRENTLY${value}) INDEX i;`).includes(
                        "ban-concurrent-index-creation-in-transaction",
                    ),
                );
                assert.deepEqual(firing(`VACUUM (FULL${value}, ANALYZE) t;`), ["ban-vacuum-full"]);
            });
        }
        it("the last spelling of an option wins, as in Postgres", () => {
            assert.deepEqual(firing("VACUUM (FULL, FULL false) t;"), []);
        });
    });

    describe("identifiers measured after unescaping", () => {
        const cases: [string, boolean][] = [
            [`"${"a".repeat(62)}""b"`, true], // 62 + 1 + 1 = 64 bytes
            [`"${"a".repeat(61)}""b"`, false], // 63 bytes: 65 characters written, but Postgres keeps it whole
            [`"${"a".repeat(31)}""${"b".repeat(31)}""c"`, true], // no 64-character run between the quotes
            [`U&"${"\\0061".repeat(64)}"`, true],
            [`U&"${"\\0061".repeat(63)}"`, false],
            [`"${"é".repeat(32)}"`, true], // 64 bytes in UTF-8
        ];
        for (const [name, long] of cases) {
            it(`${name.slice(0, 20)}… (${name.length} characters written) is ${long ? "" : "not "}too long`, () => {
                assert.equal(firing(`CREATE TABLE ${name} (id bigint);`).includes("identifier-too-long"), long);
            });
        }
    });

    describe("type-style rules as the peers apply them", () => {
        const cases: [string, string][] = [
            ["ban-char-field", '"char"(100)'],
            ["ban-char-field", '"character"(255)'],
            ["ban-char-field", '"bpchar"(50)'],
            ["ban-char-field", "CHARACTER(100)"],
            ["ban-char-field", "char[]"],
            ["prefer-bigint-over-int", '"integer"'],
            ["prefer-bigint-over-int", '"int4"'],
            ["prefer-bigint-over-int", "serial4"],
            ["prefer-bigint-over-smallint", '"int2"'],
            ["prefer-text-field", '"varchar"(100)'],
            ["prefer-text-field", "pg_catalog.varchar(100)"],
            ["prefer-timestamptz", '"timestamp"'],
            ["prefer-timestamptz", "timestamp(3) without time zone"],
            ["prefer-timestamptz", "timestamp[]"],
        ];
        for (const [rule, type] of cases) {
            it(`${rule}: fires on ${type} in CREATE TABLE, ADD COLUMN and ALTER COLUMN ... TYPE`, () => {
                assert.ok(firing(`CREATE TABLE a (c ${type});`).includes(rule));
                assert.ok(firing(`ALTER TABLE t ADD COLUMN c ${type};`).includes(rule));
                assert.ok(firing(`ALTER TABLE t ALTER COLUMN c TYPE ${type};`).includes(rule));
                assert.ok(
                    firing(`ALTER TABLE t ALTER COLUMN c SET DATA TYPE ${type} USING c::${type};`).includes(rule),
                );
            });
        }
        it("stays quiet on the types the peers accept", () => {
            for (const type of [
                "bigint",
                "text",
                "varchar",
                "timestamptz",
                "timestamp with time zone",
                "jsonb",
                "int8",
            ])
                assert.deepEqual(firing(`ALTER TABLE t ALTER COLUMN c TYPE ${type};`), ["changing-column-type"], type);
        });
    });

    describe("psql input the runner accepts parses", () => {
        const data = "1\t\\N\n2\tit's; -- not SQL\n3\t$$ /* nor this\n\\.\n";
        it("COPY ... FROM STDIN with inline data lints, and the statements after it keep their lines", () => {
            const report = lintFile(
                "0002_seed.sql",
                `CREATE TABLE t (a bigint, b text);\nCOPY t (a, b) FROM stdin;\n${data}CREATE INDEX i ON users (a);\n`,
            );
            assert.deepEqual(
                report.findings.map((f) => [f.rule, f.line]),
                [["require-concurrent-index-creation", 7]],
            );
            assert.deepEqual(
                report.statements.map((s) => [s.type, s.line]),
                [
                    ["CreateStmt", 1],
                    ["CopyStmt", 2],
                    ["IndexStmt", 7],
                ],
            );
        });
        it("reads COPY ... FROM STDIN in any case, with options, and data to the end of the file", () => {
            assert.deepEqual(firing(`copy t from STDIN with (format csv);\n1,"a;b"\n`), []);
            assert.deepEqual(firing(`COPY t FROM STDIN; -- seed\n${data}COPY t FROM STDIN;\n${data}`), []);
        });
        it("leaves a COPY ... FROM a file, and data-looking SQL in strings, to the parser", () => {
            assert.deepEqual(firing("COPY t FROM '/tmp/x';\nSELECT 'COPY t FROM STDIN;';\n"), []);
            assert.ok(firing("SELECT 'COPY t FROM STDIN;';\n1\tx\n").includes("syntax-error"));
        });
    });

    describe("robust statements in files that run outside a transaction", () => {
        const robust = (sql: string) => firing(`${noTx}${sql}`).filter((r) => r === "prefer-robust-stmts").length;
        // [a statement a rerun fails on, its re-runnable form]
        const cases: [string, string][] = [
            ["CREATE TABLE a (id bigint);", "CREATE TABLE IF NOT EXISTS a (id bigint);"],
            ["CREATE TABLE a AS SELECT 1 AS id;", "CREATE TABLE IF NOT EXISTS a AS SELECT 1 AS id;"],
            ["CREATE TEMP TABLE a (id bigint);", "CREATE TEMP TABLE a (id bigint) ON COMMIT DROP;"],
            ["CREATE SEQUENCE s;", "CREATE SEQUENCE IF NOT EXISTS s;"],
            ["CREATE SCHEMA app;", "CREATE SCHEMA IF NOT EXISTS app;"],
            ["CREATE EXTENSION pgcrypto;", "CREATE EXTENSION IF NOT EXISTS pgcrypto;"],
            ["CREATE INDEX CONCURRENTLY i ON t (a);", "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"],
            ["CREATE VIEW v AS SELECT 1;", "CREATE OR REPLACE VIEW v AS SELECT 1;"],
            [
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
                "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            ],
            ["DROP TABLE t;", "DROP TABLE IF EXISTS t;"],
            ["DROP TYPE mood;", "DROP TYPE IF EXISTS mood;"],
            ["DROP INDEX CONCURRENTLY i;", "DROP INDEX CONCURRENTLY IF EXISTS i;"],
            ["DROP VIEW v;", "DROP VIEW IF EXISTS v;"],
            ["DROP SEQUENCE s;", "DROP SEQUENCE IF EXISTS s;"],
            ["ALTER TABLE t ADD COLUMN c text;", "ALTER TABLE t ADD COLUMN IF NOT EXISTS c text;"],
            ["ALTER TABLE t DROP COLUMN c CASCADE;", "ALTER TABLE t DROP COLUMN IF EXISTS c CASCADE;"],
            ["ALTER TABLE t DROP CONSTRAINT c;", "ALTER TABLE t DROP CONSTRAINT IF EXISTS c;"],
            [
                'ALTER TABLE "app_email" ADD CONSTRAINT "email_uniq" UNIQUE USING INDEX "email_idx";',
                'ALTER TABLE "app_email" DROP CONSTRAINT IF EXISTS "email_uniq";\nALTER TABLE "app_email" ADD CONSTRAINT "email_uniq" UNIQUE USING INDEX "email_idx";',
            ],
            [
                "ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';",
                "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok';",
            ],
        ];
        for (const [fragile, safe] of cases) {
            it(`${fragile.split(" ").slice(0, 3).join(" ")}: fires without the guard, quiet with it`, () => {
                assert.equal(robust(fragile), 1, fragile);
                assert.equal(robust(safe), 0, safe);
                assert.equal(firing(fragile).filter((r) => r === "prefer-robust-stmts").length, 0, "in a transaction");
            });
        }
        it("adding a constraint back twice after one DROP IF EXISTS is not re-runnable the second time", () => {
            const add = 'ALTER TABLE "app_email" ADD CONSTRAINT "email_uniq" UNIQUE USING INDEX "email_idx";';
            assert.equal(robust(`ALTER TABLE "app_email" DROP CONSTRAINT IF EXISTS "email_uniq";\n${add}\n${add}`), 1);
        });
        it("statements that are idempotent as written, and DML, need nothing", () => {
            for (const sql of [
                "SELECT 1;",
                "INSERT INTO tbl VALUES (1);",
                "COMMENT ON TABLE t IS 'x';",
                "ALTER TABLE t VALIDATE CONSTRAINT c;",
                "CREATE INDEX CONCURRENTLY ON t (a);",
            ])
                assert.equal(robust(sql), 0, sql);
        });
    });

    describe("the safe NOT NULL path passes", () => {
        const add = "ALTER TABLE users ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID;";
        const validate = "ALTER TABLE users VALIDATE CONSTRAINT email_not_null;";
        const setNotNull = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;";
        const rulesOf = (files: Record<string, string>) =>
            lintDirectory(migrationsDir(files))
                .findings.filter((f) => f.severity !== "allowed")
                .map((f) => `${f.file} ${f.rule}`);

        it("in separate files of one release, or across releases: no finding", () => {
            assert.deepEqual(
                rulesOf({ "0001_check.sql": add, "0002_validate.sql": validate, "0003_not_null.sql": setNotNull }),
                [],
            );
        });
        it("in one file after a validated check (validating there is its own finding)", () => {
            assert.deepEqual(firing(`${add}\n${validate}\n${setNotNull}`), ["validate-in-same-transaction"]);
            assert.deepEqual(
                firing("ALTER TABLE users ADD CONSTRAINT e CHECK (email IS NOT NULL AND id > 0);\n" + setNotNull),
                ["constraint-missing-not-valid"],
            );
        });
        it("a file linted alone: VALIDATE, SET NOT NULL, then DROP of the same helper (added in an earlier file)", () => {
            const notNull = (sql: string) => firing(sql).filter((r) => r === "adding-not-nullable-field").length;
            for (const helper of ["foo_bar_not_null", "bar_not_null", "some_helper"])
                assert.equal(
                    notNull(
                        `ALTER TABLE foo VALIDATE CONSTRAINT ${helper};\nALTER TABLE foo ALTER COLUMN bar SET NOT NULL;\nALTER TABLE foo DROP CONSTRAINT ${helper};`,
                    ),
                    0,
                    helper,
                );
            // The helper's name says it covers bar: baz still scans.
            assert.equal(
                notNull(
                    "ALTER TABLE foo VALIDATE CONSTRAINT bar_not_null;\nALTER TABLE foo ALTER COLUMN baz SET NOT NULL;\nALTER TABLE foo ALTER COLUMN bar SET NOT NULL;\nALTER TABLE foo DROP CONSTRAINT bar_not_null;",
                ),
                1,
            );
            // An unrelated VALIDATE, or one never dropped, proves nothing.
            assert.equal(
                notNull(
                    "ALTER TABLE foo VALIDATE CONSTRAINT some_other_check;\nALTER TABLE foo ALTER COLUMN bar SET NOT NULL;",
                ),
                1,
            );
            // A helper whose name says no column pairs with one SET NOT NULL only.
            assert.equal(
                notNull(
                    "ALTER TABLE foo VALIDATE CONSTRAINT h;\nALTER TABLE foo ALTER COLUMN a SET NOT NULL;\nALTER TABLE foo ALTER COLUMN b SET NOT NULL;\nALTER TABLE foo DROP CONSTRAINT h;",
                ),
                1,
            );
        });
        it("the runner's order is the version's, not the name's", () => {
            assert.deepEqual(
                rulesOf({ "9_check.sql": add, "10_validate.sql": validate, "11_not_null.sql": setNotNull }),
                [],
            );
        });
        it("still an error without the check, before VALIDATE, for another column or table, or after the check is dropped", () => {
            const error = ["0003_not_null.sql adding-not-nullable-field"];
            assert.deepEqual(rulesOf({ "0003_not_null.sql": setNotNull }), error);
            assert.deepEqual(rulesOf({ "0001_check.sql": add, "0003_not_null.sql": setNotNull }), error);
            assert.deepEqual(
                rulesOf({
                    "0001_check.sql": add.replace("(email", "(name"),
                    "0002_validate.sql": validate,
                    "0003_not_null.sql": setNotNull,
                }),
                error,
            );
            assert.deepEqual(
                rulesOf({
                    "0001_check.sql": add.replace("TABLE users", "TABLE accounts"),
                    "0002_validate.sql": validate,
                    "0003_not_null.sql": setNotNull,
                }),
                error,
            );
            assert.deepEqual(
                rulesOf({
                    "0001_check.sql": add,
                    "0002_validate.sql": validate,
                    "0003_not_null.sql": `${contractHeader}ALTER TABLE users DROP CONSTRAINT email_not_null;\n${setNotNull}`,
                }),
                error,
            );
            assert.deepEqual(
                rulesOf({
                    "0001_check.sql": add,
                    "0002_validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT other;",
                    "0003_not_null.sql": setNotNull,
                }),
                error,
            );
        });
    });

    describe("opt-in rules the peers have", () => {
        const optIns = ["require-timeout-settings", "require-table-schema", "ban-duplicate-column-assignments"];
        const enabled = (sql: string, rule: string) =>
            lintFile("0002_change.sql", sql, { enable: [rule] })
                .findings.filter((f) => (optInGroups[rule] ?? [rule]).includes(f.rule))
                .map((f) => f.what);

        it("are off unless enabled, and only opt-in rules can be enabled", () => {
            assert.deepEqual(firing("ALTER TABLE t ADD COLUMN c text;\nUPDATE t SET c = '', c = 'x';"), []);
            assert.throws(
                () => lintFile("0002_a.sql", "SELECT 1;", { enable: ["ban-drop-column"] }),
                /not an opt-in rule/,
            );
        });

        it("require-timeout-settings: both timeouts before the first statement that may wait, each reported once", () => {
            assert.deepEqual(
                enabled("ALTER TABLE t ADD COLUMN c text;\nCREATE INDEX i ON t (c);", "require-timeout-settings"),
                [
                    "no SET lock_timeout before the first statement that may wait for a lock",
                    "no SET statement_timeout before the first statement that may run long",
                ],
            );
            assert.deepEqual(
                enabled("SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c text;", "require-timeout-settings"),
                ["no SET statement_timeout before the first statement that may run long"],
            );
            assert.deepEqual(
                enabled(
                    "SET lock_timeout = '1s';\nSET LOCAL statement_timeout TO 5000;\nALTER TABLE t ADD COLUMN c text;",
                    "require-timeout-settings",
                ),
                [],
            );
            assert.equal(
                enabled(
                    "SET foo.lock_timeout = '1s';\nSET statement_timeout = 1;\nDROP TABLE t;",
                    "require-timeout-settings",
                ).length,
                1,
                "another variable of the same name does not count",
            );
            assert.deepEqual(
                enabled(
                    "SELECT 1;\nINSERT INTO t VALUES (1);\nUPDATE t SET a = 1;\nANALYZE t;",
                    "require-timeout-settings",
                ),
                [],
                "DML and ANALYZE do not wait on schema locks",
            );
            assert.equal(
                enabled("ALTER TABLE t ADD COLUMN c text;\nSET lock_timeout = '1s';", "require-timeout-settings")
                    .length,
                2,
            );
        });

        it("require-lock-timeout and require-statement-timeout each on their own, any case", () => {
            const sql = "ALTER TABLE t ADD COLUMN c boolean;";
            assert.deepEqual(enabled(sql, "require-lock-timeout"), [
                "no SET lock_timeout before the first statement that may wait for a lock",
            ]);
            assert.deepEqual(enabled(sql, "require-statement-timeout"), [
                "no SET statement_timeout before the first statement that may run long",
            ]);
            assert.deepEqual(
                enabled(`SET Lock_Timeout = '1s';\nSET Statement_Timeout = '5s';\n${sql}`, "require-timeout-settings"),
                [],
            );
        });

        it("require-table-schema: CREATE TABLE, CREATE TABLE AS, ALTER TABLE and DROP TABLE name the schema", () => {
            for (const sql of [
                "CREATE TABLE my_table (id bigint);",
                "CREATE TABLE my_table AS SELECT 1;",
                "ALTER TABLE my_table ADD COLUMN name text;",
                "DROP TABLE my_table;",
            ]) {
                assert.deepEqual(enabled(sql, "require-table-schema"), ["table my_table is not schema-qualified"], sql);
                assert.deepEqual(enabled(sql.replace("my_table", "public.my_table"), "require-table-schema"), [], sql);
            }
            assert.deepEqual(enabled("CREATE TEMP TABLE tmp (id int4) ON COMMIT DROP;", "require-table-schema"), []);
            assert.deepEqual(enabled("CREATE TEMPORARY TABLE tmp AS SELECT 1;", "require-table-schema"), []);
        });

        it("ban-duplicate-column-assignments: UPDATE SET, INSERT, MERGE, ON CONFLICT, CREATE TABLE and VIEW, ALTER TABLE", () => {
            const duplicate = [
                "UPDATE k SET a = 1, a = 1, b = 2, c = 3;",
                "UPDATE k SET (a, b) = (1, 2), a = 3;",
                "UPDATE k SET a = row(1, 2), a.x = 1;",
                "UPDATE k SET a = 1, A = 2;",
                'UPDATE k SET "a" = 1, a = 2;',
                `UPDATE k SET ${"a".repeat(63)}x = 1, ${"a".repeat(63)}y = 2;`,
                "INSERT INTO t (a, a) VALUES (1, 2);",
                "INSERT INTO t (a) VALUES (1) ON CONFLICT (id) DO UPDATE SET b = 1, b = 2;",
                "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (a, a) VALUES (1, 2);",
                "WITH u AS (UPDATE k SET a = 1, a = 2 RETURNING 1) SELECT * FROM u;",
                "CREATE TABLE t (a int, a text);",
                "CREATE VIEW v (a, a) AS SELECT 1, 2;",
                "CREATE VIEW v AS SELECT t.a, b AS a FROM t;",
                "ALTER TABLE t ADD COLUMN a int, ADD COLUMN a text;",
            ];
            for (const sql of duplicate) assert.equal(enabled(sql, "ban-duplicate-column-assignments").length, 1, sql);
            for (const sql of [
                "UPDATE k SET a = 1, b = 2;",
                "UPDATE k SET a.x = 1, a.y = 2;",
                "INSERT INTO t (a, b) VALUES (1, 2);",
                "CREATE VIEW v AS SELECT 1, 2;",
                "ALTER TABLE t ADD COLUMN a int, ALTER COLUMN b SET DEFAULT 0;",
            ])
                assert.deepEqual(enabled(sql, "ban-duplicate-column-assignments"), [], sql);
        });

        it("the lint command turns them on with --enable", () => {
            const dir = migrationsDir({ "0001_a.sql": "UPDATE t SET a = 1, a = 2;" });
            const lint = (...args: string[]) => migrateFirst(["lint", dir, ...args], { encoding: "utf8" });
            assert.doesNotMatch(lint().stdout, /ban-duplicate-column-assignments/);
            assert.match(
                lint("--enable", "ban-duplicate-column-assignments").stdout,
                /0001_a\.sql:1:1 ban-duplicate-column-assignments warning: column a appears 2 times/,
            );
            const refused = lint("--enable", "ban-drop-column");
            assert.equal(refused.status, 2);
            assert.match(refused.stderr, /not an opt-in rule/);
        });

        it("lintDirectory turns them on for every file", () => {
            const dir = migrationsDir({ "0001_a.sql": "CREATE TABLE a (id bigint);" });
            assert.deepEqual(
                lintDirectory(dir, { enable: optIns }).findings.map((f) => f.rule),
                ["require-lock-timeout", "require-statement-timeout", "require-table-schema"],
            );
        });
    });

    describe("advice is valid SQL", () => {
        const optIns = Object.values(rules)
            .filter((r) => r.optIn === true)
            .map((r) => r.id);
        for (const [rule, example] of Object.entries(ruleExamples))
            it(`${rule}: its example parses with the Postgres parser and lints clean`, () => {
                const parsed = parseStatements(example);
                assert.ok(parsed.ok, parsed.ok ? "" : parsed.message);
                const report = lintFile("0008_example.sql", example, { enable: optIns });
                assert.deepEqual(
                    report.findings.filter((f) => f.severity !== "allowed" && f.rule === rule),
                    [],
                );
            });
        it("every rule whose advice writes SQL has an example, and findings carry it", () => {
            const sqlAdvice = Object.values(rules).filter((r) =>
                /\b(CREATE|ALTER|DROP|REINDEX|VACUUM|REFRESH|SET|ADD|VALIDATE)\b/.test(r.safe),
            );
            assert.deepEqual(
                sqlAdvice.map((r) => r.id).filter((id) => ruleExamples[id] === undefined),
                [],
            );
            const [finding] = lintFile("0002_i.sql", "CREATE INDEX i ON t (a);").findings;
            assert.equal(finding?.example, ruleExamples["require-concurrent-index-creation"]);
        });
        it("an unnamed CREATE INDEX CONCURRENTLY is not told to add IF NOT EXISTS, which needs a name", () => {
            assert.deepEqual(lintFile("0002_i.sql", `${noTx}CREATE INDEX CONCURRENTLY ON t (c);`).findings, []);
        });
        it("the advice to drop a constraint before adding it back is SQL for that very constraint", () => {
            const [finding] = lintFile(
                "0002_c.sql",
                `${noTx}ALTER TABLE "App" ADD CONSTRAINT "Email" UNIQUE USING INDEX e;`,
            ).findings;
            const sql = /^[^;]*;/.exec(finding?.safe ?? "")?.[0] ?? "";
            assert.equal(sql, 'ALTER TABLE "App" DROP CONSTRAINT IF EXISTS "Email";');
            assert.ok(parseStatements(sql).ok);
        });

        it("REINDEX SYSTEM is not told to add CONCURRENTLY, which Postgres refuses for system catalogs", () => {
            assert.deepEqual(lintFile("0002_reindex.sql", "REINDEX SYSTEM;").findings, []);
            assert.deepEqual(lintFile("0002_reindex.sql", "REINDEX SYSTEM mydb;").findings, []);
            assert.ok(firing("REINDEX DATABASE mydb;").includes("require-concurrent-reindex"));
        });
    });
});
