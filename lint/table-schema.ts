// require-table-schema (opt-in, squawk's rule): tables named with their schema, so a migration
// does not depend on the search_path of whoever runs it. Temporary tables live in their own schema.
import type { Hit } from "./inspect";
import type { Node } from "./parse";
import { list, obj, str, unwrap } from "./tree";

const unqualified = (rangeVar: unknown): string | undefined => {
    const relation = obj(rangeVar);
    return str(relation.schemaname) === "" && relation.relpersistence !== "t" ? str(relation.relname) : undefined;
};

export function tableSchema(type: string, fields: Node): Hit[] {
    const tables: (string | undefined)[] = [];
    if (type === "CreateStmt" || type === "AlterTableStmt") {
        if (type === "CreateStmt" || fields.objtype === "OBJECT_TABLE") tables.push(unqualified(fields.relation));
    } else if (type === "CreateTableAsStmt" && fields.objtype === "OBJECT_TABLE")
        tables.push(unqualified(obj(fields.into).rel));
    else if (type === "DropStmt" && fields.removeType === "OBJECT_TABLE")
        for (const object of list(fields.objects)) {
            const parts = list(unwrap(object)[1].items);
            if (parts.length === 1) tables.push(str(unwrap(parts[0])[1].sval));
        }
    return tables
        .filter((table): table is string => table !== undefined)
        .map((table) => ({ rule: "require-table-schema", what: `table ${table} is not schema-qualified` }));
}
