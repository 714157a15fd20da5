import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { cpSync, readFileSync, writeFileSync } from "fs";
import { join, resolve } from "path";

/** The checkout under test. */
export const repo = resolve(__dirname, "..", "..");

/** The @pulumi/pulumi this checkout builds against: a consumer installs the same. */
export const pulumiVersion = (
    JSON.parse(readFileSync(join(repo, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }
).version;

/** Runs a command to its end (5 minutes at most); the environment is the test's plus `env`. */
export function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}) {
    const result = spawnSync(command, args, {
        cwd,
        encoding: "utf8",
        timeout: 300000,
        env: { ...process.env, ...env },
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command that must exit 0; its standard output. */
export function succeed(command: string, args: readonly string[], cwd: string): string {
    const result = run(command, args, cwd);
    assert.equal(result.status, 0, `${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

/**
 * The package as a user gets it: `npm pack` of `checkout` (its prepare script builds dist/ there),
 * installed from the tarball with `extra` packages into `home/consumer`, a new project holding
 * nothing else but a copy of the example migrations. Returns the consumer's directory.
 */
export function installPacked(checkout: string, home: string, extra: readonly string[]): string {
    const packed = succeed("npm", ["pack", "--silent", "--pack-destination", home], checkout).trim().split("\n");
    const consumer = join(home, "consumer");
    cpSync(join(repo, "examples/shop/migrations"), join(consumer, "migrations"), { recursive: true });
    writeFileSync(
        join(consumer, "package.json"),
        JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2),
    );
    succeed(
        "npm",
        [
            "install",
            "--no-audit",
            "--no-fund",
            "--prefer-offline",
            join(home, packed[packed.length - 1]),
            `@pulumi/pulumi@${pulumiVersion}`,
            ...extra,
        ],
        consumer,
    );
    return consumer;
}
