// The type-style rules, read the way the peers (squawk) read a column's type: by the last part
// of its name in any case, quoted or not, so "char"(100), pg_catalog.varchar(20) and
// "timestamp" count as what they spell; on CREATE TABLE, ADD COLUMN and ALTER COLUMN ... TYPE alike.
import type { Hit } from "./inspect";
import type { Node } from "./parse";
import { list, names, obj, str } from "./tree";

/** The last part of a column's type name, lower-cased (`int` and `integer` parse to int4). */
export const typeName = (columnDef: Node): string => (names(obj(columnDef.typeName).names).pop() ?? "").toLowerCase();

const serials = new Set(["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"]);
const int4 = new Set(["int4", "int", "integer", "serial", "serial4"]);
const int2 = new Set(["int2", "smallint", "smallserial", "serial2"]);
const char = new Set(["bpchar", "char", "character"]);

/** Whether a type name is a serial type, which fills every existing row when added. */
export const isSerial = (type: string): boolean => serials.has(type);

/** Style rules on a column definition; `how` says where it stands, e.g. "column a" or "ALTER COLUMN a TYPE". */
export function typeStyle(column: Node, how = `column ${str(column.colname)}`): Hit[] {
    const type = typeName(column);
    const hits: Hit[] = [];
    const add = (rule: string, what: string) => hits.push({ rule, what: `${how} is ${what}` });
    if (int4.has(type)) add("prefer-bigint-over-int", `a 32-bit ${type.startsWith("int") ? "integer" : type}`);
    if (int2.has(type)) add("prefer-bigint-over-smallint", "a smallint");
    if (serials.has(type)) add("prefer-identity", type);
    if (type === "varchar" && list(obj(column.typeName).typmods).length > 0) add("prefer-text-field", "varchar(n)");
    if (type === "timestamp") add("prefer-timestamptz", "timestamp without time zone");
    if (char.has(type)) add("ban-char-field", "char(n)");
    if (type === "json") add("prefer-jsonb", "json");
    return hits;
}
