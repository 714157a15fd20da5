// prefer-robust-stmts: in a file marked no-transaction each statement commits on its own, so a
// file that fails halfway is rerun from its first statement over what already happened. Every
// DDL there must find nothing to do the second time: IF [NOT] EXISTS where Postgres has it,
// OR REPLACE where it has that instead. Statements that are idempotent as written (SET NOT
// NULL, VALIDATE CONSTRAINT, COMMENT, GRANT, ...) need nothing.
import type { Hit } from "./inspect";
import type { Node } from "./parse";
import { list, names, obj, quoteIdent, relname, str, unwrap } from "./tree";

/** Constraint names a no-transaction file dropped IF EXISTS, then added back (squawk's reading). */
export type ConstraintsSeen = Map<string, "dropped" | "added">;

// CREATE statements Postgres gives IF NOT EXISTS, by node type.
const ifNotExists: Readonly<Record<string, string>> = {
    CreateStmt: "CREATE TABLE",
    CreateTableAsStmt: "CREATE TABLE AS",
    CreateSeqStmt: "CREATE SEQUENCE",
    CreateSchemaStmt: "CREATE SCHEMA",
    CreateExtensionStmt: "CREATE EXTENSION",
    CreateStatsStmt: "CREATE STATISTICS",
    CreateForeignTableStmt: "CREATE FOREIGN TABLE",
};
// CREATE statements Postgres gives OR REPLACE instead.
const orReplace: Readonly<Record<string, string>> = {
    ViewStmt: "CREATE VIEW",
    CreateFunctionStmt: "CREATE FUNCTION",
    CreateTrigStmt: "CREATE TRIGGER",
    RuleStmt: "CREATE RULE",
};
// ALTER TABLE commands a rerun would fail on, and whether Postgres offers IF [NOT] EXISTS for them.
const alterCommands: Readonly<Record<string, { what: string; guard?: string }>> = {
    AT_AddColumn: { what: "ADD COLUMN", guard: "IF NOT EXISTS" },
    AT_DropColumn: { what: "DROP COLUMN", guard: "IF EXISTS" },
    AT_DropConstraint: { what: "DROP CONSTRAINT", guard: "IF EXISTS" },
    AT_DropIdentity: { what: "DROP IDENTITY", guard: "IF EXISTS" },
    AT_DropExpression: { what: "DROP EXPRESSION", guard: "IF EXISTS" },
    AT_AddIdentity: { what: "ADD GENERATED ... AS IDENTITY" },
    AT_AttachPartition: { what: "ATTACH PARTITION" },
    AT_AddInherit: { what: "INHERIT" },
    AT_DropInherit: { what: "NO INHERIT" },
};

const hit = (what: string, safe?: string): Hit => ({
    rule: "prefer-robust-stmts",
    what: `${what} in a no-transaction file`,
    ...(safe === undefined ? {} : { safe }),
});

function alterTable(fields: Node, seen: ConstraintsSeen): Hit[] {
    const table = relname(fields.relation);
    const hits: Hit[] = [];
    for (const command of list(fields.cmds)) {
        const cmd = unwrap(command)[1];
        const subtype = str(cmd.subtype);
        const name = str(cmd.name);
        if (subtype === "AT_DropConstraint") seen.set(name, "dropped");
        if (subtype === "AT_AddConstraint") {
            const constraint = str(unwrap(cmd.def)[1].conname);
            // Added right after DROP CONSTRAINT IF EXISTS of the same name: a rerun drops it first.
            if (constraint !== "" && seen.get(constraint) === "dropped") seen.set(constraint, "added");
            else
                hits.push(
                    hit(
                        `ADD CONSTRAINT ${constraint || "(unnamed)"} on ${table} without DROP CONSTRAINT IF EXISTS before it`,
                        constraint === ""
                            ? "name the constraint, and drop it IF EXISTS just before adding it"
                            : `ALTER TABLE ${quoteIdent(table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(constraint)}; just before this statement`,
                    ),
                );
            continue;
        }
        const form = alterCommands[subtype];
        if (form === undefined || cmd.missing_ok === true) continue;
        const column = subtype === "AT_AddColumn" ? str(unwrap(cmd.def)[1].colname) : name;
        hits.push(
            form.guard === undefined
                ? hit(
                      `${form.what} ${column} on ${table}, which a rerun fails on`,
                      "run it in a file of its own, in a transaction",
                  )
                : hit(`${form.what} ${column} on ${table} without ${form.guard}`),
        );
    }
    return hits;
}

/** The prefer-robust-stmts hits of one statement of a no-transaction file. */
export function robustness(type: string, fields: Node, seen: ConstraintsSeen): Hit[] {
    if (type === "AlterTableStmt") return alterTable(fields, seen);
    const create = ifNotExists[type];
    if (create !== undefined) {
        // A temporary table dropped at commit is gone before any rerun.
        const temporary = obj(fields.relation).relpersistence === "t" && fields.oncommit === "ONCOMMIT_DROP";
        const target = obj(fields.into).rel ?? fields.relation;
        const name =
            relname(target) || str(fields.schemaname) || str(fields.extname) || names(fields.defnames).join(".");
        return fields.if_not_exists === true || temporary ? [] : [hit(`${create} ${name} without IF NOT EXISTS`)];
    }
    const replace = orReplace[type];
    if (replace !== undefined) {
        const name =
            str(fields.trigname) || str(fields.rulename) || relname(fields.view) || names(fields.funcname).join(".");
        return fields.replace === true ? [] : [hit(`${replace} ${name} without OR REPLACE`)];
    }
    switch (type) {
        case "IndexStmt": {
            // An unnamed index cannot say IF NOT EXISTS (Postgres refuses it): the peers let it
            // pass, as a rerun builds a second index rather than failing.
            const name = str(fields.idxname);
            return name === "" || fields.if_not_exists === true
                ? []
                : [hit(`CREATE INDEX ${name} without IF NOT EXISTS`)];
        }
        case "DropStmt":
            return fields.missing_ok === true
                ? []
                : [hit(`DROP ${str(fields.removeType).replace("OBJECT_", "").replace("_", " ")} without IF EXISTS`)];
        case "AlterEnumStmt":
            return fields.newVal !== undefined && fields.skipIfNewValExists !== true
                ? [hit(`ADD VALUE '${str(fields.newVal)}' without IF NOT EXISTS`)]
                : [];
        case "RenameStmt":
            return [hit("RENAME, which a rerun fails on", "rename in a file of its own, in a transaction")];
        default:
            return [];
    }
}
