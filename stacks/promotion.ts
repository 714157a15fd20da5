import { parseImage } from "../environment-schema";

/** Whether two references name the same build: the same digest when both carry one, else the same reference. */
export function sameBuild(a: string, b: string): boolean {
    const [x, y] = [parseImage(a), parseImage(b)];
    if (x?.digest !== undefined && y?.digest !== undefined) return x.digest === y.digest;
    return a === b;
}

/** What the promotion rule says about deploying `image`: fine, allowed by an override, or refused. */
export type PromotionVerdict =
    | { readonly kind: "verified" }
    | { readonly kind: "override"; readonly message: string }
    | { readonly kind: "refused"; readonly message: string };

/**
 * Checks `image` against the images stack `from` verified (newest first; undefined when that
 * stack exports none yet). An override with its reason lets an unverified image through, loudly.
 */
export function checkPromotion(
    image: string,
    from: string,
    verified: readonly string[] | undefined,
    override?: string,
): PromotionVerdict {
    if (verified?.some((v) => sameBuild(v, image))) return { kind: "verified" };
    const seen =
        verified === undefined || verified.length === 0
            ? `${from} has verified no image yet`
            : `the newest image ${from} verified is "${verified[0]}"`;
    const problem = `app.image "${image}" has not passed ${from}'s PostSync smoke check; ${seen}`;
    if (override !== undefined)
        return {
            kind: "override",
            message: `promotion override: ${problem}. Deploying it anyway because: ${override}`,
        };
    return {
        kind: "refused",
        message: `${problem}. Nothing was created. Deploy "${image}" to ${from}, let its smoke check pass and run \`pulumi up\` on ${from} so it exports it; or deploy "${verified?.[0] ?? "an image " + from + " verified"}". In an emergency: pulumi config set --path 'migrate-first:promotion.override' '<why>'`,
    };
}
