// The rules, one file per kind under rule-sets/; their shape in rule.ts.
export { lockModes } from "./rule";
export type { LockMode, Rule, StatementClass } from "./rule";
import type { Rule } from "./rule";
import { blockingRules } from "./rule-sets/blocking";
import { contractRules } from "./rule-sets/contract";
import { robustnessRules } from "./rule-sets/robustness";
import { styleRules } from "./rule-sets/style";
import { optInRules } from "./rule-sets/opt-in";
import { disciplineRules } from "./rule-sets/discipline";

/** Names that enable several opt-in rules at once, as squawk's require-timeout-settings does. */
export const optInGroups: Readonly<Record<string, readonly string[]>> = {
    "require-timeout-settings": ["require-lock-timeout", "require-statement-timeout"],
};

/** Every rule, by id. Ids follow squawk's where squawk has the rule. */
export const rules: Readonly<Record<string, Rule>> = Object.fromEntries(
    [...blockingRules, ...contractRules, ...robustnessRules, ...styleRules, ...optInRules, ...disciplineRules].map(
        (r) => [r.id, r],
    ),
);
