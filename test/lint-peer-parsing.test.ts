// The classes of misses issue 15 names, measured against a peer linter's (squawk's) own rule
// tests: one block per class, each case failing on the linter before the fix. Here: parsing and advice: options spelled off, identifiers, type styles, psql input, valid SQL advice.
import { strict as assert } from "assert";
import { lintFile, loadParser, parseStatements, rules } from "../lint";
import { ruleExamples } from "../lint/rule-examples";
import { noTx, firing } from "./helpers/lint-cases";

describe("the linter against the peers' rule tests: parsing and advice: options spelled off, identifiers, type styles, psql input, valid SQL advice", () => {
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
