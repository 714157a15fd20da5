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

const rule = (
    id: string,
    severity: Rule["severity"],
    kind: Rule["kind"],
    source: string,
    why: string,
    safe: string,
    lock?: LockMode,
): Rule => ({ id, severity, kind, source, why, safe, ...(lock === undefined ? {} : { lock }) });

const expandContract =
    "ship it as a contract file (-- migrate-first: contract completes <expand-version>) in a release after the expand that made old code stop depending on it";

/** Names that enable several opt-in rules at once, as squawk's require-timeout-settings does. */
export const optInGroups: Readonly<Record<string, readonly string[]>> = {
    "require-timeout-settings": ["require-lock-timeout", "require-statement-timeout"],
};

/** Every rule, by id. Ids follow squawk's where squawk has the rule. */
export const rules: Readonly<Record<string, Rule>> = Object.fromEntries(
    [
        // Blocking: a lock that stalls traffic, or a table rewrite.
        rule(
            "require-concurrent-index-creation",
            "error",
            "blocking",
            "squawk; strong_migrations: adding an index non-concurrently",
            "CREATE INDEX takes a SHARE lock: every write to the table waits until the index is built",
            "CREATE INDEX CONCURRENTLY ... in a file marked -- migrate-first: no-transaction",
            "ShareLock",
        ),
        rule(
            "require-concurrent-index-deletion",
            "error",
            "blocking",
            "squawk",
            "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait",
            "DROP INDEX CONCURRENTLY IF EXISTS ... in a file marked -- migrate-first: no-transaction",
            "AccessExclusiveLock",
        ),
        rule(
            "require-concurrent-reindex",
            "error",
            "blocking",
            "squawk",
            "REINDEX blocks writes to the table (and reads that use the index) while it rebuilds",
            "REINDEX ... CONCURRENTLY in a file marked -- migrate-first: no-transaction",
            "ShareLock",
        ),
        rule(
            "require-concurrent-partition-detach",
            "error",
            "blocking",
            "squawk",
            "DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the parent table",
            "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY in a file marked -- migrate-first: no-transaction",
            "AccessExclusiveLock",
        ),
        rule(
            "adding-foreign-key-constraint",
            "error",
            "blocking",
            "squawk; strong_migrations: adding a foreign key / a reference",
            "a validated foreign key takes SHARE ROW EXCLUSIVE locks on both tables while it scans every row",
            "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later file (it takes a weaker lock)",
            "ShareRowExclusiveLock",
        ),
        rule(
            "constraint-missing-not-valid",
            "error",
            "blocking",
            "squawk; strong_migrations: adding a check constraint",
            "a validated CHECK constraint holds an ACCESS EXCLUSIVE lock while it scans every row",
            "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later file",
            "AccessExclusiveLock",
        ),
        rule(
            "validate-in-same-transaction",
            "error",
            "blocking",
            "squawk: constraint-missing-not-valid",
            "validating in the transaction that added the constraint keeps the adding statement's ACCESS EXCLUSIVE lock for the whole scan",
            "VALIDATE CONSTRAINT in a later file, in its own transaction",
            "AccessExclusiveLock",
        ),
        rule(
            "disallowed-unique-constraint",
            "error",
            "blocking",
            "squawk; strong_migrations: adding a unique constraint",
            "ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait",
            "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX",
            "AccessExclusiveLock",
        ),
        rule(
            "adding-primary-key-constraint",
            "error",
            "blocking",
            "squawk",
            "ADD PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait",
            "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
            "AccessExclusiveLock",
        ),
        rule(
            "adding-exclusion-constraint",
            "error",
            "blocking",
            "strong_migrations: adding an exclusion constraint",
            "an exclusion constraint is built under an ACCESS EXCLUSIVE lock and cannot be added NOT VALID",
            "create the table with it, or allow it with a reason for a small table",
            "AccessExclusiveLock",
        ),
        rule(
            "adding-field-with-default",
            "error",
            "blocking",
            "squawk; strong_migrations: adding a column with a volatile default",
            "a default that is not provably immutable or stable (a volatile built-in such as random() or gen_random_uuid(), or any user-defined or extension function: the Postgres 18 catalog, lint/builtin-volatility.json, decides) is computed per row: the whole table is rewritten under an ACCESS EXCLUSIVE lock",
            "add the column without a default, set the default for new rows, and backfill in batches",
            "AccessExclusiveLock",
        ),
        rule(
            "adding-stored-generated-column",
            "error",
            "blocking",
            "squawk: adding-field-with-default; strong_migrations: adding a stored generated column",
            "a STORED generated column rewrites the whole table under an ACCESS EXCLUSIVE lock",
            "add a plain column and fill it with a trigger and a batched backfill, or use a VIRTUAL generated column",
            "AccessExclusiveLock",
        ),
        rule(
            "adding-serial-primary-key-field",
            "error",
            "blocking",
            "squawk; strong_migrations: adding an auto-incrementing column",
            "a serial or identity column fills every existing row: the table is rewritten under an ACCESS EXCLUSIVE lock",
            "create a new table, or add a nullable column and backfill it in batches",
            "AccessExclusiveLock",
        ),
        rule(
            "changing-column-type",
            "error",
            "blocking",
            "squawk; strong_migrations: changing the type of a column",
            "most type changes rewrite the table under an ACCESS EXCLUSIVE lock, and old code may send values of the old type",
            "add a column of the new type, write both, backfill, move reads, then drop the old one in a contract file",
            "AccessExclusiveLock",
        ),
        rule(
            "adding-not-nullable-field",
            "error",
            "blocking",
            "squawk; strong_migrations: setting NOT NULL on an existing column",
            "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, and old code that writes NULL starts failing",
            "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later file, then SET NOT NULL (Postgres uses the valid check and skips the scan)",
            "AccessExclusiveLock",
        ),
        rule(
            "ban-table-rewrite",
            "error",
            "blocking",
            "migrate-first: the rewrite forms of ALTER TABLE in Postgres's tablecmds.c (SET LOGGED/UNLOGGED, SET ACCESS METHOD, SET EXPRESSION) and SET TABLESPACE",
            "the table is rewritten or copied row by row under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole copy",
            "create a new table in the wanted form, fill it in batches and switch over in a later release; or run it outside the migrations in a maintenance window",
            "AccessExclusiveLock",
        ),
        rule(
            "ban-vacuum-full",
            "error",
            "blocking",
            "squawk: prefer-repack",
            "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock",
            "plain VACUUM in a file marked -- migrate-first: no-transaction (VACUUM cannot run in a transaction), or pg_repack outside the migration",
            "AccessExclusiveLock",
        ),
        rule(
            "ban-cluster",
            "error",
            "blocking",
            "issue list; squawk: prefer-repack",
            "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock",
            "pg_repack outside the migration",
            "AccessExclusiveLock",
        ),
        rule(
            "ban-lock-table",
            "error",
            "blocking",
            "issue list",
            "an explicit LOCK TABLE holds the lock until the file's transaction ends, stalling traffic behind it",
            "remove it; each statement takes the lock it needs, bounded by lock_timeout",
        ),
        rule(
            "require-concurrent-refresh",
            "warning",
            "blocking",
            "migrate-first",
            "REFRESH MATERIALIZED VIEW takes an ACCESS EXCLUSIVE lock on the view: reads wait",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)",
            "AccessExclusiveLock",
        ),
        rule(
            "ban-alter-domain-with-add-constraint",
            "warning",
            "blocking",
            "squawk",
            "a domain constraint is checked against every column of that domain, under locks on every such table",
            "use a CHECK constraint on the tables, added NOT VALID",
        ),
        rule(
            "ban-create-domain-with-constraint",
            "warning",
            "style",
            "squawk",
            "constraints on a domain cannot be changed later without checking every column of that domain",
            "use a CHECK constraint on the table instead",
        ),
        // Contract: old code still running may break.
        rule(
            "ban-drop-column",
            "error",
            "contract",
            "squawk; strong_migrations: removing a column",
            "the old version still running reads or writes the column and fails",
            `first release code that no longer uses it; then ${expandContract}`,
        ),
        rule(
            "ban-drop-table",
            "error",
            "contract",
            "squawk",
            "the old version still running uses the table, and its data is gone for good",
            `first release code that no longer uses it; then ${expandContract}`,
        ),
        rule("ban-drop-database", "error", "contract", "squawk", "everything is gone for good", "never in a migration"),
        rule(
            "ban-drop-schema-object",
            "error",
            "contract",
            "squawk: ban-drop-schema, ban-drop-sequence, ban-drop-domain",
            "the old version still running may use it",
            `first release code that no longer uses it; then ${expandContract}`,
        ),
        rule(
            "ban-drop-constraint",
            "warning",
            "contract",
            "squawk",
            "the old version may rely on what the constraint guaranteed",
            expandContract,
        ),
        rule(
            "renaming-column",
            "error",
            "contract",
            "squawk; strong_migrations: renaming a column",
            "the old version still running uses the old name and fails",
            "add the new column, write both, backfill, move reads, then drop the old one in a contract file",
        ),
        rule(
            "renaming-table",
            "error",
            "contract",
            "squawk; strong_migrations: renaming a table",
            "the old version still running uses the old name and fails",
            "create the new table (or a view with the new name), move the code, then drop the old one in a contract file",
        ),
        rule(
            "ban-drop-not-null",
            "error",
            "contract",
            "squawk",
            "the old version still running assumes the column is never NULL",
            expandContract,
        ),
        rule(
            "ban-drop-default",
            "error",
            "contract",
            "migrate-first (issue list)",
            "the old version still running inserts without the column and relied on the default",
            expandContract,
        ),
        rule(
            "adding-required-field",
            "error",
            "contract",
            "squawk",
            "a NOT NULL column without a default fails on existing rows, and the old version's INSERTs lack the column",
            "add it nullable or with a constant default; make it required in a later release",
        ),
        rule(
            "ban-truncate",
            "error",
            "contract",
            "squawk: ban-truncate-cascade",
            "TRUNCATE deletes every row for good (with CASCADE, of other tables too), under an ACCESS EXCLUSIVE lock",
            "delete in batches, in a contract file, if the data is really unwanted",
            "AccessExclusiveLock",
        ),
        // Robustness: breaks the runner, or a retry.
        rule(
            "transaction-nesting",
            "error",
            "robustness",
            "squawk: transaction-nesting, ban-uncommitted-transaction",
            "the runner wraps each file in a transaction; BEGIN, COMMIT or ROLLBACK in the file ends it early",
            "remove the transaction statements; mark a file that must run outside a transaction -- migrate-first: no-transaction",
        ),
        rule(
            "ban-concurrent-index-creation-in-transaction",
            "error",
            "robustness",
            "squawk",
            "CONCURRENTLY cannot run inside a transaction block: the file fails",
            "mark the file -- migrate-first: no-transaction and keep that statement alone in it",
        ),
        rule(
            "prefer-robust-stmts",
            "error",
            "robustness",
            "squawk",
            "a no-transaction file can fail halfway; rerun, a statement without IF [NOT] EXISTS fails on what the first run did",
            "make each statement find nothing to do the second time: IF NOT EXISTS on CREATE TABLE, CREATE INDEX (named), ADD COLUMN and ADD VALUE; IF EXISTS on DROP, DROP COLUMN and DROP CONSTRAINT; OR REPLACE on views, functions and triggers; DROP CONSTRAINT IF EXISTS before ADD CONSTRAINT",
        ),
        rule(
            "require-enum-value-ordering",
            "warning",
            "style",
            "squawk",
            "ADD VALUE without BEFORE or AFTER appends, which may not be the order the code sorts by",
            "say where: ALTER TYPE ... ADD VALUE 'x' BEFORE 'y' (or AFTER)",
        ),
        rule(
            "identifier-too-long",
            "error",
            "robustness",
            "squawk",
            "Postgres truncates names longer than 63 bytes, so two names can collide and later statements miss",
            "shorten the name to 63 bytes or fewer",
        ),
        rule("syntax-error", "error", "robustness", "squawk", "Postgres cannot parse the file", "fix the SQL"),
        // Style: schema choices that hurt later.
        rule(
            "prefer-bigint-over-int",
            "warning",
            "style",
            "squawk",
            "a 32-bit integer key runs out at 2.1 billion, and widening it later rewrites the table",
            "bigint",
        ),
        rule(
            "prefer-bigint-over-smallint",
            "warning",
            "style",
            "squawk",
            "a smallint runs out at 32767, and widening it later rewrites the table",
            "bigint",
        ),
        rule(
            "prefer-identity",
            "warning",
            "style",
            "squawk",
            "serial types make ownership and permissions of the sequence awkward",
            "bigint GENERATED ALWAYS AS IDENTITY",
        ),
        rule(
            "prefer-text-field",
            "warning",
            "style",
            "squawk",
            "changing a varchar(n) limit later takes an ACCESS EXCLUSIVE lock",
            "text with a CHECK (length(col) <= n) constraint",
        ),
        rule(
            "prefer-timestamptz",
            "warning",
            "style",
            "squawk",
            "timestamp without time zone silently drops the offset",
            "timestamptz",
        ),
        rule(
            "ban-char-field",
            "warning",
            "style",
            "squawk",
            "char(n) pads with spaces and is no faster",
            "text or varchar",
        ),
        rule(
            "prefer-jsonb",
            "warning",
            "style",
            "strong_migrations: adding a json column",
            "json has no equality operator: SELECT DISTINCT and some queries on the table fail",
            "jsonb",
        ),
        rule(
            "index-too-many-columns",
            "warning",
            "style",
            "strong_migrations: keep non-unique indexes to three columns or fewer",
            "wide non-unique indexes are large and rarely used beyond their first columns",
            "index at most three columns, most selective first",
        ),
        // Opt-in rules: off unless enabled.
        {
            ...rule(
                "require-lock-timeout",
                "warning",
                "robustness",
                "squawk: require-timeout-settings",
                "without lock_timeout a statement waiting for a lock queues all traffic to the table behind it (our runner sets it; other runners may not)",
                "SET lock_timeout = '1s'; at the top of the file",
            ),
            optIn: true,
        },
        {
            ...rule(
                "require-statement-timeout",
                "warning",
                "robustness",
                "squawk: require-timeout-settings",
                "without statement_timeout a slow statement holds its locks for as long as it runs (our runner sets it; other runners may not)",
                "SET statement_timeout = '5min'; at the top of the file",
            ),
            optIn: true,
        },
        {
            ...rule(
                "require-table-schema",
                "warning",
                "style",
                "squawk",
                "an unqualified table name means whatever schema the runner's search_path finds first",
                "name the schema: public.my_table",
            ),
            optIn: true,
        },
        {
            ...rule(
                "ban-duplicate-column-assignments",
                "warning",
                "robustness",
                "squawk",
                "Postgres refuses a column named twice in one list (multiple assignments to same column): the file fails when it runs, not when it is reviewed",
                "name each column once",
            ),
            optIn: true,
        },
        // The expand/contract discipline and opt-outs.
        rule(
            "contract-without-expand",
            "error",
            "contract",
            "migrate-first",
            "a contract must name the expand it completes, so the runner can check that release was deployed and verified first",
            "-- migrate-first: contract completes <version of the expand file>",
        ),
        rule(
            "file-name",
            "error",
            "robustness",
            "migrate-first",
            "the runner orders files by the number before the first '_' and refuses other names",
            "<version>_<description>.sql, e.g. 0007_add_email_verified.sql",
        ),
        rule(
            "bad-directive",
            "error",
            "robustness",
            "migrate-first",
            "a migrate-first header or opt-out the runner and the linter cannot read",
            "see the README: no-transaction, expand, contract completes <version>, allow <rule-id> because <reason>",
        ),
    ].map((r) => [r.id, r]),
);
