// npx ts-node --transpile-only lint/generate-volatility.ts: rewrites lint/builtin-volatility.json from
// pg_proc of the embedded Postgres the project ships (test/lint-volatility.test.ts fails when
// the committed table no longer matches it).
import { writeFileSync } from "fs";
import { join } from "path";
import { startPostgres } from "../rehearsal/postgres";
import { adminSql } from "../rehearsal/provision";
import { formatVolatilityTable, volatilityQuery, volatilityTable } from "./volatility-catalog";

/** The table as the embedded Postgres's catalog has it, in the committed file's bytes. */
export async function readVolatilityTable(): Promise<string> {
    const pg = await startPostgres();
    try {
        const version = adminSql(pg, "postgres", "SHOW server_version;");
        return formatVolatilityTable(volatilityTable(version, adminSql(pg, "postgres", volatilityQuery)));
    } finally {
        await pg.stop();
    }
}

export const volatilityFile = join(__dirname, "builtin-volatility.json");

if (require.main === module) {
    readVolatilityTable()
        .then((text) => {
            writeFileSync(volatilityFile, text);
            console.log(`wrote ${volatilityFile}`);
        })
        .catch((error: unknown) => {
            console.error(`generate-volatility: ${error instanceof Error ? error.message : String(error)}`);
            process.exitCode = 1;
        });
}
