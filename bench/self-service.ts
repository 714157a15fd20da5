// npm run bench (second part): the self-service program under the SDK's mock runtime for 1, 10,
// 100 and 500 request files: wall time, resources registered, peak memory, time per environment.
// Each size runs in its own process, so its peak memory is its own; once as Pulumi runs a
// TypeScript program (ts-node), once compiled to JavaScript first. Printed, never asserted.
import { spawnSync } from "child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { registered } from "../test/helpers/pulumi-mocks";

const sizes = [1, 10, 100, 500];
const teams = ["payments", "search", "growth", "identity"];

function requestFolder(count: number): string {
    const dir = mkdtempSync(join(tmpdir(), "migrate-first-bench-envs-"));
    for (let i = 0; i < count; i++) {
        const team = teams[i % teams.length] ?? "payments";
        const app = `service-${String(i).padStart(3, "0")}`;
        writeFileSync(join(dir, `${team}-${app}.yaml`), `app: ${app}\nteam: ${team}\nimage: ghcr.io/acme/${app}:v1.${i}.0\nsize: ${["small", "medium", "large"][i % 3]}\n`);
    }
    return dir;
}

/** In a child process: evaluate the program once for `count` environments and print the figures as JSON. */
async function child(count: number): Promise<void> {
    const dir = requestFolder(count);
    try {
        const policy = { directory: dir, registries: ["ghcr.io/acme/"], teams, database: { host: "postgres.platform.internal" }, argocd: { repoURL: "https://github.com/acme/gitops.git" } };
        const config = { "migrate-first:selfService": JSON.stringify(policy), "migrate-first:databaseAdminPassword": "bench" };
        const programPath = require.resolve("../index");
        let outputs: Record<string, unknown> = {};
        const started = process.hrtime.bigint();
        const resources = await registered(async () => {
            outputs = await (require(programPath) as () => Promise<Record<string, unknown>>)();
        }, { stack: "platform", config, secretKeys: ["migrate-first:databaseAdminPassword"] });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (outputs.environmentCount !== count) throw new Error(`expected ${count} environments, got ${String(outputs.environmentCount)}`);
        console.log(JSON.stringify({ count, ms, resources: resources.length, peakMiB: process.resourceUsage().maxRSS / 1024 }));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** The project compiled to JavaScript, as a `typescript: false` Pulumi project would run it. */
function compile(): string {
    const root = join(__dirname, "..");
    const out = mkdtempSync(join(tmpdir(), "migrate-first-bench-js-"));
    const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", root, "--outDir", out, "--noEmit", "false"], { encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    for (const script of readdirSync(join(root, "runtime")).filter((f) => f.endsWith(".sh"))) copyFileSync(join(root, "runtime", script), join(out, "runtime", script));
    symlinkSync(join(root, "node_modules"), join(out, "node_modules"));
    return out;
}

interface Figures {
    readonly count: number;
    readonly ms: number;
    readonly resources: number;
    readonly peakMiB: number;
}

function measure(label: string, command: (count: number) => string[]): void {
    console.log(`  ${label}`);
    const row = (cells: string[]) => console.log(`    ${cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(12))).join(" ")}`);
    row(["environments", "wall", "resources", "peak RSS", "per env"]);
    const results: Figures[] = [];
    for (const count of sizes) {
        const run = spawnSync(process.execPath, command(count), { encoding: "utf8", maxBuffer: 1 << 26 });
        const line = run.stdout.trim().split("\n").pop() ?? "";
        if (run.status !== 0 || !line.startsWith("{")) {
            row([String(count), "failed", run.stderr.trim().split("\n").pop() ?? ""]);
            continue;
        }
        const r = JSON.parse(line) as Figures;
        results.push(r);
        row([String(count), `${(r.ms / 1000).toFixed(2)} s`, String(r.resources), `${Math.round(r.peakMiB)} MiB`, `${(r.ms / count).toFixed(1)} ms`]);
    }
    const [ten, big] = [results.find((r) => r.count === 10), results.find((r) => r.count === 500)];
    if (ten !== undefined && big !== undefined) {
        console.log(`    per-environment time, 500 against 10: ${(big.ms / 500 / (ten.ms / 10)).toFixed(2)}x (1.00x is linear)`);
        console.log(`    500 environments: ${(big.ms / 1000).toFixed(1)} s and ${Math.round(big.peakMiB)} MiB    target: < 30 s and < 1024 MiB`);
    }
}

function parent(): void {
    console.log("\nSelf-service program under the SDK's mock runtime, one process per size");
    measure("TypeScript through ts-node (Pulumi's default for a TypeScript project)", (count) => ["-r", "ts-node/register/transpile-only", __filename, "--child", String(count)]);
    const js = compile();
    try {
        measure("compiled to JavaScript first (tsc; runtime option typescript: false)", (count) => [join(js, "bench", "self-service.js"), "--child", String(count)]);
    } finally {
        rmSync(js, { recursive: true, force: true });
    }
}

const childAt = process.argv.indexOf("--child");
if (childAt >= 0) {
    child(Number(process.argv[childAt + 1])).catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    });
} else {
    parent();
}
