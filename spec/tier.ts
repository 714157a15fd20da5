/**
 * What an environment is for. It picks the preset and the rules: "dev" allows moving tags;
 * "preview" is a pull request's short-lived copy; "staging" and "prod" take images pinned by
 * digest or an immutable tag, and prod's database is protected.
 */
export const tiers = ["dev", "preview", "staging", "prod"] as const;
export type Tier = (typeof tiers)[number];

/** The pull request a stack named `pr-<number>` previews. */
export function previewNumber(stack: string): number | undefined {
    const match = /^pr-([1-9][0-9]{0,8})$/.exec(stack);
    return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * The tier a stack gets when its config names none: by its name ("dev", "staging", "pr-<n>"),
 * and "prod", the strictest, for any other name.
 */
export function defaultTier(stack: string, isPreview: boolean): Tier {
    if (isPreview || previewNumber(stack) !== undefined) return "preview";
    if (stack === "dev" || stack === "staging") return stack;
    return "prod";
}
