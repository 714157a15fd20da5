import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";

/** The running stack's config entries; objects arrive as JSON text and are parsed back. */
export function programConfigEntries(): Record<string, unknown> {
    const entries: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(pulumi.runtime.allConfig())) {
        entries[key] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
    }
    return entries;
}

/**
 * Whether the running stack stored `key` encrypted. The SDK knows (PULUMI_CONFIG_SECRET_KEYS)
 * but keeps the function internal, so it is looked up rather than imported by name.
 */
export function isProgramConfigSecret(key: string): boolean {
    const lookup: unknown = (runtimeConfig as Record<string, unknown>)["isConfigSecret"];
    return typeof lookup === "function" ? Boolean((lookup as (key: string) => unknown)(key)) : false;
}
