import { z } from "zod";
import type { EnvironmentSpec } from "./schema";
import { environmentSpecSchema } from "./schema";
import { closest } from "./closest";

/** Where a spec came from, so each problem names the key the user actually wrote. */
export interface SpecSource {
    /** Stack name: the default environment name. */
    readonly stack: string;
    /**
     * "config": paths are Pulumi config keys (`migrate-first:app.image`) and fixes are
     * `pulumi config set` commands; "typescript": paths are spec fields (`app.image`).
     * @default "typescript"
     */
    readonly kind?: "config" | "typescript";
    /** File or program the spec was read from, for the headline. @default - none */
    readonly origin?: string;
    /** How a spec field (e.g. "app.image") is named where the user wrote it, when that is neither config nor TypeScript (a self-service file says "image"). @default - by kind */
    readonly fieldName?: (field: string) => string;
    /** The preset under the input, so a problem in a value the user never wrote says where it came from. @default - none */
    readonly preset?: { readonly name: string; readonly values: unknown };
    /** Which tier applies, why, and how to choose another (environment-schema/tier.ts tierOrigin), shown under the problems. @default - none */
    readonly tierOrigin?: string;
}

/** Every problem of a spec at once; thrown before any resource exists. */
export class SpecError extends Error {
    constructor(
        readonly problems: readonly string[],
        source: SpecSource,
    ) {
        const where = source.origin === undefined ? `stack "${source.stack}"` : `${source.origin}`;
        const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
        const tier = source.tierOrigin === undefined ? "" : `\n  (${source.tierOrigin})`;
        super(
            `migrate-first: the spec for ${where} has ${count}; nothing was created:\n${problems.map((p) => `  - ${p}`).join("\n")}${tier}`,
        );
        this.name = "SpecError";
    }
}

type Path = readonly PropertyKey[];

// A key that is not a plain name is shown quoted, so a stray space or quote stays visible.
function keyText(key: string): string {
    const quoted = JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key);
    return `[${quoted}]`;
}

function fieldPath(path: Path): string {
    return path.reduce<string>((acc, part) => {
        if (typeof part === "number") return `${acc}[${part}]`;
        const key = String(part);
        if (!/^[A-Za-z_][\w-]*$/.test(key)) return `${acc}${keyText(key)}`;
        return acc === "" ? key : `${acc}.${key}`;
    }, "");
}

function keyName(path: Path, source: SpecSource): string {
    const field = fieldPath(path);
    if (field === "") return "(the whole spec)";
    if (source.fieldName !== undefined) return source.fieldName(field);
    return source.kind === "config" ? `migrate-first:${field}` : field;
}

function valueText(input: unknown): string {
    const text = JSON.stringify(input) ?? String(input);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function setHint(path: Path, source: SpecSource): string {
    return source.kind === "config"
        ? `set it: pulumi config set --path '${fieldPath(path)}' <value>`
        : `set ${keyName(path, source)}`;
}

// The fields an object at `path` accepts, for "did you mean" on unknown keys.
function fieldsAt(schema: z.ZodType, path: Path): string[] {
    let node: z.ZodType = schema;
    for (let i = 0; ;) {
        if (node instanceof z.ZodPipe) node = node.in as z.ZodType;
        else if (node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodOptional)
            node = node.unwrap() as z.ZodType;
        else if (node instanceof z.ZodObject && i < path.length) {
            const next = (node.shape as Record<string, z.ZodType>)[String(path[i++])];
            if (next === undefined) return [];
            node = next;
        } else return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
    }
}

// Messages for zod's own checks; a field's own `error` (with its fix) wins over these.
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
    switch (issue.code) {
        case "invalid_type":
            return issue.input === undefined
                ? undefined
                : `is a ${issue.input === null ? "null" : typeof issue.input}; expected ${issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}`;
        case "too_small":
            return issue.origin === "array" || issue.origin === "string"
                ? `is too short; give at least ${issue.minimum} ${issue.origin === "array" ? "item(s)" : "character(s)"}`
                : `is below the minimum; use ${issue.minimum} or more`;
        case "too_big":
            return issue.origin === "array" || issue.origin === "string"
                ? `is too long; give at most ${issue.maximum} ${issue.origin === "array" ? "item(s)" : "character(s)"}`
                : `is above the maximum; use at most ${issue.maximum}`;
        case "invalid_value":
            return `is not allowed; use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        default:
            return undefined;
    }
}

function valueAt(value: unknown, path: Path): unknown {
    return path.reduce<unknown>(
        (node, key) =>
            typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined,
        value,
    );
}

/** Checks `input` against `schema` and applies its defaults; throws one SpecError listing every problem, each naming the field as `source` spells it. */
export function validate<T extends z.ZodType>(schema: T, input: unknown, source: SpecSource): z.output<T> {
    const result = schema.safeParse(input, { reportInput: true, error: defaultMessage });
    if (result.success) return result.data;
    const problems = result.error.issues.flatMap((issue): string[] => {
        if (issue.code === "unrecognized_keys") {
            const known = fieldsAt(schema, issue.path);
            return issue.keys.map((key) => {
                const guess = closest(key, known);
                const hint = guess === undefined ? "" : `did you mean "${guess}"? `;
                return `${keyName([...issue.path, key], source)}: unknown field; ${hint}remove it or use one of: ${known.join(", ")}`;
            });
        }
        if (issue.input === undefined && issue.code === "invalid_type") {
            return [`${keyName(issue.path, source)}: is missing; ${setHint(issue.path, source)}`];
        }
        // A record's key that failed its own check: show that check's message, not zod's "Invalid key".
        const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
        const value = issue.input === undefined ? "" : `${valueText(issue.input)} `;
        const preset =
            source.preset !== undefined &&
            issue.input !== undefined &&
            valueAt(source.preset.values, issue.path) === issue.input
                ? ` (the ${source.preset.name} preset's value; set your own to change it)`
                : "";
        return [`${keyName(issue.path, source)}: ${value}${message}${preset}`];
    });
    throw new SpecError(problems, source);
}

/** Checks `input` against the whole spec schema and applies every default; throws one SpecError listing every problem. */
export function parseSpec(input: unknown, source: SpecSource): EnvironmentSpec {
    return validate(environmentSpecSchema(source.stack), input, source);
}
