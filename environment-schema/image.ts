// An OCI image reference: [registry[:port]/]repository[:tag][@sha256:digest].
const reference =
    /^(?<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

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
        return 'is not an image reference; write it as registry/repository:tag, e.g. "ghcr.io/acme/shop:v1.2.0"';
    }
    return `has no tag or digest; pin it, e.g. "${parts.repo}:v1.2.0" or "${parts.repo}@sha256:..."`;
}

// Tags that name one build for good: a version ("v1.2.0", "2024.06.1-rc.1") or a commit ("3f2c1ab", "sha-3f2c1ab").
const immutableTag = /^(v?[0-9]+(\.[0-9]+){0,3}([-+][0-9A-Za-z.-]+)?|(sha-|git-)?[0-9a-f]{7,40})$/;

/**
 * Why `image` may not run in `tier`, or undefined when it may. Outside dev "latest" is refused;
 * staging and prod need a digest or an immutable tag, so what runs is what was verified.
 */
export function tierImageProblem(image: string, tier: string): string | undefined {
    const parts = parseImage(image);
    if (parts === undefined || tier === "dev" || parts.digest !== undefined) return undefined;
    const fix = `pin it by digest ("${parts.repo}@sha256:...") or by an immutable tag (a version such as "v1.2.0", or a commit SHA)`;
    if (parts.tag === "latest") return `moves with every push, so it is refused everywhere but dev; ${fix}`;
    if ((tier === "staging" || tier === "prod") && parts.tag !== undefined && !immutableTag.test(parts.tag)) {
        return `has the tag "${parts.tag}", which can move to another build; in ${tier} ${fix}`;
    }
    return undefined;
}
