// How the committed volatility table (lint/builtin-volatility.json) is read out of a Postgres catalog:
// shared by the generator (lint/generate-volatility.ts) and the test that finds it stale.

/**
 * One row per callable built-in function: its name, the argument counts a call may have, and
 * pg_proc.provolatile. Left out: what SQL cannot call in a default (aggregates, window
 * functions, procedures, and functions taking or returning pseudo-types such as internal), and
 * the functions behind operators (int4eq and the like: written as operators, which are all
 * non-volatile, and almost never called by name; a call by name reads as unknown, so as volatile).
 */
export const volatilityQuery = `
SELECT proname,
       pronargs - pronargdefaults AS min_args,
       CASE WHEN provariadic <> 0 THEN -1 ELSE pronargs END AS max_args,
       provolatile
FROM pg_proc
WHERE pronamespace = 'pg_catalog'::regnamespace
  AND prokind = 'f'
  AND NOT (prorettype = ANY ('{internal,cstring,trigger,event_trigger,language_handler,fdw_handler,index_am_handler,table_am_handler,tsm_handler}'::regtype[]))
  AND NOT ('internal'::regtype = ANY (proargtypes::oid[]))
  AND NOT EXISTS (SELECT FROM pg_operator WHERE oprcode = pg_proc.oid)
ORDER BY 1, 2, 3, 4;`;

/** The committed table: for each function name, its arities and volatilities, e.g. "0s 2i 1+v". */
export interface VolatilityTable {
    /** server_version of the Postgres it was read from. */
    readonly postgres: string;
    readonly functions: Readonly<Record<string, string>>;
}

const worst = (a: string, b: string): string => (a === "v" || b === "v" ? "v" : a === "s" || b === "s" ? "s" : "i");

/**
 * The table from the query's rows ("name|min|max|volatility", psql's unaligned output). Each
 * arity keeps the most volatile overload, since the linter cannot tell argument types apart:
 * "N" is exactly N arguments, "N+" N or more (VARIADIC).
 */
export function volatilityTable(postgres: string, rows: string): VolatilityTable {
    const byName = new Map<string, Map<string, string>>();
    for (const row of rows.split("\n").filter(Boolean)) {
        const [name = "", min = "0", max = "0", volatility = "v"] = row.split("|");
        const arities = byName.get(name) ?? new Map<string, string>();
        byName.set(name, arities);
        const keys =
            max === "-1"
                ? [`${min}+`]
                : Array.from({ length: Number(max) - Number(min) + 1 }, (_, i) => String(Number(min) + i));
        for (const key of keys) arities.set(key, worst(arities.get(key) ?? "i", volatility));
    }
    const functions: Record<string, string> = {};
    for (const [name, arities] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        functions[name] = [...arities].map(([arity, volatility]) => `${arity}${volatility}`).join(" ");
    return { postgres, functions };
}

/** The file's bytes: one function a line, so a regenerated table diffs by function. */
export function formatVolatilityTable(table: VolatilityTable): string {
    const lines = Object.entries(table.functions).map(([name, value]) => `    ${JSON.stringify(name)}: "${value}"`);
    return `{\n  "postgres": ${JSON.stringify(table.postgres)},\n  "functions": {\n${lines.join(",\n")}\n  }\n}\n`;
}
