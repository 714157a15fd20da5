import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fc from "fast-check";
import { writeFileSync } from "fs";
import { join } from "path";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { scratchDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

// What psql would take for its own, or what ends the runner's transaction: the runner must refuse
// these (or fail) and never report them applied. Many of them, today, end a file early or let an error pass.
const refusedPieces = [
    "\\q",
    "\\set ON_ERROR_STOP off\nSELECT 1/0;",
    "\\set ON_ERROR_ROLLBACK on\nSELECT 1/0;",
    "\\unset ON_ERROR_STOP\nSELECT * FROM no_such_table;",
    "\\if false",
    "\\set AUTOCOMMIT off",
    "\\c postgres",
    "\\! true",
    "\\i /dev/null",
    "SELECT :'app';",
    "COMMIT;",
    "ROLLBACK;",
    "SAVEPOINT s;",
    "DELETE FROM pg_temp.mf_file;",
    "SELECT 'a\\' \\q ';",
    "SELECT 'never closed",
    "/* migrate-first: no-transaction */",
];
// What only looks hostile, or changes the session: allowed, and the invariant must hold across it.
const benignPieces = [
    "SET lock_timeout = 0;",
    "RESET ALL;",
    "SET ROLE NONE;",
    "SET statement_timeout = 0;",
    "SET client_encoding = 'LATIN1';",
    "SET search_path = pg_catalog;\nRESET search_path;",
    "DO $$ BEGIN PERFORM 1; END $$;",
    "SELECT '\\q :x COMMIT;';",
    "-- \\q ROLLBACK; :x",
    "/* \\c /* nested */ */ SELECT 1;",
    "SELECT 1::int, (ARRAY[1, 2, 3])[1:2];",
    "SELECT $q$ \\q $q$;",
    "CREATE TEMP TABLE IF NOT EXISTS scratch (x int);",
    "SELECT pg_advisory_unlock_all();",
];
const headers = [
    "",
    "",
    "",
    "-- migrate-first: no-transaction\n",
    "  -- migrate-first: expand\n",
    "-- migrate-first: no-transation\n",
    "\uFEFF-- a note\n",
];

interface Spec {
    readonly header: string;
    /** null: the file's own probe statement number; otherwise a hostile piece. */
    readonly pieces: readonly (string | null)[];
    readonly latin1: boolean;
}
const fileSpec = fc.record({
    header: fc.constantFrom(...headers),
    pieces: fc.array(
        fc.oneof(
            { weight: 3, arbitrary: fc.constant(null) },
            { weight: 2, arbitrary: fc.constantFrom(...benignPieces) },
            { weight: 1, arbitrary: fc.constantFrom(...refusedPieces) },
        ),
        { minLength: 1, maxLength: 5 },
    ),
    latin1: fc.boolean().map((b) => b && Math.random() < 0.2),
});
// Mostly none: each of these stops a run before it starts, which proves little about the rest.
const oddNames = fc.oneof(
    { weight: 4, arbitrary: fc.constant<string[]>([]) },
    { weight: 1, arbitrary: fc.subarray(["9_late.SQL", ".8_hidden.sql", "notes.md", "unnamed.sql"], { maxLength: 2 }) },
);

/** The file's text, and how many probe rows it inserts. */
function render(version: number, spec: Spec): { text: Buffer; probes: number } {
    let probes = 0;
    const lines = spec.pieces.map((piece) =>
        piece === null ? `INSERT INTO probe VALUES (${version}, ${++probes});` : piece,
    );
    const body = Buffer.from(`${spec.header}${lines.join("\n")}\n`, "utf8");
    return {
        text: spec.latin1
            ? Buffer.concat([body, Buffer.from("SELECT 'caf"), Buffer.from([0xe9]), Buffer.from("';\n")])
            : body,
        probes,
    };
}

for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}, over generated hostile migration directories`, function () {
        this.timeout(600000);
        const { environment, migrateEnv } = withPostgres("prop");

        it("exit 0 means every file's statements applied exactly once and recorded, and nothing else changed; a recorded file is applied", async () => {
            let succeeded = 0;
            await fc.assert(
                fc.asyncProperty(fc.array(fileSpec, { minLength: 1, maxLength: 4 }), oddNames, async (files, odd) => {
                    const db = environment();
                    runSql(db.migrator, "CREATE TABLE probe (file int, stmt int);");
                    const objects = () =>
                        runSql(
                            db.migrator,
                            "SELECT string_agg(oid::regclass::text, ',' ORDER BY oid) FROM pg_class WHERE relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\\_%' OR nspname IN ('information_schema', 'migrate_first'));",
                        );
                    const before = objects();
                    const dir = scratchDir("prop");
                    const expected = new Map<number, { probes: number; checksum: string }>();
                    files.forEach((spec, index) => {
                        const { text, probes } = render(index + 1, spec);
                        writeFileSync(join(dir, `${index + 1}_f.sql`), text);
                        expected.set(index + 1, { probes, checksum: createHash("sha256").update(text).digest("hex") });
                    });
                    for (const name of odd) writeFileSync(join(dir, name), "INSERT INTO probe VALUES (99, 1);\n");
                    const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
                    const hasHistory =
                        runSql(db.migrator, "SELECT to_regclass('migrate_first.schema_history') IS NOT NULL;") === "t";
                    const recorded = !hasHistory
                        ? []
                        : runSql(
                              db.migrator,
                              "SELECT coalesce(string_agg(version || ' ' || checksum || ' ' || transactional, E'\\n'), '') FROM migrate_first.schema_history;",
                          )
                              .split("\n")
                              .filter(Boolean);
                    const probeCounts = (file: number) =>
                        runSql(
                            db.migrator,
                            `SELECT count(*), count(DISTINCT stmt), coalesce(max(stmt), 0) FROM probe WHERE file = ${file};`,
                        );
                    for (const row of recorded) {
                        const [version = "", checksum = "", transactional = ""] = row.split(" ");
                        const want = expected.get(Number(version));
                        assert.ok(want !== undefined, `recorded a file that is not in the directory: ${row}`);
                        assert.equal(checksum, want.checksum);
                        if (transactional === "t")
                            assert.equal(
                                probeCounts(Number(version)),
                                `${want.probes}|${want.probes}|${want.probes}`,
                                `recorded ${version} without all of it applied once`,
                            );
                    }
                    if (run.code !== 0) return;
                    succeeded++;
                    assert.equal(
                        recorded.length,
                        files.length,
                        `exit 0 with ${recorded.length} of ${files.length} files recorded:\n${run.stderr}`,
                    );
                    for (const [version, want] of expected)
                        assert.equal(
                            probeCounts(version),
                            `${want.probes}|${want.probes}|${want.probes}`,
                            `exit 0, but file ${version} is not applied exactly once`,
                        );
                    assert.equal(
                        runSql(
                            db.migrator,
                            "SELECT count(*) FROM probe WHERE file NOT IN (SELECT version FROM migrate_first.schema_history);",
                        ),
                        "0",
                    );
                    assert.equal(objects(), before, "exit 0, and objects changed that no file made");
                    const again = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
                    assert.equal(again.code, 0, again.stderr);
                    assert.equal(
                        runSql(db.migrator, "SELECT count(*) FROM probe;"),
                        String([...expected.values()].reduce((n, f) => n + f.probes, 0)),
                    );
                }),
                { numRuns: 50 },
            );
            assert.ok(succeeded >= 3, `only ${succeeded} of 50 directories applied: the property proved little`);
        });
    });
}
