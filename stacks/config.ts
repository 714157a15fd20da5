import { existsSync, readdirSync, readFileSync } from "fs";
import { basename, join } from "path";
import { parse } from "yaml";
import type { EnvironmentSpec, Tier } from "../environment-schema";
import { defaultTier, parseSpec, SpecError, tierOrigin, tiers } from "../environment-schema";
import { deepMerge, presets } from "./presets";

/** The config namespace: keys are `migrate-first:<field>`. */
export const configNamespace = "migrate-first";

/** Config keys that hold secrets and never enter the spec (set them with `pulumi config set --secret`). */
export const secretKeys = ["databaseAdminPassword", "alertWebhookUrl"] as const;

const secretKeyList: readonly string[] = secretKeys.map((key) => `${configNamespace}:${key}`);

/** The tier whose preset a stack's config sits on: the one it names, else the stack name's. */
function presetTier(stack: string, raw: Readonly<Record<string, unknown>>): Tier | undefined {
    if (raw.tier !== undefined) return tiers.find((tier) => tier === raw.tier); // an unknown tier is reported by validation
    return defaultTier(stack, raw.preview !== undefined);
}

/** A preview lives `ttlHours` after its last update, to the next full hour (so labels change once an hour at most). */
function withExpiry(spec: EnvironmentSpec, now: Date): EnvironmentSpec {
    if (spec.preview === undefined || spec.preview.expiresAt !== undefined) return spec;
    const hour = 3600 * 1000;
    const expires = new Date(Math.ceil((now.getTime() + spec.preview.ttlHours * hour) / hour) * hour);
    return { ...spec, preview: { ...spec.preview, expiresAt: expires.toISOString().replace(".000Z", "Z") } };
}

/** A stack's config entries as read from Pulumi (or its stack file), and which of them were stored encrypted. */
export interface StackConfig {
    readonly stack: string;
    readonly entries: Readonly<Record<string, unknown>>;
    readonly isSecret: (key: string) => boolean;
    /** Where they came from, for error headlines. */
    readonly origin?: string;
}

/**
 * The `migrate-first:*` entries without the secrets, by field name. The secret keys must be
 * stored encrypted, and nothing else may be, so no secret ends up in a spec or a render.
 */
export function plainConfig({ stack, entries, isSecret, origin }: StackConfig): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [key, value] of Object.entries(entries)) {
        if (!key.startsWith(`${configNamespace}:`)) continue;
        if (secretKeyList.includes(key)) {
            if (!isSecret(key))
                problems.push(
                    `${key}: is stored in plain text; set it with: pulumi config set --secret ${key.slice(configNamespace.length + 1)} <value>`,
                );
            continue;
        }
        if (isSecret(key)) {
            problems.push(
                `${key}: is a secret, but only ${secretKeyList.join(" and ")} may be; set it without --secret`,
            );
            continue;
        }
        raw[key.slice(configNamespace.length + 1)] = value;
    }
    if (problems.length > 0) throw new SpecError(problems, { stack, kind: "config", origin });
    return raw;
}

/** Which tier a stack's config gets, why, and how to choose another: the first thing render and rehearse say. */
export function stackTierOrigin(config: StackConfig): string {
    const raw = plainConfig(config);
    return tierOrigin(
        config.stack,
        tiers.find((tier) => tier === raw.tier),
        raw.preview !== undefined,
    );
}

/** The spec from a stack's config, on top of its tier's preset. `now` dates a preview's expiry. */
export function specFromConfig(config: StackConfig, now = new Date()): EnvironmentSpec {
    const { stack, origin } = config;
    const raw = plainConfig(config);
    const tier = presetTier(stack, raw);
    const preset = tier === undefined ? undefined : { name: tier, values: presets[tier] };
    const source = { stack, kind: "config", origin, preset, tierOrigin: stackTierOrigin(config) } as const;
    return withExpiry(parseSpec(deepMerge(preset?.values ?? {}, raw), source), now);
}

/** Stacks with a `Pulumi.<stack>.yaml` in `dir`. */
export function knownStacks(dir: string): string[] {
    return readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** A stack's config read straight from `Pulumi.<stack>.yaml` (no Pulumi CLI needed); encrypted values stay encrypted. */
export function readStackFile(dir: string, stack: string): StackConfig {
    const file = join(dir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) {
        throw new Error(
            `unknown stack "${stack}"; known stacks: ${knownStacks(dir).join(", ") || `none (no Pulumi.<stack>.yaml in ${dir})`}`,
        );
    }
    let document: unknown;
    try {
        document = parse(readFileSync(file, "utf8"), { maxAliasCount: 100 });
    } catch (error) {
        // yaml's message carries the line and column; the file name is ours to add.
        throw new Error(
            `${file}: is not valid YAML: ${error instanceof Error ? (error.message.split("\n")[0] ?? "").replace(/:$/, "") : String(error)}`,
        );
    }
    const config =
        (typeof document === "object" && document !== null ? (document as { config?: unknown }).config : undefined) ??
        {};
    if (typeof config !== "object" || config === null || Array.isArray(config))
        throw new Error(`${file}: "config" must be a map of keys to values`);
    const entries = config as Record<string, unknown>;
    const isSecret = (key: string) => {
        const value = entries[key];
        return typeof value === "object" && value !== null && "secure" in value;
    };
    return { stack, entries, isSecret, origin: basename(file) };
}

/** The spec of a stack from its `Pulumi.<stack>.yaml`. `now` dates a preview's expiry. */
export function specFromStackFile(dir: string, stack: string, now?: Date): EnvironmentSpec {
    return specFromConfig(readStackFile(dir, stack), now);
}
