#!/usr/bin/env node
// npm run lint-migrations -- DIR [--json]
import { Command } from "commander";
import { existsSync } from "fs";
import { resolve } from "path";
import { formatJson, formatText, lintDirectory, loadParser } from "../lint";

const program = new Command("lint-migrations")
    .description(
        "Lint migration files with the real Postgres parser: blocking locks, contract statements outside contract files, and what breaks the runner. Exits 1 on any error-level finding.",
    )
    .argument("<dir>", "directory of <version>_<description>.sql files")
    .option("--json", "print the report as JSON, for tools")
    .showHelpAfterError("(run with --help for usage)")
    .action(async (dir: string, opts: { json?: boolean }) => {
        const path = resolve(dir);
        if (!existsSync(path)) throw new Error(`${path} does not exist; give the directory of your migration files`);
        await loadParser();
        const report = lintDirectory(path);
        console.log(opts.json ? formatJson(report) : formatText(report));
        process.exitCode = report.errors > 0 ? 1 : 0;
    });

program.parseAsync().catch((error: unknown) => {
    console.error(`lint-migrations: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
});
