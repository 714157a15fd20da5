import { createHash } from "crypto";

/**
 * `base` shortened to fit `max` characters with `suffix` after it. A base that does not fit
 * keeps its first characters plus 8 hex characters of its SHA-256, so two long names that
 * share a prefix never shorten into one, and the same name always shortens the same way.
 */
export function boundedName(base: string, max: number, suffix = "", separator = "-"): string {
    const room = max - suffix.length;
    if (base.length <= room) return `${base}${suffix}`;
    const hash = createHash("sha256").update(base).digest("hex").slice(0, 8);
    // The head must end in a letter or digit: DNS labels and identifiers both want that.
    const head = base.slice(0, room - hash.length - separator.length).replace(/[^a-z0-9]+$/, "");
    return `${head}${separator}${hash}${suffix}`;
}

/** Any text (a stack name may hold upper case, "." and "_") as a DNS-1123 label of at most `max` characters. */
export function labelFrom(text: string, max: number): string {
    return boundedName(
        text
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .replace(/^-+|-+$/g, ""),
        max,
    );
}
