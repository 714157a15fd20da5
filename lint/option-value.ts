// Statement options such as REINDEX (CONCURRENTLY false) or VACUUM (FULL off), read as Postgres
// reads them (defGetBoolean): the parser keeps the value as written, so "false" is not absence.
import { list, obj, str, unwrap } from "./tree";

/**
 * Whether the option `name` in a DefElem list is on: named without a value, or true/on/1 (any
 * case). false/off/0 turn it off. A value Postgres would refuse counts as on: the statement
 * fails anyway, and the linter should not call it safe.
 */
export function optionOn(options: unknown, name: string): boolean {
    let on = false;
    for (const option of list(options)) {
        const fields = unwrap(option)[1];
        if (str(fields.defname) !== name) continue;
        const [type, value] = unwrap(fields.arg);
        if (type === "") on = true;
        else if (type === "Integer")
            on = obj(value).ival !== undefined; // libpg_query leaves out an ival of 0
        else if (type === "Boolean") on = obj(value).boolval === true;
        else on = !["false", "off"].includes(str(obj(value).sval).toLowerCase());
    }
    return on;
}
