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

/** The tier a stack's name says: "dev", "staging", "prod", "pr-<n>" (preview); none for any other name. */
export function impliedTier(stack: string): Tier | undefined {
    if (previewNumber(stack) !== undefined) return "preview";
    return stack === "dev" || stack === "staging" || stack === "prod" ? stack : undefined;
}

/**
 * The tier a stack gets when its config names none: by its name ("dev", "staging", "pr-<n>"),
 * and "prod", the strictest, for any other name.
 */
export function defaultTier(stack: string, isPreview: boolean): Tier {
    if (isPreview) return "preview";
    return impliedTier(stack) ?? "prod";
}

/** True when `tier` holds fewer rules than `than` (dev < preview < staging < prod). */
export function isLowerTier(tier: Tier, than: Tier): boolean {
    return tiers.indexOf(tier) < tiers.indexOf(than);
}

/** Which tier applies and why, in words, with how to choose another (`setTier` says how, e.g. a config command). */
export function tierOrigin(
    stack: string,
    configured: Tier | undefined,
    isPreview: boolean,
    setTier = "pulumi config set migrate-first:tier",
): string {
    const others = tiers.filter((t) => t !== "preview").join(", ");
    if (configured !== undefined)
        return `tier "${configured}", as the config's tier says; to choose another: ${setTier} <${others}>`;
    const tier = defaultTier(stack, isPreview);
    const why =
        isPreview && impliedTier(stack) !== "preview"
            ? "preview is set"
            : impliedTier(stack) !== undefined
              ? `the stack is named "${stack}"`
              : `the stack name "${stack}" is none of dev, staging, prod or pr-<number>, so the strictest tier applies`;
    const suggestion = tier === "prod" ? "staging" : `<${others}>`;
    return `tier "${tier}", because ${why}; to choose another: ${setTier} ${suggestion}`;
}
