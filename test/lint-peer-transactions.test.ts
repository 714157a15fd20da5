// The classes of misses issue 15 names, measured against a peer linter's (squawk's) own rule
// tests: one block per class, each case failing on the linter before the fix. Here: re-runnable no-transaction files and the safe NOT NULL path.
import { strict as assert } from "assert";
import { lintDirectory, loadParser } from "../lint";
import { migrationsDir } from "./helpers/scratch";
import { noTx, contractHeader, firing } from "./helpers/lint-cases";

describe("the linter against the peers' rule tests: re-runnable no-transaction files and the safe NOT NULL path", () => {
    before(() => loadParser());

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
});
