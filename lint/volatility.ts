// Whether a column default is provably non-volatile, from the catalog of the Postgres we ship
// (lint/builtin-volatility.json, generated from pg_proc). Postgres 11+ stores a non-volatile default
// once and adds the column without touching rows; a volatile one is evaluated per row, so the
// whole table is rewritten under ACCESS EXCLUSIVE. Only the catalog can say which is which.
import type { VolatilityTable } from "./volatility-catalog";
import table from "./builtin-volatility.json";
import { list, names, obj, unwrap } from "./tree";

interface Arity {
    readonly min: number;
    readonly max: number;
    readonly volatility: string;
}

let catalog: Map<string, Arity[]> | undefined;

// Read once, on first use: the file is 1,300 names.
function arities(name: string): Arity[] | undefined {
    catalog ??= new Map(
        Object.entries((table as VolatilityTable).functions).map(([fn, spec]) => [
            fn,
            spec.split(" ").map((entry) => {
                const match = /^([0-9]+)(\+?)([ivs])$/.exec(entry);
                const min = Number(match?.[1] ?? 0);
                return { min, max: match?.[2] === "+" ? Infinity : min, volatility: match?.[3] ?? "v" };
            }),
        ]),
    );
    return catalog.get(name);
}

/**
 * What a call does to a default: "immutable" or "stable" when every built-in overload it may
 * reach is, "volatile" when one is, "unknown" for a function the built-in catalog lacks (a
 * user-defined or extension function, or a built-in called with arguments none takes).
 */
export function callVolatility(
    qualifiedName: readonly string[],
    args: number,
): "immutable" | "stable" | "volatile" | "unknown" {
    const [schema, name] = qualifiedName.length > 1 ? qualifiedName.slice(-2) : ["pg_catalog", qualifiedName[0]];
    if (schema !== "pg_catalog" || name === undefined) return "unknown";
    const reachable = arities(name)?.filter((a) => a.min <= args && args <= a.max) ?? [];
    if (reachable.length === 0) return "unknown";
    if (reachable.some((a) => a.volatility === "v")) return "volatile";
    return reachable.some((a) => a.volatility === "s") ? "stable" : "immutable";
}

/**
 * The first call in an expression that is not provably non-volatile, as `name()` with why,
 * or undefined when the whole expression is (constants, casts, operators and non-volatile
 * built-ins). Built-in operators are all non-volatile (checked when the table is generated).
 */
export function nonVolatileProofFails(expr: unknown): string | undefined {
    const [type, fields] = unwrap(expr);
    if (type === "FuncCall") {
        const name = names(fields.funcname);
        const volatility = callVolatility(name, list(fields.args).length);
        if (volatility === "volatile") return `${name.join(".")}(), which is volatile`;
        if (volatility === "unknown")
            return `${name.join(".")}(), which is not a built-in function known to be immutable or stable`;
    }
    for (const value of Object.values(fields)) {
        for (const child of Array.isArray(value) ? value : [value]) {
            if (typeof child === "object" && child !== null) {
                const found = nonVolatileProofFails(obj(child));
                if (found !== undefined) return found;
            }
        }
    }
    return undefined;
}
