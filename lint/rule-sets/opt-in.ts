import type { Rule } from "../rule";
import { rule } from "../rule";

/** Opt-in rules: off unless enabled. */
export const optInRules: readonly Rule[] = [
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
];
