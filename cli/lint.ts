import { Command, InvalidArgumentError } from "commander";
import { existsSync } from "fs";
import { resolve } from "path";
import { reportErrors } from "./options";

/** `migrate-first lint DIR`: the migration linter, for a team's own repository or CI. */
export function lintCommand(): Command {
    return new Command("lint")
        .description(
            "Lint migration files with the real Postgres parser: blocking locks, contract statements outside contract files, and what breaks the runner. Exits 1 on any error-level finding.",
        )
        .argument("<dir>", "directory of <version>_<description>.sql files")
        .option("--json", "print the report as JSON, for tools")
        .option(
            "--enable <rule-id...>",
            "turn on opt-in rules: require-timeout-settings, require-table-schema, ban-duplicate-column-assignments",
        )
        .option("--max-warnings <n>", "also exit 1 when there are more than n warnings (default: no limit)", count)
        .showHelpAfterError("(run with --help for usage)")
        .action(
            reportErrors(
                "lint",
                2,
                async (dir: string, opts: { json?: boolean; maxWarnings?: number; enable?: string[] }) => {
                    const path = resolve(dir);
                    if (!existsSync(path))
                        throw new Error(`${path} does not exist; give the directory of your migration files`);
                    // Only the linter's own modules: the CLI starts in the time node takes to load the parser.
                    const { loadParser } = await import("../lint/parse");
                    const { lintDirectory } = await import("../lint/lint");
                    const { formatJson, formatText } = await import("../lint/format");
                    await loadParser();
                    const report = lintDirectory(path, { enable: opts.enable ?? [] });
                    console.log(opts.json ? formatJson(report) : formatText(report));
                    const warnings = report.findings.filter((f) => f.severity === "warning").length;
                    const tooManyWarnings = opts.maxWarnings !== undefined && warnings > opts.maxWarnings;
                    if (tooManyWarnings && !opts.json)
                        console.log(`lint: ${warnings} warning(s), more than --max-warnings ${opts.maxWarnings}`);
                    process.exitCode = report.errors > 0 || tooManyWarnings ? 1 : 0;
                },
            ),
        );
}

function count(value: string): number {
    if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError("give a whole number of warnings, e.g. 0");
    return Number(value);
}
