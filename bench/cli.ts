// How fast the one command starts, beside its floor and what it replaced (ts-node), in one run.
import { spawnSync } from "child_process";
import { existsSync } from "fs";
import { join } from "path";

const root = join(__dirname, "..");
const rounds = 7;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const migrations = join(root, "examples/shop/migrations");
const main = join(root, "dist/cli/main.js");
const tsNode = [join(root, "node_modules/ts-node/dist/bin.js"), "--transpile-only"];

/** Median wall time of a command, in ms; a command that fails is reported, never timed. */
function wall(command: string, args: readonly string[], times = rounds, findingsExit = false): number {
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
        const start = process.hrtime.bigint();
        const run = spawnSync(command, args, { cwd: root, encoding: "utf8" });
        ms.push(Number(process.hrtime.bigint() - start) / 1e6);
        // squawk exits 1 when it has findings, as a linter should: only a crash is a failure then.
        if (run.status !== 0 && !(findingsExit && run.status === 1))
            throw new Error(`${command} ${args.join(" ")} failed:\n${run.stdout}${run.stderr}`);
    }
    return Math.round(median(ms));
}

function row(...cells: string[]): void {
    console.log(`  ${cells[0].padEnd(52)} ${cells.slice(1).join("   ")}`);
}

// The floor: node itself, loading the parser's wasm and parsing the same files, nothing else.
const floorScript = `
const { loadModule, parseSync } = require("libpg-query");
const { readdirSync, readFileSync } = require("fs");
loadModule().then(() => {
    for (const f of readdirSync(process.argv[1]).filter((n) => n.endsWith(".sql")))
        parseSync(readFileSync(process.argv[1] + "/" + f, "utf8"));
});`;

if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);

console.log(`\nThe migrate-first command (median of ${rounds} runs, wall time)`);
console.log("\nlint examples/shop/migrations:");
const floor = wall(process.execPath, ["-e", floorScript, migrations]);
const lint = wall(process.execPath, [main, "lint", migrations]);
const lintTsNode = wall(process.execPath, [...tsNode, join(root, "cli/main.ts"), "lint", migrations]);
row("node + parser wasm + parse (the floor)", `${floor} ms`);
row("migrate-first lint", `${lint} ms`, `${(lint / floor).toFixed(2)}x the floor`, "target <= 1.2x");
row("the same through ts-node (before)", `${lintTsNode} ms`, `${(lintTsNode / lint).toFixed(1)}x slower`);
const squawk = join(root, "node_modules/.cache/squawk-cli/node_modules/.bin/squawk");
if (existsSync(squawk))
    row("squawk 2.66.0 (native binary)", `${wall(squawk, [`${migrations}/*.sql`], rounds, true)} ms`);
else row("squawk 2.66.0", "not run: bench/runtime.ts installs it (npm run bench runs it first)");

console.log("\nrender --stack dev:");
const out = join(root, "out/bench-render");
const render = wall(process.execPath, [main, "render", "--stack", "dev", "--quiet", "--out", out]);
const renderTsNode = wall(process.execPath, [...tsNode, join(root, "cli/main.ts"), "render", "--stack", "dev", "-q"]);
row("migrate-first render", `${render} ms`, "target < 1000 ms");
row("the same through ts-node (before)", `${renderTsNode} ms`, `${(renderTsNode / render).toFixed(1)}x slower`);

console.log("\nnpm start (rehearse --stack dev on an embedded Postgres):");
const start = wall("npm", ["start", "--silent"], 3);
const startTsNode = wall(process.execPath, [...tsNode, join(root, "cli/main.ts"), "rehearse", "--stack", "dev"], 3);
row("npm start (median of 3)", `${start} ms`, "target < 6000 ms");
row("the same through ts-node (before)", `${startTsNode} ms`, `${(startTsNode / start).toFixed(1)}x slower`);
