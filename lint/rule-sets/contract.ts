import type { Rule } from "../rule";
import { rule } from "../rule";
import { expandContract } from "./expand-contract";

/** Contract: old code still running may break. */
export const contractRules: readonly Rule[] = [
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
];
