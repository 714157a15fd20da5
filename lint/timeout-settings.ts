// require-lock-timeout and require-statement-timeout (opt-in, squawk's require-timeout-settings): a file that changes the schema sets
// lock_timeout and statement_timeout before its first statement that may wait or run long, so
// it cannot queue traffic behind a lock indefinitely. Our runner sets both itself; teams that
// run migrations another way opt in.
import type { Hit } from "./inspect";
import type { Node } from "./parse";
import { str } from "./tree";

/** Per file: whether each setting was set, and whether its absence was already reported. */
export interface TimeoutsSeen {
    lock: "missing" | "set" | "reported";
    statement: "missing" | "set" | "reported";
}

// Statements that only read, write rows or set session state: the peers call the rest
// (CREATE, ALTER, DROP, CLUSTER, COMMENT, LOCK, REFRESH, REINDEX, TRUNCATE, VACUUM, ...) possibly slow.
const quick = new Set([
    "SelectStmt",
    "InsertStmt",
    "UpdateStmt",
    "DeleteStmt",
    "MergeStmt",
    "CopyStmt",
    "VariableSetStmt",
    "VariableShowStmt",
    "TransactionStmt",
    "ExplainStmt",
    "GrantStmt",
    "GrantRoleStmt",
    "DoStmt",
    "CallStmt",
    "NotifyStmt",
    "ListenStmt",
    "UnlistenStmt",
    "PrepareStmt",
    "ExecuteStmt",
    "DeallocateStmt",
    "DeclareCursorStmt",
    "FetchStmt",
    "ClosePortalStmt",
    "DiscardStmt",
    "CheckPointStmt",
    "ConstraintsSetStmt",
    "SecLabelStmt",
    "ReassignOwnedStmt",
]);

/** The hits of one statement; `enabled` holds the two rules' ids that are on. */
export function timeoutSettings(type: string, fields: Node, seen: TimeoutsSeen, enabled: ReadonlySet<string>): Hit[] {
    if (type === "VariableSetStmt") {
        // Only the settings themselves: SET foo.lock_timeout is another variable.
        const name = str(fields.name).toLowerCase();
        if (name === "lock_timeout" && seen.lock === "missing") seen.lock = "set";
        if (name === "statement_timeout" && seen.statement === "missing") seen.statement = "set";
        return [];
    }
    // ANALYZE is quick; VACUUM is not.
    if (quick.has(type) || (type === "VacuumStmt" && fields.is_vacuumcmd !== true)) return [];
    const hits: Hit[] = [];
    if (seen.lock === "missing" && enabled.has("require-lock-timeout")) {
        hits.push({
            rule: "require-lock-timeout",
            what: "no SET lock_timeout before the first statement that may wait for a lock",
        });
        seen.lock = "reported";
    }
    if (seen.statement === "missing" && enabled.has("require-statement-timeout")) {
        hits.push({
            rule: "require-statement-timeout",
            what: "no SET statement_timeout before the first statement that may run long",
        });
        seen.statement = "reported";
    }
    return hits;
}
