// An OCI image reference: [registry[:port]/]repository[:tag][@sha256:digest].
const reference = /^(?<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** The parts of an image reference, or undefined when it is not one. */
export function parseImage(image: string): { repo: string; tag?: string; digest?: string } | undefined {
    const groups = reference.exec(image)?.groups;
    if (groups === undefined) return undefined;
    return { repo: groups.repo, tag: groups.tag, digest: groups.digest };
}

/** True when the reference names one build: a tag or a digest. */
export function isPinnedImage(image: unknown): boolean {
    if (typeof image !== "string") return false;
    const parts = parseImage(image);
    return parts !== undefined && (parts.tag !== undefined || parts.digest !== undefined);
}

/** Why an image is refused, and how to pin it. */
export function pinHint(image: string): string {
    const parts = parseImage(image);
    if (parts === undefined) {
        return "is not an image reference; write it as registry/repository:tag, e.g. \"ghcr.io/acme/shop:v1.2.0\"";
    }
    return `has no tag or digest; pin it, e.g. "${parts.repo}:v1.2.0" or "${parts.repo}@sha256:..."`;
}
