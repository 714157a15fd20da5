// The classes of misses issue 15 names, measured against a peer linter's (squawk's) own rule
// tests: one block per class, each case failing on the linter before the fix. Here: the opt-in rules the peers have.
import { strict as assert } from "assert";
import { lintDirectory, lintFile, loadParser, optInGroups } from "../lint";
import { migrationsDir } from "./helpers/scratch";
import { migrateFirst } from "./helpers/cli";
import { firing } from "./helpers/lint-cases";

describe("the linter against the peers' rule tests: the opt-in rules the peers have", () => {
    before(() => loadParser());

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
});
