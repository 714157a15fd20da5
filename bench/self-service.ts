// npm run bench (second part): the self-service program under the SDK's mock runtime for 1, 10,
// 100 and 500 request files: wall time, resources registered, peak memory, time per environment.
// Each size runs in its own process, so its peak memory is its own; once as Pulumi runs a
// TypeScript program (ts-node), once compiled to JavaScript first. Printed, never asserted.
import { spawnSync } from "child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as pulumi from "@pulumi/pulumi";
import { registered } from "../test/helpers/pulumi-mocks";
import { benchTeams, requestFolder } from "./requests";

const sizes = [1, 10, 100, 500];
const teams = benchTeams;

/** In a child process: evaluate the program once for `count` environments and print the figures as JSON. */
async function child(count: number): Promise<void> {
    const dir = requestFolder(count);
    try {
        const policy = {
            directory: dir,
            registries: ["ghcr.io/acme/"],
            teams,
            database: { host: "postgres.platform.internal" },
            argocd: { repoURL: "https://github.com/acme/gitops.git" },
        };
        const config = {
            "migrate-first:selfService": JSON.stringify(policy),
            "migrate-first:databaseAdminPassword": "bench",
        };
        const programPath = require.resolve("../index");
        let outputs: Record<string, unknown> = {};
        const started = process.hrtime.bigint();
        const resources = await registered(
            async () => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as Pulumi loads a program: by require, inside the mock runtime, and timed
                outputs = await (require(programPath) as () => Promise<Record<string, unknown>>)();
            },
            { stack: "platform", config, secretKeys: ["migrate-first:databaseAdminPassword"] },
        );
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (outputs.environmentCount !== count)
            throw new Error(`expected ${count} environments, got ${String(outputs.environmentCount)}`);
        console.log(
            JSON.stringify({ count, ms, resources: resources.length, peakMiB: process.resourceUsage().maxRSS / 1024 }),
        );
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** The project compiled to JavaScript, as a `typescript: false` Pulumi project would run it. */
function compile(): string {
    const root = join(__dirname, "..");
    const out = mkdtempSync(join(tmpdir(), "migrate-first-bench-js-"));
    const tsc = spawnSync(
        process.execPath,
        [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", root, "--outDir", out, "--noEmit", "false"],
        { encoding: "utf8" },
    );
    if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    for (const script of readdirSync(join(root, "runtime")).filter((f) => f.endsWith(".sh")))
        copyFileSync(join(root, "runtime", script), join(out, "runtime", script));
    symlinkSync(join(root, "node_modules"), join(out, "node_modules"));
    return out;
}

interface Figures {
    readonly count: number;
    readonly ms: number;
    readonly resources: number;
    readonly peakMiB: number;
}

function run(args: string[]): Figures | string {
    const child = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    const line = child.stdout.trim().split("\n").pop() ?? "";
    return child.status === 0 && line.startsWith("{")
        ? (JSON.parse(line) as Figures)
        : `failed: ${child.stderr.trim().split("\n").pop() ?? ""}`;
}

/** Each size, beside the SDK alone registering as many bare resources (the baseline). */
function measure(label: string, command: (mode: "--child" | "--bare", count: number) => string[]): void {
    console.log(`  ${label}`);
    const row = (cells: string[]) =>
        console.log(`    ${cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(12))).join(" ")}`);
    row(["environments", "wall", "resources", "peak RSS", "per env", "| SDK alone:", "wall", "peak RSS"]);
    const results: Figures[] = [];
    for (const count of sizes) {
        const r = run(command("--child", count));
        if (typeof r === "string") {
            row([String(count), r]);
            continue;
        }
        results.push(r);
        const floor = run(command("--bare", r.resources));
        const base =
            typeof floor === "string"
                ? [floor, ""]
                : [`${(floor.ms / 1000).toFixed(2)} s`, `${Math.round(floor.peakMiB)} MiB`];
        row([
            String(count),
            `${(r.ms / 1000).toFixed(2)} s`,
            String(r.resources),
            `${Math.round(r.peakMiB)} MiB`,
            `${(r.ms / count).toFixed(1)} ms`,
            "|",
            ...base,
        ]);
    }
    const [ten, big] = [results.find((r) => r.count === 10), results.find((r) => r.count === 500)];
    if (ten !== undefined && big !== undefined) {
        console.log(
            `    per-environment time, 500 against 10: ${(big.ms / 500 / (ten.ms / 10)).toFixed(2)}x (1.00x is linear)`,
        );
        console.log(
            `    500 environments: ${(big.ms / 1000).toFixed(1)} s and ${Math.round(big.peakMiB)} MiB    target: < 30 s and < 1024 MiB`,
        );
    }
}

class Bare extends pulumi.CustomResource {
    constructor(name: string) {
        super("bench:index:Bare", name, { name, labels: { team: "bench" } });
    }
}

/** In a child process: the SDK alone registering `count` bare resources, the floor under any program. */
async function bare(count: number): Promise<void> {
    const started = process.hrtime.bigint();
    const resources = await registered(
        () => {
            for (let i = 0; i < count; i++) new Bare(`bare-${i}`);
        },
        { stack: "bare" },
    );
    console.log(
        JSON.stringify({
            count,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            resources: resources.length,
            peakMiB: process.resourceUsage().maxRSS / 1024,
        }),
    );
}

function parent(): void {
    console.log("\nSelf-service program under the SDK's mock runtime, one process per size");
    measure("TypeScript through ts-node (Pulumi's default for a TypeScript project)", (mode, count) => [
        "-r",
        "ts-node/register/transpile-only",
        __filename,
        mode,
        String(count),
    ]);
    const js = compile();
    try {
        measure("compiled to JavaScript first (tsc; runtime option typescript: false)", (mode, count) => [
            join(js, "bench", "self-service.js"),
            mode,
            String(count),
        ]);
    } finally {
        rmSync(js, { recursive: true, force: true });
    }
}

const [mode, count] = process.argv.slice(2);
if (mode === "--child" || mode === "--bare") {
    (mode === "--child" ? child : bare)(Number(count)).catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    });
} else {
    parent();
}
