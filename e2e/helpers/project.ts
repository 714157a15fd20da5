import { spawn, spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { parse, stringify } from "yaml";
import { temporaryDir } from "../../rehearsal/postgres";
import { engineEnv } from "./engines";

const repo = resolve(__dirname, "..", "..");

export interface CommandResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * A copy of this project in a directory of its own, with a file backend and Pulumi home of
 * its own: stack files and state written by a test never touch the repository.
 */
export class PulumiProject {
    readonly dir: string;
    /** Where `pulumi` runs: the project copy, or a program in it (a test fixture). */
    readonly programDir: string;
    readonly home: string;
    readonly env: Record<string, string>;
    /** Everything every command printed, for the secrets audit. */
    readonly log: string[] = [];

    constructor(
        purpose: string,
        program = ".",
        readonly passphrase = "e2e-passphrase",
    ) {
        this.home = temporaryDir(`e2e-${purpose}`);
        this.dir = join(this.home, "project");
        this.programDir = join(this.dir, program);
        const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard"], {
            cwd: repo,
            encoding: "utf8",
        }).stdout.split("\n");
        for (const file of files.filter((f) => f !== "" && !/^Pulumi\.[^/]+\.yaml$/.test(f))) {
            mkdirSync(dirname(join(this.dir, file)), { recursive: true });
            copyFileSync(join(repo, file), join(this.dir, file));
        }
        symlinkSync(join(repo, "node_modules"), join(this.dir, "node_modules"));
        mkdirSync(join(this.home, "state"));
        this.env = engineEnv(this.home, passphrase);
    }

    /**
     * Writes `Pulumi.<stack>.yaml` with these entries of config namespace `namespace`, keeping
     * what `pulumi` wrote there itself: the encryption salt and the secrets (see initStack).
     */
    writeStack(stack: string, config: Readonly<Record<string, unknown>>, namespace = "migrate-first"): void {
        const file = join(this.programDir, `Pulumi.${stack}.yaml`);
        const before = (existsSync(file) ? parse(readFileSync(file, "utf8")) : {}) as {
            config?: Record<string, unknown>;
        } & Record<string, unknown>;
        const secrets = Object.entries(before.config ?? {}).filter(
            ([, value]) => typeof value === "object" && value !== null && "secure" in value,
        );
        const entries = Object.fromEntries([
            ...Object.entries(config).map(([key, value]): [string, unknown] => [`${namespace}:${key}`, value]),
            ...secrets,
        ]);
        writeFileSync(file, stringify({ ...before, config: entries }));
    }

    /** Runs the real `pulumi` in the project; never throws. */
    pulumi(args: readonly string[], input?: string): Promise<CommandResult> {
        return new Promise((resolvePromise, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: this.programDir, env: this.env });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            child.on("error", reject);
            child.on("close", (code) => {
                this.log.push(`$ pulumi ${args.join(" ")}\n${stdout}${stderr}`);
                resolvePromise({ status: code ?? 1, stdout, stderr });
            });
            child.stdin.end(input ?? "");
        });
    }

    /** Runs `pulumi`, failing with its output unless it exits 0. */
    async must(args: readonly string[], input?: string): Promise<string> {
        const result = await this.pulumi(args, input);
        if (result.status !== 0)
            throw new Error(`pulumi ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
        return result.stdout;
    }

    /** `pulumi stack init`, then each secret set from stdin, so no value is on a command line. */
    async initStack(stack: string, secrets: Readonly<Record<string, string>>): Promise<void> {
        await this.must(["stack", "init", stack]);
        for (const [key, value] of Object.entries(secrets)) {
            await this.must(["config", "set", "--secret", "--stack", stack, `migrate-first:${key}`], value);
        }
    }

    /** The stack's outputs; secrets shown only when asked. */
    async outputs(stack: string, showSecrets = false): Promise<Record<string, unknown>> {
        const out = await this.must([
            "stack",
            "output",
            "--json",
            "--stack",
            stack,
            ...(showSecrets ? ["--show-secrets"] : []),
        ]);
        return JSON.parse(out) as Record<string, unknown>;
    }

    /** Runs one of the project's own commands (`migrate-first <name>`, from its sources) in the copy. */
    tool(name: string, args: readonly string[]): CommandResult {
        const run = spawnSync(
            join(this.dir, "node_modules", ".bin", "ts-node"),
            ["--transpile-only", "cli/main.ts", name, ...args],
            {
                cwd: this.dir,
                encoding: "utf8",
            },
        );
        this.log.push(`$ ${name} ${args.join(" ")}\n${run.stdout}${run.stderr}`);
        return { status: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
    }
}
