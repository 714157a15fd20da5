// The documented safe way to SET NOT NULL on a table with traffic: CHECK (col IS NOT NULL) NOT
// VALID, VALIDATE CONSTRAINT (a weaker lock), then SET NOT NULL, which Postgres 12+ proves from
// the valid check without scanning the table. The steps may sit in one file, in several files
// of a release, or in several releases: the state is carried from file to file, in the order
// the runner applies them.
import type { Node, Statement } from "./parse";
import { list, obj, relname, str, unwrap } from "./tree";

interface NotNullCheck {
    readonly table: string;
    readonly column: string;
    valid: boolean;
}

/** CHECK constraints that say a column IS NOT NULL, by table and constraint name. */
export class NotNullChecks {
    private readonly checks = new Map<string, NotNullCheck>();
    /** VALIDATE CONSTRAINT of a constraint added where the linter did not see it, by table. */
    private readonly external = new Map<string, Set<string>>();
    /** External helpers already paired with a SET NOT NULL by count (names that say no column). */
    private readonly paired = new Set<string>();

    private static key(table: string, name: string): string {
        return `${table}\u0000${name}`;
    }

    /** Records a CHECK constraint if (an AND of) its expression says `column IS NOT NULL`. */
    add(table: string, constraint: Node, column?: string): void {
        if (constraint.contype !== "CONSTR_CHECK" || constraint.is_enforced === false) return;
        const proven = notNullColumns(constraint.raw_expr);
        const name = str(constraint.conname);
        for (const col of proven) {
            // An unnamed check gets Postgres's generated name, which VALIDATE may use.
            const key = NotNullChecks.key(table, name || `${table}_${column ?? col}_check`);
            this.checks.set(key, { table, column: col, valid: constraint.skip_validation !== true });
        }
    }

    validate(table: string, name: string): void {
        const check = this.checks.get(NotNullChecks.key(table, name));
        if (check !== undefined) check.valid = true;
        else this.external.set(table, (this.external.get(table) ?? new Set()).add(name));
    }

    drop(table: string, name: string): void {
        this.checks.delete(NotNullChecks.key(table, name));
    }

    /**
     * Whether a valid check proves the column holds no NULL, so SET NOT NULL skips the scan.
     * A file linted without the one that added its check (squawk's cross-migration reading)
     * shows the pattern instead: VALIDATE CONSTRAINT, SET NOT NULL, then DROP CONSTRAINT of
     * the same helper (`droppedInFile`); a name `<column>_not_null` or
     * `<table>_<column>_not_null` says which column, any other name pairs with one SET NOT NULL.
     */
    proves(table: string, column: string, droppedInFile: ReadonlySet<string> = new Set()): boolean {
        for (const check of this.checks.values())
            if (check.valid && check.table === table && check.column === column) return true;
        const helpers = [...(this.external.get(table) ?? [])].filter((name) =>
            droppedInFile.has(NotNullChecks.key(table, name)),
        );
        if (helpers.some((name) => helperColumn(table, name) === column)) return true;
        const generic = helpers.find(
            (name) => helperColumn(table, name) === undefined && !this.paired.has(NotNullChecks.key(table, name)),
        );
        if (generic === undefined) return false;
        this.paired.add(NotNullChecks.key(table, generic));
        return true;
    }

    /** The constraints a file drops, as `droppedInFile` of proves() wants them. */
    static droppedIn(statements: readonly Statement[]): Set<string> {
        const dropped = new Set<string>();
        for (const statement of statements) {
            if (statement.type !== "AlterTableStmt") continue;
            for (const command of list(statement.node.cmds)) {
                const cmd = unwrap(command)[1];
                if (cmd.subtype === "AT_DropConstraint")
                    dropped.add(NotNullChecks.key(relname(statement.node.relation), str(cmd.name)));
            }
        }
        return dropped;
    }
}

/** The column a NOT NULL helper's name gives (`<column>_not_null`, `<table>_<column>_not_null`), if any. */
function helperColumn(table: string, name: string): string | undefined {
    const stem = /^(.+)_not_null$/.exec(name)?.[1];
    if (stem === undefined || stem === table) return undefined;
    return stem.startsWith(`${table}_`) ? stem.slice(table.length + 1) || undefined : stem;
}

/** The columns an expression requires to be non-NULL: `col IS NOT NULL`, alone or in an AND. */
function notNullColumns(expr: unknown): string[] {
    const [type, fields] = unwrap(expr);
    if (type === "NullTest" && fields.nulltesttype === "IS_NOT_NULL") {
        const [argType, arg] = unwrap(fields.arg);
        const parts = list(arg.fields).map((f) => str(obj(unwrap(f)[1]).sval));
        return argType === "ColumnRef" && parts.length > 0 ? [parts[parts.length - 1] ?? ""] : [];
    }
    if (type === "BoolExpr" && fields.boolop === "AND_EXPR") return list(fields.args).flatMap(notNullColumns);
    return [];
}
