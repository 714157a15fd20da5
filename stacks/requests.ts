// Platform self-service: product teams request environments with one small YAML file each;
// the platform's policy (stack config `migrate-first:selfService`) turns them into specs.
import { readdirSync, readFileSync } from "fs";
import { join, relative, resolve } from "path";
import { parse } from "yaml";
import { z } from "zod";
import type { EnvironmentSpec } from "../environment-schema";
import { boundedName, labelFrom, parseSpec, resourcesSchema, SpecError, tiers, validate } from "../environment-schema";
import { durationMs, pgDuration } from "../environment-schema/fields";
import type { StackConfig } from "./config";
import { configNamespace, plainConfig } from "./config";

export const sizes = ["small", "medium", "large"] as const;

const size = (maxReplicas: number, requests: [string, string], limits: [string, string]) =>
    resourcesSchema
        .extend({
            /** The most pods a request of this size may ask for. */
            maxReplicas: z.int().min(1).max(100),
        })
        .prefault({
            maxReplicas,
            requests: { cpu: requests[0], memory: requests[1] },
            limits: { cpu: limits[0], memory: limits[1] },
        });

const teamName = z.string().regex(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/, {
    error: "is not a team name: lower-case letters, digits and '-', at most 20 characters, e.g. \"payments\"",
});

/** The platform's rules for self-service environments: `migrate-first:selfService` in the stack config. */
export const policySchema = z.strictObject({
    /** Folder of the request files, relative to the project. @default "environments" */
    directory: z.string().min(1).default("environments"),
    /** Tier of every environment created (its image rules and protection). @default "dev" */
    tier: z.enum(tiers).default("dev"),
    /** Why every environment runs below the tier the platform stack's name implies (tier "dev" on a stack named "prod"); required then, logged as a warning. @default - none */
    tierReason: z.string().optional(),
    /** Registries (prefixes such as "ghcr.io/acme/") images must come from. Required. */
    registries: z
        .array(
            z.string().regex(/^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(\/[a-z0-9._-]+)*\/?$/, {
                error: 'is not a registry prefix such as "ghcr.io/acme/"',
            }),
        )
        .min(1),
    /** Teams that may request environments; each environment lives in namespace "<team>-<app>". Required. */
    teams: z.array(teamName).min(1),
    /** Requests, limits and the replica ceiling of each size. @default - small 2 pods of 100m/128Mi..250m/256Mi, medium 4 of 250m/512Mi..1/1Gi, large 8 of 1/2Gi..2/4Gi */
    sizes: z
        .strictObject({
            small: size(2, ["100m", "128Mi"], ["250m", "256Mi"]),
            medium: size(4, ["250m", "512Mi"], ["1", "1Gi"]),
            large: size(8, ["1", "2Gi"], ["2", "4Gi"]),
        })
        .prefault({}),
    /** The shared Postgres server, as the spec's `database` (host, clusterHost, port, adminUser, sslmode); each environment gets its own database and roles on it. Required. */
    database: z.record(z.string(), z.unknown()),
    /** How environments are delivered. @default "argocd" */
    delivery: z.enum(["argocd", "direct"]).default("argocd"),
    /** The spec's `argocd` for every environment (repoURL, targetRevision, ...); the path is "<gitPath>/<team>/<app>". @default {} */
    argocd: z.record(z.string(), z.unknown()).default({}),
    /** The spec's `kubernetes` for every environment (renderDirectory). @default {} */
    kubernetes: z.record(z.string(), z.unknown()).default({}),
    /** The longest migration timeouts a request may set ("0", no limit, is over any cap). @default - lockTimeout "1min", statementTimeout "1h", activeDeadlineSeconds 3600 */
    migrationLimits: z
        .strictObject({
            /** Longest `migration.lockTimeout`. @default "1min" */
            lockTimeout: pgDuration.default("1min"),
            /** Longest `migration.statementTimeout`. @default "1h" */
            statementTimeout: pgDuration.default("1h"),
            /** Longest `migration.activeDeadlineSeconds`. @default 3600 */
            activeDeadlineSeconds: z.int().min(1).max(86400).default(3600),
        })
        .prefault({}),
    /** Folder in the Git repository under which each environment's rendered workload lives. @default "teams" */
    gitPath: z
        .string()
        .regex(/^[^/]\S*[^/]$|^[^/]$/, { error: 'must be a relative path such as "teams"' })
        .default("teams"),
});
export type SelfServicePolicy = z.output<typeof policySchema>;

/** One request file: what a product team writes. */
const requestSchema = z.strictObject({
    /** The app's name: its Service and Deployment, and with the team its namespace and database. Required. */
    app: z.string(),
    /** The owning team; one the platform lists. Required. */
    team: z.string(),
    /** The release image, from an allowed registry. Required. */
    image: z.string(),
    /** "small", "medium" or "large": the platform's requests, limits and replica ceiling. @default "small" */
    size: z.enum(sizes).default("small"),
    /** Pods, at most the size's ceiling. @default 1 */
    replicas: z.int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" }).default(1),
    /** Port the app listens on. @default 8080 */
    port: z.unknown().optional(),
    /** Readiness and smoke-test path. @default "/health" */
    healthPath: z.unknown().optional(),
    /** Non-secret environment variables. @default {} */
    env: z.unknown().optional(),
    /** What the database needs: `roles` "split" (DDL and DML roles, the default) or "single". @default {} */
    database: z.strictObject({ roles: z.unknown().optional() }).optional(),
    /** How migrations run, as the spec's `migration` (mode, command, imageDirectory, timeouts). @default - SQL files at /app/migrations in the image, linted from "<policy directory>/<team>-<app>/migrations" */
    migration: z.unknown().optional(),
    /** The smoke test, as the spec's `smoke`. @default - GET healthPath */
    smoke: z.unknown().optional(),
});

/** A request file and the environment spec it became. */
export interface Requested {
    readonly file: string;
    /** "<team>-<app>": the Pulumi resource name and the output key. */
    readonly key: string;
    readonly spec: EnvironmentSpec;
}

/** Every bad request file at once; nothing is created when there is one. */
export class SelfServiceError extends Error {
    constructor(
        readonly problems: readonly { readonly file: string; readonly problems: readonly string[] }[],
        total: number,
    ) {
        const lines = problems.flatMap((p) => [`  ${p.file}:`, ...p.problems.map((line) => `    - ${line}`)]);
        super(
            `migrate-first self-service: ${problems.length} of ${total} request file(s) have problems; no environment was created, not even the good ones:\n${lines.join("\n")}`,
        );
        this.name = "SelfServiceError";
    }
}

// Spec fields a request spells differently; the rest come from the policy.
const requestField: Readonly<Record<string, string>> = {
    "app.name": "app",
    "app.image": "image",
    "app.port": "port",
    "app.replicas": "replicas",
    "app.healthPath": "healthPath",
    "app.env": "env",
};
function requestFieldName(field: string): string {
    const own = Object.entries(requestField).find(([spec]) => field === spec || field.startsWith(`${spec}.`));
    if (own !== undefined) return `${own[1]}${field.slice(own[0].length)}`;
    if (/^(database\.roles|migration|smoke)(\.|$)/.test(field)) return field;
    return `${field} (from the platform's policy, migrate-first:selfService)`;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fromAllowedRegistry(image: string, registries: readonly string[]): boolean {
    return registries.some((r) => image.startsWith(r.endsWith("/") ? r : `${r}/`));
}

/** The spec one request file asks for, under the policy; throws a SpecError naming the file's own fields. */
export function requestSpec(policy: SelfServicePolicy, file: string, document: unknown, stack: string): Requested {
    const source = { stack, origin: file, fieldName: requestFieldName };
    const request = validate(requestSchema, document, { stack, origin: file });
    const problems: string[] = [];
    const team = teamName.safeParse(request.team);
    if (!team.success)
        problems.push(`team: ${JSON.stringify(request.team)} ${team.error.issues[0]?.message ?? "is not a team name"}`);
    else if (!policy.teams.includes(request.team))
        problems.push(
            `team: "${request.team}" is not a team the platform knows; use one of ${policy.teams.join(", ")}, or ask the platform team to add it`,
        );
    if (!fromAllowedRegistry(request.image, policy.registries))
        problems.push(
            `image: "${request.image}" is not from an allowed registry; push it to one of ${policy.registries.map((r) => `"${r}"`).join(", ")}`,
        );
    const ceiling = policy.sizes[request.size].maxReplicas;
    if (request.replicas > ceiling)
        problems.push(
            `replicas: ${request.replicas} is more than size "${request.size}" allows (${ceiling}); lower it, or ask for a larger size`,
        );
    const key = `${request.team}-${request.app}`;
    const expected = [`${key}.yaml`, `${key}.yml`];
    if (!expected.some((name) => file.endsWith(`/${name}`) || file === name))
        problems.push(
            `the file is named for another environment; rename it to ${expected[0]} (one file per team and app)`,
        );
    if (problems.length > 0) throw new SpecError(problems, source);

    const { requests, limits } = policy.sizes[request.size];
    const spec = parseSpec(
        {
            environment: labelFrom(`${request.team}-${stack}`, 30),
            tier: policy.tier,
            ...(policy.tierReason === undefined ? {} : { tierReason: policy.tierReason }),
            delivery: policy.delivery,
            app: {
                name: request.app,
                image: request.image,
                namespace: boundedName(key, 63),
                replicas: request.replicas,
                resources: { requests, limits },
                ...(request.port === undefined ? {} : { port: request.port }),
                ...(request.healthPath === undefined ? {} : { healthPath: request.healthPath }),
                ...(request.env === undefined ? {} : { env: request.env }),
            },
            // "_" joins team and app in Postgres names; 50 leaves room for the roles' suffixes.
            database: {
                ...policy.database,
                name: boundedName(key.replace(/-/g, "_"), 50, "", "_"),
                ...(request.database ?? {}),
            },
            argocd: { ...policy.argocd, path: `${policy.gitPath}/${request.team}/${request.app}` },
            kubernetes: policy.kubernetes,
            // The team's migrations sit beside its request, where the platform's gate lints them.
            migration:
                request.migration === undefined || isObject(request.migration)
                    ? { directory: `${policy.directory}/${key}/migrations`, ...request.migration }
                    : request.migration,
            ...(request.smoke === undefined ? {} : { smoke: request.smoke }),
        },
        source,
    );
    const overCaps = limitProblems(policy, spec);
    if (overCaps.length > 0) throw new SpecError(overCaps, source);
    return { file, key, spec };
}

/** The request's migration timeouts over the policy's caps; "0" means no limit, over any cap. */
function limitProblems(policy: SelfServicePolicy, spec: EnvironmentSpec): string[] {
    const caps = policy.migrationLimits;
    const over = (value: string, cap: string) => value === "0" || durationMs(value) > durationMs(cap);
    const problems: string[] = [];
    for (const field of ["lockTimeout", "statementTimeout"] as const) {
        const value = spec.migration[field];
        if (over(value, caps[field]))
            problems.push(
                `migration.${field}: "${value}" is over the platform's cap ("${caps[field]}"${value === "0" ? '; "0" means no limit' : ""}); lower it, or ask the platform team to raise migrationLimits.${field}`,
            );
    }
    if (spec.migration.activeDeadlineSeconds > caps.activeDeadlineSeconds) {
        problems.push(
            `migration.activeDeadlineSeconds: ${spec.migration.activeDeadlineSeconds} is over the platform's cap (${caps.activeDeadlineSeconds}); lower it, or ask the platform team to raise migrationLimits.activeDeadlineSeconds`,
        );
    }
    return problems;
}

/** One request file's text as a spec, or its problems. */
export function requestFromText(
    policy: SelfServicePolicy,
    file: string,
    text: string,
    stack: string,
): Requested | { file: string; problems: string[] } {
    let document: unknown;
    try {
        // YAML aliases are capped, so an alias bomb is an error, not an out-of-memory.
        document = parse(text, { maxAliasCount: 100, logLevel: "error" });
    } catch (error) {
        return {
            file,
            problems: [`is not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`],
        };
    }
    try {
        return requestSpec(policy, file, document, stack);
    } catch (error) {
        if (error instanceof SpecError) return { file, problems: [...error.problems] };
        throw error;
    }
}

/** The request files of a folder: `*.yaml` and `*.yml`, in name order. */
export function requestFiles(dir: string): string[] {
    return readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => join(dir, name));
}

/**
 * Every request file in `dir` as a spec, or a SelfServiceError naming every bad file: all or
 * nothing, so one bad file stops the whole update before any resource.
 */
export function requestedEnvironments(
    policy: SelfServicePolicy,
    dir: string,
    stack: string,
    display: (file: string) => string = (f) => f,
): Requested[] {
    const files = requestFiles(dir);
    const good: Requested[] = [];
    const bad: { file: string; problems: string[] }[] = [];
    for (const path of files) {
        const file = display(path);
        const result = requestFromText(policy, file, readFileSync(path, "utf8"), stack);
        if ("problems" in result) bad.push(result);
        else good.push(result);
    }
    // Two files for one environment ("a-b.yaml" and "a-b.yml"; team "a" app "b-c" and team "a-b" app "c") would share its namespace and database.
    for (const request of good) {
        const others = good
            .filter((other) => other !== request && other.key === request.key)
            .map((other) => other.file);
        if (others.length > 0)
            bad.push({
                file: request.file,
                problems: [
                    `asks for environment "${request.key}" (team-app), as ${others.join(" and ")} does; keep one file per environment, or rename the app`,
                ],
            });
    }
    if (bad.length > 0)
        throw new SelfServiceError(
            bad.sort((a, b) => a.file.localeCompare(b.file)),
            files.length,
        );
    return good;
}

/** The policy from stack config; a SpecError names the config keys. */
export function selfServicePolicy(value: unknown, stack: string): SelfServicePolicy {
    const policy = validate(policySchema, value, {
        stack,
        kind: "config",
        fieldName: (field) => `migrate-first:selfService.${field}`,
    });
    // The shared server and Argo CD settings must be a valid spec on their own; checked once, here.
    parseSpec(
        {
            app: { name: "policy-check", image: `${policy.registries[0]?.replace(/\/?$/, "/")}policy-check:v1` },
            tier: policy.tier,
            ...(policy.tierReason === undefined ? {} : { tierReason: policy.tierReason }),
            delivery: policy.delivery,
            database: policy.database,
            argocd: policy.argocd,
            kubernetes: policy.kubernetes,
        },
        { stack, fieldName: (field) => `migrate-first:selfService.${field}` },
    );
    return policy;
}

const selfServiceKey = `${configNamespace}:selfService`;

/** Whether a stack's config asks for the self-service program. */
export function usesSelfService(entries: Readonly<Record<string, unknown>>): boolean {
    return entries[selfServiceKey] !== undefined;
}

/**
 * Every environment a self-service stack's request files ask for, validated as a whole: the
 * policy, then each file. Throws a SpecError (the policy) or a SelfServiceError (every bad file).
 */
export function selfServiceEnvironments(config: StackConfig, projectDir: string): Requested[] {
    const { selfService, ...others } = plainConfig(config);
    const stray = Object.keys(others).map(
        (field) =>
            `${configNamespace}:${field}: is not used with ${selfServiceKey} (every environment comes from a request file); remove it`,
    );
    if (stray.length > 0) throw new SpecError(stray, { stack: config.stack, kind: "config", origin: config.origin });
    const policy = selfServicePolicy(selfService, config.stack);
    const dir = resolve(projectDir, policy.directory);
    return requestedEnvironments(policy, dir, config.stack, (file) => relative(projectDir, file));
}
