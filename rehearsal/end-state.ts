import { runSql } from "./provision";

/** What a rehearsal leaves in the database: the runner's history and the releases the smoke test verified. */
export interface EndState {
    /** "version name release", one per applied file, in version order. */
    readonly history: readonly string[];
    readonly verified: readonly string[];
    /** "schema.table" of every table outside the catalogs and the runner's own schema. */
    readonly tables: readonly string[];
}

/** Reads and logs the end state as the migrator sees it. */
export function endState(migrator: Readonly<Record<string, string>>, log: (line: string) => void): EndState {
    // A run that failed before the runner made its tables (a misnamed file) leaves none to read.
    const made =
        runSql(
            migrator,
            "SELECT to_regclass('migrate_first.schema_history') IS NOT NULL AND to_regclass('migrate_first.verified_release') IS NOT NULL;",
        ) === "t";
    const rows = (sql: string) => (made ? runSql(migrator, sql).split("\n").filter(Boolean) : []);
    const history = rows(
        "SELECT version || ' ' || name || ' ' || release FROM migrate_first.schema_history ORDER BY version;",
    );
    const verified = rows("SELECT DISTINCT release FROM migrate_first.verified_release ORDER BY 1;");
    log(
        `end state: migrate_first.schema_history has ${history.length} file(s)${history.map((h) => `\n         ${h}`).join("")}`,
    );
    log(`end state: verified release(s): ${verified.join(", ") || "none"}`);
    const tables = runSql(
        migrator,
        "SELECT table_schema || '.' || table_name FROM information_schema.tables " +
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'migrate_first') ORDER BY 1;",
    )
        .split("\n")
        .filter(Boolean);
    return { history, verified, tables };
}
