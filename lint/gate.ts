// The one migration gate: every entry point (pulumi preview/up, the self-service program,
// render, rehearse) runs this check before it creates, writes or rehearses anything, and
// words its refusal with migrationCheckMessage, so a release meets the same rule everywhere.
import { existsSync, readdirSync, statSync } from "fs";
import { dirname, relative, resolve } from "path";
import { closest } from "../environment-schema/closest";
import type { EnvironmentSpec } from "../environment-schema";
import { formatFinding } from "./format";
import type { DirectoryReport } from "./lint";
import { lintDirectory } from "./lint";
import { loadParser } from "./parse";
import type { ShippedRelease } from "./release";
import { releaseViolations } from "./release";

/** A stack's migrations, checked before anything is written or created. */
export interface MigrationCheck {
    /** `migration.directory`, resolved against the project directory. */
    readonly directory: string;
    /** The linter's report; undefined in command mode or when the directory is missing. */
    readonly report?: DirectoryReport;
    /** Warnings worth showing; they do not stop anything. */
    readonly warnings: readonly string[];
    /** Lint errors and contracts the runtime ledger would refuse: each one stops the run. */
    readonly errors: readonly string[];
}

/** Where the files come from and how the user names that place, for the gate's words. */
export interface GateOptions {
    /** What the stack shipped last, to check its contracts as the runtime ledger will. @default - none: a new stack */
    readonly previous?: ShippedRelease;
    /** The files to check instead of `migration.directory` (rehearse --migrations). @default - migration.directory */
    readonly directory?: string;
    /** How the user sets the directory, named in the error when it is missing. @default "migration.directory" */
    readonly directoryKey?: string;
    /** How to set it, e.g. a `pulumi config set` command. @default - "set <directoryKey>" */
    readonly directoryFix?: string;
}

// A misspelt folder is usually one edit away from a sibling.
function nearestSibling(directory: string, projectDir: string): string | undefined {
    const parent = dirname(directory);
    if (!existsSync(parent)) return undefined;
    const siblings = readdirSync(parent).filter((name) => statSync(resolve(parent, name)).isDirectory());
    const guess = closest(relative(parent, directory), siblings);
    return guess === undefined ? undefined : relative(projectDir, resolve(parent, guess));
}

function missingDirectory(spec: EnvironmentSpec, directory: string, projectDir: string, options: GateOptions): string {
    const key = options.directoryKey ?? "migration.directory";
    const written = options.directory ?? spec.migration.directory;
    const guess = nearestSibling(directory, projectDir);
    const hint = guess === undefined ? "" : `did you mean "${guess}"? `;
    const fix = options.directoryFix ?? `set ${key}`;
    return `${key}: "${written}" is not a directory (looked for ${directory}), so the migrations cannot be linted; ${hint}${fix} to the folder the image's ${spec.migration.imageDirectory} is built from`;
}

/**
 * Lints the release's migration files (SQL mode ships them in the image) and, given what the
 * stack shipped last, checks its contracts the way the PreSync Job's ledger will. A SQL-mode
 * release whose files cannot be found is an error: nothing unchecked gets through.
 */
export async function checkMigrations(
    spec: EnvironmentSpec,
    projectDir: string,
    options: GateOptions = {},
): Promise<MigrationCheck> {
    const directory = resolve(projectDir, options.directory ?? spec.migration.directory);
    if (spec.migration.mode !== "sql") return { directory, warnings: [], errors: [] };
    if (!existsSync(directory) || !statSync(directory).isDirectory()) {
        return { directory, warnings: [], errors: [missingDirectory(spec, directory, projectDir, options)] };
    }
    await loadParser();
    const report = lintDirectory(directory);
    const shown = report.findings.filter((f) => f.severity !== "allowed");
    return {
        directory,
        report,
        warnings: shown.filter((f) => f.severity === "warning").map(formatFinding),
        errors: [
            ...shown.filter((f) => f.severity === "error").map(formatFinding),
            ...releaseViolations(report, spec.app.image, options.previous).map((v) => `${v.message} — ${v.hint}`),
        ],
    };
}

/** One message for every error of a check, ending in what to do. */
export function migrationCheckMessage(check: MigrationCheck, consequence: string): string {
    if (check.report === undefined) return `${check.errors.join("\n")}; ${consequence}`;
    return [
        `${check.errors.length} problem(s) in the migrations at ${check.directory}; ${consequence}:`,
        ...check.errors.map((e) => `  ${e}`),
        `Fix them, or allow a lint finding with "-- migrate-first: allow <rule-id> because <reason>".`,
    ].join("\n");
}

/** The versions a report's files carry, in the order the runner applies them. */
export function shippedVersions(report: DirectoryReport): string[] {
    return report.files
        .flatMap((f) => (f.version === undefined ? [] : [f.version]))
        .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}
