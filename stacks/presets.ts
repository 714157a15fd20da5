import type { EnvironmentSpecInput, Tier } from "../environment-schema";

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Defaults for a tier; stack config overrides any field, and the merged spec is validated as one. */
export type Preset = DeepPartial<EnvironmentSpecInput>;

const small = { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "250m", memory: "256Mi" } };

/** Presets by tier (environment-schema/tier.ts): what each kind of environment starts from. */
export const presets: Readonly<Record<Tier, Preset>> = {
    // One small pod; Argo CD follows Git at once and prunes what Git drops.
    dev: {
        app: { replicas: 1, resources: small },
        argocd: { automated: true, selfHeal: true, prune: true },
    },
    // A pull request's copy: as small as dev, and everything it syncs goes when it is destroyed.
    preview: {
        app: { replicas: 1, resources: small },
        argocd: { automated: true, selfHeal: true, prune: true, retryLimit: 1 },
    },
    // Shaped like prod, so a migration that is slow or locks too much shows here first.
    staging: {
        app: {
            replicas: 2,
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        },
        argocd: { automated: true, selfHeal: true, prune: true },
        migration: { activeDeadlineSeconds: 600, statementTimeout: "8min" },
    },
    // Three pods, longer migration deadlines, and nothing deleted because Git dropped it:
    // pruning in prod takes a manual sync. Only images staging verified; the database is
    // protected (tier "prod").
    prod: {
        app: {
            replicas: 3,
            resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        },
        argocd: { automated: true, selfHeal: true, prune: false },
        migration: { activeDeadlineSeconds: 900, statementTimeout: "10min", lockWaitSeconds: 300 },
        promotion: { from: "staging" },
    },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `override` on top of `base`, object by object; arrays and scalars are replaced whole. */
export function deepMerge(base: unknown, override: unknown): unknown {
    if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
    return merged;
}
