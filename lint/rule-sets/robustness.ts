import type { Rule } from "../rule";
import { rule } from "../rule";

/** Robustness: breaks the runner, or a retry. */
export const robustnessRules: readonly Rule[] = [
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
];
