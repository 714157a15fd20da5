import type { Rule } from "../rule";
import { rule } from "../rule";

/** The expand/contract discipline and opt-outs. */
export const disciplineRules: readonly Rule[] = [
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
];
