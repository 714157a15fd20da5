// Accessors over libpg_query's untyped parse tree: `{ NodeType: { ...fields } }`, where a field
// that is false, zero or empty is left out.
import type { Node } from "./parse";

export const obj = (value: unknown): Node => (typeof value === "object" && value !== null ? (value as Node) : {});
export const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);
export const str = (value: unknown): string => (typeof value === "string" ? value : "");
/** `{ Type: fields }` to [Type, fields]. */
export const unwrap = (value: unknown): [string, Node] => {
    const [type, fields] = Object.entries(obj(value))[0] ?? ["", {}];
    return [type, obj(fields)];
};
export const relname = (rangeVar: unknown): string => str(obj(rangeVar).relname);
export const names = (value: unknown): string[] => list(value).map((n) => str(obj(unwrap(n)[1]).sval));

/** A name as SQL must spell it: quoted unless it is a plain lower-case identifier. */
export const quoteIdent = (name: string): string =>
    /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
