import { existsSync } from "fs";
import { resolve } from "path";
import { EnvironmentSpec } from "../spec";
import { formatFinding } from "./format";
import { DirectoryReport, lintDirectory } from "./lint";
import { loadParser } from "./parse";
import { releaseViolations, ShippedRelease } from "./release";

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

/**
 * Lints the release's migration files (SQL mode ships them in the image) and, given what the
 * stack shipped last, checks its contracts the way the PreSync Job's ledger will.
 */
export async function checkMigrations(spec: EnvironmentSpec, projectDir: string, previous?: ShippedRelease): Promise<MigrationCheck> {
    const directory = resolve(projectDir, spec.migration.directory);
    if (spec.migration.mode !== "sql") return { directory, warnings: [], errors: [] };
    if (!existsSync(directory)) {
        return { directory, warnings: [`no migrations directory at ${directory}, so the linter did not run; set migration.directory to the folder the image's ${spec.migration.imageDirectory} is built from`], errors: [] };
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
            ...releaseViolations(report, spec.app.image, previous).map((v) => `${v.message} — ${v.hint}`),
        ],
    };
}

/** One message for every error of a check, ending in what to do. */
export function migrationCheckMessage(check: MigrationCheck, consequence: string): string {
    return [
        `${check.errors.length} problem(s) in the migrations at ${check.directory}; ${consequence}:`,
        ...check.errors.map((e) => `  ${e}`),
        `Fix them, or allow a lint finding with "-- migrate-first: allow <rule-id> because <reason>".`,
    ].join("\n");
}

/** The versions a report's files carry, in the order the runner applies them. */
export function shippedVersions(report: DirectoryReport): string[] {
    return report.files.flatMap((f) => (f.version === undefined ? [] : [f.version])).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}
