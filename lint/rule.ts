/** How a statement affects running code and traffic. */
export type StatementClass = "expand" | "contract" | "blocking";

/** Postgres table lock modes, weakest first (the order of `LOCK TABLE ... IN <mode> MODE`). */
export const lockModes = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
] as const;
export type LockMode = (typeof lockModes)[number];

export interface Rule {
    readonly id: string;
    /** "error" fails the lint; "warning" is reported. */
    readonly severity: "error" | "warning";
    /**
     * "blocking": takes a lock that stalls traffic, or rewrites the table; "contract": old code
     * may break; "robustness": breaks a retry or the runner; "style": a schema choice that hurts later.
     */
    readonly kind: "blocking" | "contract" | "robustness" | "style";
    /** Why it hurts. */
    readonly why: string;
    /** The safe way. */
    readonly safe: string;
    /** The strongest lock the flagged statement takes on an existing table (blocking rules). */
    readonly lock?: LockMode;
    /** Where the rule comes from: squawk's id, strong_migrations' check, or ours. */
    readonly source: string;
    /**
     * Off unless a lint turns it on (`enable` in lintFile/lintDirectory's options): rules for
     * teams that run migrations outside our runner, which already does what they ask.
     */
    readonly optIn?: boolean;
}

/** A rule from its parts; `lock` only for rules that claim one. */
export const rule = (
    id: string,
    severity: Rule["severity"],
    kind: Rule["kind"],
    source: string,
    why: string,
    safe: string,
    lock?: LockMode,
): Rule => ({ id, severity, kind, source, why, safe, ...(lock === undefined ? {} : { lock }) });
