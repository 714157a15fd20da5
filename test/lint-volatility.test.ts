import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { lintFile, loadParser } from "../lint";
import { readVolatilityTable, volatilityFile } from "../lint/generate-volatility";
import { runSql } from "../rehearsal/provision";
import { withPostgres } from "./helpers/environments";

const fires = (sql: string) =>
    lintFile("0002_default.sql", sql).findings.some((f) => f.rule === "adding-field-with-default");

// A default that is not provably immutable or stable rewrites the table: the catalog decides.
const rewrites = [
    "myfunc()",
    "uuid()",
    "public.now()", // not the built-in: another schema's function of the same name
    "now(123)", // no built-in now() takes an argument
    "random()",
    "gen_random_uuid()",
    "clock_timestamp()",
    "uuidv7()",
    "nextval('s')",
    "'x' || my_suffix()",
    "coalesce(null, myfunc())",
    "(random() * 10)::int",
];
const noRewrite = [
    "10",
    "'some-str'",
    "true",
    "'{}'::jsonb",
    "2 + 2",
    "now()",
    "pg_catalog.now()",
    "CURRENT_TIMESTAMP",
    "now() + interval '1 day'",
    "lower('X')",
    "make_interval(days => 1)",
    "concat('a', 'b', 'c')",
    "'my-enum-variant'",
];

describe("adding-field-with-default: volatility is a fact of the catalog", function () {
    this.timeout(120000);
    before(() => loadParser());

    for (const expr of rewrites)
        it(`DEFAULT ${expr} rewrites the table`, () =>
            assert.ok(fires(`ALTER TABLE t ADD COLUMN c text DEFAULT ${expr};`)));
    for (const expr of noRewrite)
        it(`DEFAULT ${expr} does not`, () => assert.ok(!fires(`ALTER TABLE t ADD COLUMN c text DEFAULT ${expr};`)));

    it("the committed table is pg_proc of the embedded Postgres we ship (regenerate: npx ts-node --transpile-only lint/generate-volatility.ts)", async () => {
        assert.equal(readFileSync(volatilityFile, "utf8"), await readVolatilityTable());
    });

    describe("on a real Postgres", () => {
        const { environment } = withPostgres("volatility");
        let admin: Record<string, string>;
        before(() => {
            admin = environment().migrator;
            // plpgsql, as a user's function usually is: Postgres inlines a one-line SQL function
            // first, and may then find nothing volatile left. The linter cannot see that far.
            runSql(
                admin,
                "CREATE TABLE t (id bigint); INSERT INTO t SELECT generate_series(1, 100); CREATE FUNCTION myfunc() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'x'; END $$;",
            );
        });
        /** Whether adding the column with this default gave the table new storage (a rewrite). */
        const rewritten = (column: string, expr: string): boolean => {
            const before = runSql(admin, "SELECT pg_relation_filenode('t');");
            runSql(admin, `ALTER TABLE t ADD COLUMN ${column} text DEFAULT ${expr};`);
            return runSql(admin, "SELECT pg_relation_filenode('t');") !== before;
        };
        it("rewrites for a user-defined function and a volatile built-in, as the linter says", () => {
            assert.ok(rewritten("a", "myfunc()"));
            assert.ok(rewritten("b", "gen_random_uuid()::text"));
        });
        it("does not for constants and stable or immutable built-ins, as the linter says", () => {
            assert.ok(!rewritten("c", "now()::text"));
            assert.ok(!rewritten("d", "lower('X') || (2 + 2)::text"));
        });
    });
});
