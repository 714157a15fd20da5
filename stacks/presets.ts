import { EnvironmentSpecInput } from "../spec";

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Defaults for a kind of stack; stack config overrides any field, and the merged spec is validated as one. */
export type Preset = DeepPartial<EnvironmentSpecInput>;

/** Presets by stack name. A stack without one gets the spec's own defaults. */
export const presets: Readonly<Record<string, Preset>> = {
    // One replica and small pods; plain connections to a dev server; Argo CD follows Git at once.
    dev: {
        app: { replicas: 1, resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "250m", memory: "256Mi" } } },
        argocd: { automated: true, selfHeal: true, prune: true },
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
