import { optionOn } from "./option-value";
import type { Node, Statement } from "./parse";
import type { NotNullChecks } from "./not-null-proof";
import { duplicateColumns } from "./duplicate-columns";
import { rewriteForm } from "./rewrite-forms";
import type { ConstraintsSeen } from "./robust";
import { robustness } from "./robust";
import { list, names, obj, relname, str, unwrap } from "./tree";
import { tableSchema } from "./table-schema";
import type { TimeoutsSeen } from "./timeout-settings";
import { timeoutSettings } from "./timeout-settings";
import { isSerial, typeName, typeStyle } from "./type-style";
import { nonVolatileProofFails } from "./volatility";

/** A rule that fired on a statement, with what exactly is wrong. */
export interface Hit {
    readonly rule: string;
    readonly what: string;
    /** Advice for this statement when the rule's own would not fit it (it must stay valid SQL). */
    readonly safe?: string;
}

/** What earlier statements of the same file established. */
export interface FileContext {
    /** Tables created in this file: empty and unused, so locking them hurts no one. */
    readonly createdTables: Set<string>;
    /** Constraints added NOT VALID in this file. */
    readonly notValid: Set<string>;
    /** CHECK (col IS NOT NULL) constraints of this file and the files applied before it. */
    readonly notNullChecks: NotNullChecks;
    /** The constraints this file drops anywhere (NotNullChecks.droppedIn). */
    readonly droppedInFile: ReadonlySet<string>;
    /** Constraint names dropped IF EXISTS, then added, in this file (prefer-robust-stmts). */
    readonly constraintsSeen: ConstraintsSeen;
    readonly transactional: boolean;
    /** The opt-in rules turned on. */
    readonly enabled: ReadonlySet<string>;
    /** Whether the file set lock_timeout and statement_timeout yet (require-lock-timeout, require-statement-timeout). */
    readonly timeouts: TimeoutsSeen;
}

const constraints = (columnDef: Node): Node[] => list(columnDef.constraints).map((c) => unwrap(c)[1]);

function addColumn(table: string, column: Node, context: FileContext): Hit[] {
    const hits = typeStyle(column);
    if (context.createdTables.has(table)) return hits;
    const name = str(column.colname);
    const type = typeName(column);
    const cons = constraints(column);
    const has = (contype: string) => cons.some((c) => c.contype === contype);
    const def = cons.find((c) => c.contype === "CONSTR_DEFAULT");
    const volatile = def === undefined ? undefined : nonVolatileProofFails(def.raw_expr);
    if (volatile !== undefined)
        hits.push({
            rule: "adding-field-with-default",
            what: `ADD COLUMN ${name} on ${table} with a default calling ${volatile}`,
        });
    if (cons.some((c) => c.contype === "CONSTR_GENERATED" && c.generated_kind !== "v"))
        hits.push({
            rule: "adding-stored-generated-column",
            what: `ADD COLUMN ${name} GENERATED ... STORED on ${table}`,
        });
    if (isSerial(type) || has("CONSTR_IDENTITY"))
        hits.push({
            rule: "adding-serial-primary-key-field",
            what: `ADD COLUMN ${name} ${isSerial(type) ? type : "GENERATED AS IDENTITY"} on ${table}`,
        });
    if (
        has("CONSTR_NOTNULL") &&
        def === undefined &&
        !has("CONSTR_IDENTITY") &&
        !has("CONSTR_GENERATED") &&
        !isSerial(type)
    )
        hits.push({ rule: "adding-required-field", what: `ADD COLUMN ${name} NOT NULL without a default on ${table}` });
    if (has("CONSTR_FOREIGN"))
        hits.push({ rule: "adding-foreign-key-constraint", what: `ADD COLUMN ${name} REFERENCES ... on ${table}` });
    if (has("CONSTR_UNIQUE"))
        hits.push({ rule: "disallowed-unique-constraint", what: `ADD COLUMN ${name} UNIQUE on ${table}` });
    if (has("CONSTR_PRIMARY"))
        hits.push({ rule: "adding-primary-key-constraint", what: `ADD COLUMN ${name} PRIMARY KEY on ${table}` });
    return hits;
}

function addConstraint(table: string, constraint: Node, context: FileContext): Hit[] {
    const name = str(constraint.conname) || "(unnamed)";
    context.notNullChecks.add(table, constraint);
    if (context.createdTables.has(table)) return [];
    const notValid = constraint.skip_validation === true;
    if (notValid) context.notValid.add(name);
    switch (constraint.contype) {
        case "CONSTR_FOREIGN":
            return notValid
                ? []
                : [
                      {
                          rule: "adding-foreign-key-constraint",
                          what: `ADD CONSTRAINT ${name} FOREIGN KEY on ${table} without NOT VALID`,
                      },
                  ];
        case "CONSTR_CHECK":
            return notValid
                ? []
                : [
                      {
                          rule: "constraint-missing-not-valid",
                          what: `ADD CONSTRAINT ${name} CHECK on ${table} without NOT VALID`,
                      },
                  ];
        case "CONSTR_UNIQUE":
            return constraint.indexname === undefined
                ? [
                      {
                          rule: "disallowed-unique-constraint",
                          what: `ADD CONSTRAINT ${name} UNIQUE on ${table} builds its index under the lock`,
                      },
                  ]
                : [];
        case "CONSTR_PRIMARY":
            return constraint.indexname === undefined
                ? [
                      {
                          rule: "adding-primary-key-constraint",
                          what: `ADD CONSTRAINT ${name} PRIMARY KEY on ${table} builds its index under the lock`,
                      },
                  ]
                : [];
        case "CONSTR_EXCLUSION":
            return [{ rule: "adding-exclusion-constraint", what: `ADD CONSTRAINT ${name} EXCLUDE on ${table}` }];
        default:
            return [];
    }
}

function alterTable(fields: Node, context: FileContext): Hit[] {
    const table = relname(fields.relation);
    const hits: Hit[] = [];
    for (const command of list(fields.cmds)) {
        const cmd = unwrap(command)[1];
        const column = str(cmd.name);
        switch (cmd.subtype) {
            case "AT_AddColumn":
                for (const c of list(unwrap(cmd.def)[1].constraints))
                    context.notNullChecks.add(table, unwrap(c)[1], str(unwrap(cmd.def)[1].colname));
                hits.push(...addColumn(table, unwrap(cmd.def)[1], context));
                break;
            case "AT_AddConstraint":
                hits.push(...addConstraint(table, unwrap(cmd.def)[1], context));
                break;
            case "AT_ValidateConstraint":
                context.notNullChecks.validate(table, column);
                if (context.transactional && context.notValid.has(column))
                    hits.push({
                        rule: "validate-in-same-transaction",
                        what: `VALIDATE CONSTRAINT ${column} in the file that added it NOT VALID`,
                    });
                break;
            case "AT_DropColumn":
                hits.push({ rule: "ban-drop-column", what: `DROP COLUMN ${column} from ${table}` });
                break;
            case "AT_AlterColumnType":
                hits.push(...typeStyle(unwrap(cmd.def)[1], `ALTER COLUMN ${column} TYPE`));
                if (!context.createdTables.has(table))
                    hits.push({
                        rule: "changing-column-type",
                        what: `ALTER COLUMN ${column} TYPE ${typeName(unwrap(cmd.def)[1])} on ${table}`,
                    });
                break;
            case "AT_SetNotNull":
                // A valid CHECK (col IS NOT NULL), from this file or an earlier one, spares the scan.
                if (
                    !context.createdTables.has(table) &&
                    !context.notNullChecks.proves(table, column, context.droppedInFile)
                )
                    hits.push({
                        rule: "adding-not-nullable-field",
                        what: `ALTER COLUMN ${column} SET NOT NULL on ${table}`,
                    });
                break;
            case "AT_DropNotNull":
                hits.push({ rule: "ban-drop-not-null", what: `ALTER COLUMN ${column} DROP NOT NULL on ${table}` });
                break;
            case "AT_ColumnDefault":
                if (cmd.def === undefined)
                    hits.push({ rule: "ban-drop-default", what: `ALTER COLUMN ${column} DROP DEFAULT on ${table}` });
                break;
            case "AT_DropConstraint":
                context.notNullChecks.drop(table, column);
                hits.push({ rule: "ban-drop-constraint", what: `DROP CONSTRAINT ${column} on ${table}` });
                break;
            case "AT_DetachPartition":
                if (obj(unwrap(cmd.def)[1]).concurrent !== true)
                    hits.push({
                        rule: "require-concurrent-partition-detach",
                        what: `DETACH PARTITION on ${table} without CONCURRENTLY`,
                    });
                else if (context.transactional)
                    hits.push({
                        rule: "ban-concurrent-index-creation-in-transaction",
                        what: `DETACH PARTITION ... CONCURRENTLY inside the runner's transaction`,
                    });
                break;
            default: {
                const rewrite = rewriteForm(cmd);
                if (rewrite !== undefined && !context.createdTables.has(table))
                    hits.push({ rule: "ban-table-rewrite", what: `${rewrite} (${table})` });
                break;
            }
        }
    }
    return hits;
}

const dropKinds: Record<string, string> = {
    OBJECT_SCHEMA: "schema",
    OBJECT_SEQUENCE: "sequence",
    OBJECT_DOMAIN: "domain",
    OBJECT_TYPE: "type",
    OBJECT_VIEW: "view",
    OBJECT_MATVIEW: "materialized view",
    OBJECT_FUNCTION: "function",
    OBJECT_EXTENSION: "extension",
};

function drop(fields: Node, context: FileContext): Hit[] {
    const objects = list(fields.objects).map((o) => {
        const [type, value] = unwrap(o);
        return type === "List" ? names(value.items).join(".") : str(value.sval) || type;
    });
    const what = objects.join(", ");
    switch (fields.removeType) {
        case "OBJECT_TABLE":
            return objects.every((o) => context.createdTables.has(o.split(".").pop() ?? ""))
                ? []
                : [{ rule: "ban-drop-table", what: `DROP TABLE ${what}` }];
        case "OBJECT_INDEX": {
            if (fields.concurrent !== true)
                return [{ rule: "require-concurrent-index-deletion", what: `DROP INDEX ${what} without CONCURRENTLY` }];
            if (context.transactional)
                return [
                    {
                        rule: "ban-concurrent-index-creation-in-transaction",
                        what: `DROP INDEX CONCURRENTLY ${what} inside the runner's transaction`,
                    },
                ];
            return [];
        }
        default: {
            const kind = dropKinds[str(fields.removeType)];
            return kind === undefined
                ? []
                : [{ rule: "ban-drop-schema-object", what: `DROP ${kind.toUpperCase()} ${what}` }];
        }
    }
}

function createIndex(fields: Node, context: FileContext): Hit[] {
    const table = relname(fields.relation);
    const name = str(fields.idxname) || "(unnamed)";
    const hits: Hit[] = [];
    if (fields.unique !== true && list(fields.indexParams).length > 3)
        hits.push({
            rule: "index-too-many-columns",
            what: `index ${name} on ${table} has ${list(fields.indexParams).length} columns`,
        });
    if (fields.concurrent === true) {
        if (context.transactional)
            hits.push({
                rule: "ban-concurrent-index-creation-in-transaction",
                what: `CREATE INDEX CONCURRENTLY ${name} inside the runner's transaction`,
            });
    } else if (!context.createdTables.has(table)) {
        hits.push({
            rule: "require-concurrent-index-creation",
            what: `CREATE INDEX ${name} on ${table} without CONCURRENTLY`,
        });
    }
    return hits;
}

/** The rules a statement breaks, given what the file did before it. Updates the context. */
export function inspect(statement: Statement, context: FileContext): Hit[] {
    const { type, node } = statement;
    const hits = inspectStatement(statement, context);
    if (!context.transactional) hits.push(...robustness(type, node, context.constraintsSeen));
    // Opt-in rules cost nothing unless enabled.
    if (context.enabled.has("require-lock-timeout") || context.enabled.has("require-statement-timeout"))
        hits.push(...timeoutSettings(type, node, context.timeouts, context.enabled));
    if (context.enabled.has("require-table-schema")) hits.push(...tableSchema(type, node));
    if (context.enabled.has("ban-duplicate-column-assignments")) hits.push(...duplicateColumns(type, node));
    return hits;
}

function inspectStatement(statement: Statement, context: FileContext): Hit[] {
    const fields = statement.node;
    switch (statement.type) {
        case "CreateStmt": {
            const table = relname(fields.relation);
            context.createdTables.add(table);
            const hits: Hit[] = [];
            for (const element of list(fields.tableElts)) {
                const [type, value] = unwrap(element);
                if (type === "ColumnDef") {
                    hits.push(...typeStyle(value));
                    for (const c of list(value.constraints))
                        context.notNullChecks.add(table, unwrap(c)[1], str(value.colname));
                } else if (type === "Constraint") context.notNullChecks.add(table, value);
            }
            return hits;
        }
        case "AlterTableStmt":
            return alterTable(fields, context);
        case "IndexStmt":
            return createIndex(fields, context);
        case "DropStmt":
            return drop(fields, context);
        case "RenameStmt": {
            const table = relname(fields.relation);
            if (fields.renameType === "OBJECT_COLUMN")
                return [
                    {
                        rule: "renaming-column",
                        what: `RENAME COLUMN ${str(fields.subname)} TO ${str(fields.newname)} on ${table}`,
                    },
                ];
            if (fields.renameType === "OBJECT_TABLE")
                return [{ rule: "renaming-table", what: `RENAME TABLE ${table} TO ${str(fields.newname)}` }];
            return [];
        }
        case "DropdbStmt":
            return [{ rule: "ban-drop-database", what: `DROP DATABASE ${str(fields.dbname)}` }];
        case "TruncateStmt":
            return [
                {
                    rule: "ban-truncate",
                    what: `TRUNCATE ${list(fields.relations)
                        .map((r) => relname(unwrap(r)[1]))
                        .join(", ")}${fields.behavior === "DROP_CASCADE" ? " CASCADE" : ""}`,
                },
            ];
        case "TransactionStmt":
            return [{ rule: "transaction-nesting", what: str(fields.kind).replace("TRANS_STMT_", "") }];
        case "VacuumStmt":
            return optionOn(fields.options, "full") ? [{ rule: "ban-vacuum-full", what: "VACUUM FULL" }] : [];
        case "ClusterStmt":
            return [{ rule: "ban-cluster", what: `CLUSTER ${relname(fields.relation)}` }];
        case "LockStmt":
            return [
                {
                    rule: "ban-lock-table",
                    what: `LOCK TABLE ${list(fields.relations)
                        .map((r) => relname(unwrap(r)[1]))
                        .join(", ")}`,
                },
            ];
        case "ReindexStmt": {
            const target = relname(fields.relation) || str(fields.name);
            // Postgres refuses CONCURRENTLY for system catalogs: there is no safer form to ask
            // for, so REINDEX SYSTEM is left alone (as squawk does).
            if (fields.kind === "REINDEX_OBJECT_SYSTEM") return [];
            if (!optionOn(fields.params, "concurrently"))
                return [{ rule: "require-concurrent-reindex", what: `REINDEX ${target} without CONCURRENTLY` }];
            return context.transactional
                ? [
                      {
                          rule: "ban-concurrent-index-creation-in-transaction",
                          what: "REINDEX CONCURRENTLY inside the runner's transaction",
                      },
                  ]
                : [];
        }
        case "RefreshMatViewStmt":
            return fields.concurrent === true
                ? []
                : [
                      {
                          rule: "require-concurrent-refresh",
                          what: `REFRESH MATERIALIZED VIEW ${relname(fields.relation)} without CONCURRENTLY`,
                      },
                  ];
        case "AlterEnumStmt":
            return fields.newVal !== undefined && fields.newValNeighbor === undefined
                ? [
                      {
                          rule: "require-enum-value-ordering",
                          what: `ADD VALUE '${str(fields.newVal)}' without BEFORE or AFTER`,
                      },
                  ]
                : [];
        case "CreateDomainStmt":
            return list(fields.constraints).some((c) => unwrap(c)[1].contype === "CONSTR_CHECK")
                ? [
                      {
                          rule: "ban-create-domain-with-constraint",
                          what: `CREATE DOMAIN ${names(fields.domainname).join(".")} with a CHECK`,
                      },
                  ]
                : [];
        case "AlterDomainStmt":
            return fields.subtype === "C"
                ? [
                      {
                          rule: "ban-alter-domain-with-add-constraint",
                          what: `ALTER DOMAIN ${names(fields.typeName).join(".")} ADD CONSTRAINT`,
                      },
                  ]
                : [];
        default:
            return [];
    }
}
