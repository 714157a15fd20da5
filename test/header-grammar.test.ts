import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fc from "fast-check";
import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { lintFile, loadParser } from "../lint";
import { runScript } from "../rehearsal/scripts";
import { runSql } from "../rehearsal/provision";
import { withPostgres } from "./helpers/environments";
import { migrationsDir, scratchDir } from "./helpers/scratch";
import type { Shell } from "./helpers/shells";
import { runtimeShells } from "./helpers/shells";

const lib = join(__dirname, "..", "runtime", "lib.sh");
const file = "0002_change.sql";

/** What a header means: refused, or whether the file runs in a transaction and which expand it completes. */
type Reading =
    | { readonly refused: true }
    | { readonly refused: false; readonly transactional: boolean; readonly completes: string };

function linterReads(sql: string): Reading {
    const report = lintFile(file, sql);
    if (
        report.findings.some(
            (f) => f.severity === "error" && (f.rule === "bad-directive" || f.rule === "contract-without-expand"),
        )
    )
        return { refused: true };
    return {
        refused: false,
        transactional: report.transactional,
        completes: report.phase.kind === "contract" ? report.phase.completes : "-",
    };
}

/** The runner's own functions (runtime/lib.sh) over a directory holding the one file. */
function runnerReads(sql: string, shell: Shell): Reading {
    const dir = scratchDir("header");
    writeFileSync(join(dir, file), sql);
    const script =
        'script_name=migrate; . "$0"; migration_files "$1" "$1.files" && annotate_migrations "$1" "$1.files" "$1.annotated"';
    const run = spawnSync("sh", ["-c", script, lib, dir], { env: shell.env, encoding: "utf8" });
    if (run.status !== 0) return { refused: true };
    if (existsSync(`${dir}.annotated.problems`) && readFileSync(`${dir}.annotated.problems`, "utf8").trim() !== "")
        return { refused: true };
    const [, , , transactional = "", completes = ""] = readFileSync(`${dir}.annotated`, "utf8").trim().split(" ");
    return { refused: false, transactional: transactional === "true", completes };
}

// Header lines as authors (and attackers) write them: indented, after a block comment, any case, CRLF.
const directiveLine = fc
    .tuple(
        fc.constantFrom("", " ", "\t", "   ", "/* note */ ", "/* a */ /* b */\t"),
        fc.constantFrom("--", "-- ", "--\t", "---", "--  "),
        fc.constantFrom(
            "migrate-first:",
            "Migrate-First:",
            "MIGRATE-FIRST:",
            "migrate-first :",
            "migrate_first:",
            "migrate-first",
        ),
        fc.constantFrom(
            "no-transaction",
            "expand",
            "contract completes 1",
            "contract completes 0001",
            "contract\tcompletes  1",
            "contract",
            "no-transation",
            "NO-TRANSACTION",
            "allow ban-drop-column because old code never reads it",
            "allow ban-drop-column",
            " no-transaction",
            "expand extra",
        ),
        fc.constantFrom("", " ", "\r", "  \r", "\t"),
    )
    .map(([indent, dashes, key, value, end]) => `${indent}${dashes}${key} ${value}${end}`);
const otherLine = fc.constantFrom(
    "",
    "-- plain words",
    "/* block */",
    "/*\n  several lines\n*/",
    "/* nested /* x */ y */",
    "  ",
    "/* migrate-first: no-transaction */",
);
const headerFile = fc
    .tuple(
        fc.boolean(),
        fc.array(fc.oneof(directiveLine, otherLine), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(
            "",
            "-- migrate-first: contract completes 1\n",
            "-- migrate-first: allow ban-drop-column because unused\n",
        ),
    )
    .map(
        ([bom, lines, later]) =>
            `${bom ? "\uFEFF" : ""}${lines.join("\n")}\nALTER TABLE t ADD COLUMN IF NOT EXISTS a text;\n${later}ALTER TABLE t ADD COLUMN IF NOT EXISTS b text;\n`,
    );

describe("one header grammar: whatever the linter reads, the runner reads the same", function () {
    this.timeout(240000);
    before(loadParser);

    for (const shell of runtimeShells()) {
        it(`200 generated headers agree under ${shell.name} (refused by both, or the same transaction mode and contract)`, () => {
            fc.assert(
                fc.property(headerFile, (sql) => {
                    assert.deepEqual(runnerReads(sql, shell), linterReads(sql), JSON.stringify(sql));
                }),
                { numRuns: 200 },
            );
        });
    }

    describe("on a real Postgres", () => {
        const { environment, migrateEnv } = withPostgres("header");
        for (const [what, header] of [
            ["indented", "  -- migrate-first: contract completes 1\n"],
            ["after a block comment", "/* why */\n-- migrate-first: contract completes 1\n"],
            ["after a byte order mark", "\uFEFF-- migrate-first: contract completes 1\n"],
        ] as const) {
            it(`a contract header ${what} holds the DROP COLUMN until its expand's release is verified`, async () => {
                const db = environment();
                const dir = migrationsDir({ "1_expand.sql": "CREATE TABLE t (id int, old text);\n" });
                assert.equal((await runScript("migrate.sh", migrateEnv(db, dir))).code, 0);
                writeFileSync(join(dir, "2_contract.sql"), `${header}ALTER TABLE t DROP COLUMN old;\n`);
                const run = await runScript("migrate.sh", migrateEnv(db, dir, { RELEASE: "acme/x:v2" }));
                assert.equal(run.code, 1, run.stdout);
                assert.match(
                    run.stderr,
                    /2_contract\.sql completes 1_expand\.sql, applied by release acme\/header\d+:v1, which has not been verified/,
                );
                assert.equal(
                    runSql(
                        db.migrator,
                        "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'old';",
                    ),
                    "1",
                );
            });
        }
    });
});
