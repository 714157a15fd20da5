// ban-duplicate-column-assignments (opt-in, squawk's rule): the same column twice in one
// assignment list (UPDATE ... SET, INSERT and MERGE column lists, ON CONFLICT DO UPDATE SET) or
// one definition list (CREATE TABLE, CREATE VIEW, ALTER TABLE ... ADD COLUMN). Names compare
// as Postgres compares them: the parser has already folded case and truncated to 63 bytes.
// Assigning two fields of one composite column (a.x, a.y) is not a duplicate; a.x with a is.
import type { Hit } from "./inspect";
import type { Node } from "./parse";
import { list, obj, str, unwrap } from "./tree";

interface Use {
    readonly name: string;
    readonly partial: boolean;
}

function duplicates(uses: readonly Use[], where: string): Hit[] {
    const byName = new Map<string, Use[]>();
    for (const use of uses) byName.set(use.name, [...(byName.get(use.name) ?? []), use]);
    return [...byName]
        .filter(([name, all]) => name !== "" && all.length > 1 && !all.every((u) => u.partial))
        .map(([name, all]) => ({
            rule: "ban-duplicate-column-assignments",
            what: `column ${name} appears ${all.length} times in ${where}`,
        }));
}

const targets = (resTargets: unknown): Use[] =>
    list(resTargets).map((t) => {
        const target = unwrap(t)[1];
        return { name: str(target.name), partial: list(target.indirection).length > 0 };
    });

// A view's column name: its alias, or the column it selects (other expressions get a name
// Postgres makes up, which the peers do not compare).
const outputNames = (targetList: unknown): Use[] =>
    list(targetList).map((t) => {
        const target = unwrap(t)[1];
        const [type, value] = unwrap(target.val);
        const fields = type === "ColumnRef" ? list(value.fields) : [];
        const last = str(obj(unwrap(fields[fields.length - 1])[1]).sval);
        return { name: str(target.name) || last, partial: false };
    });

const named = (values: readonly string[]): Use[] => values.map((name) => ({ name, partial: false }));

function check(type: string, fields: Node): Hit[] {
    switch (type) {
        case "UpdateStmt":
            return duplicates(targets(fields.targetList), "UPDATE ... SET");
        case "InsertStmt":
            return duplicates(targets(fields.cols), "INSERT's column list");
        case "OnConflictClause":
            return duplicates(targets(fields.targetList), "ON CONFLICT DO UPDATE SET");
        case "MergeWhenClause":
            return duplicates(
                targets(fields.targetList),
                fields.commandType === "CMD_INSERT" ? "MERGE's INSERT column list" : "MERGE's UPDATE SET",
            );
        case "CreateStmt":
            return duplicates(
                named(list(fields.tableElts).map((e) => str(unwrap(e)[1].colname))),
                "CREATE TABLE's columns",
            );
        case "ViewStmt": {
            const aliases = list(fields.aliases).map((a) => str(unwrap(a)[1].sval));
            return duplicates(
                aliases.length > 0 ? named(aliases) : outputNames(unwrap(fields.query)[1].targetList),
                "the view's columns",
            );
        }
        case "CreateTableAsStmt":
            return duplicates(
                named(list(obj(fields.into).colNames).map((c) => str(unwrap(c)[1].sval))),
                "the column list",
            );
        case "AlterTableStmt":
            return duplicates(
                named(
                    list(fields.cmds)
                        .map((c) => unwrap(c)[1])
                        .filter((cmd) => cmd.subtype === "AT_AddColumn")
                        .map((cmd) => str(unwrap(cmd.def)[1].colname)),
                ),
                "ALTER TABLE's ADD COLUMNs",
            );
        default:
            return [];
    }
}

/** The duplicates anywhere in a statement (an UPDATE in a CTE, an INSERT's ON CONFLICT, ...). */
export function duplicateColumns(type: string, fields: Node): Hit[] {
    const hits = check(type, fields);
    for (const [key, value] of Object.entries(fields))
        for (const child of Array.isArray(value) ? value : [value]) {
            if (typeof child !== "object" || child === null) continue;
            // A child is either { NodeType: fields } or, for some fields, the fields themselves.
            const [childType, childFields] = unwrap(child);
            if (/^[A-Z]/.test(childType)) hits.push(...duplicateColumns(childType, childFields));
            else hits.push(...duplicateColumns(key === "onConflictClause" ? "OnConflictClause" : "", obj(child)));
        }
    return hits;
}
