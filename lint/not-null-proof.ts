// The documented safe way to SET NOT NULL on a table with traffic: CHECK (col IS NOT NULL) NOT
// VALID, VALIDATE CONSTRAINT (a weaker lock), then SET NOT NULL, which Postgres 12+ proves from
// the valid check without scanning the table. The steps may sit in one file, in several files
// of a release, or in several releases: the state is carried from file to file, in the order
// the runner applies them.
import type { Node } from "./parse";
import { list, obj, str, unwrap } from "./tree";

interface NotNullCheck {
    readonly table: string;
    readonly column: string;
    valid: boolean;
}

/** CHECK constraints that say a column IS NOT NULL, by table and constraint name. */
export class NotNullChecks {
    private readonly checks = new Map<string, NotNullCheck>();

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
    }

    drop(table: string, name: string): void {
        this.checks.delete(NotNullChecks.key(table, name));
    }

    /** Whether a valid check proves the column holds no NULL, so SET NOT NULL skips the scan. */
    proves(table: string, column: string): boolean {
        for (const check of this.checks.values())
            if (check.valid && check.table === table && check.column === column) return true;
        return false;
    }
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
