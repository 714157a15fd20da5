// npm run bench: the runtime's overhead and latency, printed beside their targets. Never asserted.
import { spawn, spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { freePort, startPostgres } from "../rehearsal/postgres";
import { provisionDatabase, runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { parseSpec } from "../spec";

const files = 200;
const rounds = 3;

const spec = (name: string) => parseSpec({ app: { name, image: `acme/${name}:v1` }, database: { host: "127.0.0.1" }, delivery: "direct" }, { stack: "bench" });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const row = (what: string, value: string, baseline: string, verdict: string) => console.log(`  ${what.padEnd(44)} ${value.padStart(12)}   ${baseline.padEnd(30)} ${verdict}`);

function corpus(): string {
    const dir = mkdtempSync(join(tmpdir(), "migrate-first-bench-"));
    writeFileSync(join(dir, "0000_base.sql"), "CREATE TABLE bench (id int PRIMARY KEY);\n");
    for (let i = 1; i < files; i++) {
        writeFileSync(join(dir, `${String(i).padStart(4, "0")}_step.sql`), `ALTER TABLE bench ADD COLUMN c${i} int;\nCOMMENT ON COLUMN bench.c${i} IS 'step ${i}';\n`);
    }
    return dir;
}

async function overhead(): Promise<void> {
    const pg = await startPostgres();
    const dir = corpus();
    const names = spawnSync("sh", ["-c", `ls ${dir}/*.sql`], { encoding: "utf8" }).stdout.trim().split("\n");
    const migrateMs: number[] = [];
    const psqlMs: number[] = [];
    const perFileMs: number[] = [];
    try {
        for (let round = 0; round < rounds; round++) {
            const a = provisionDatabase(pg, spec(`runner${round}`));
            const run = await runScript("migrate.sh", { ...a.migrator, MIGRATIONS_DIR: dir, APP: `runner${round}` });
            if (run.code !== 0) throw new Error(`migrate.sh failed: ${run.stderr}`);
            migrateMs.push(run.ms);
            if (runSql(a.migrator, "SELECT count(*) FROM migrate_first.schema_history;") !== String(files)) throw new Error("migrate.sh missed files");

            const b = provisionDatabase(pg, spec(`plain${round}`));
            const started = Date.now();
            const plain = spawnSync("psql", ["-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", ...names.flatMap((name) => ["-f", name])], { env: { PATH: process.env.PATH, ...b.migrator }, encoding: "utf8" });
            psqlMs.push(Date.now() - started);
            if (plain.status !== 0) throw new Error(`psql -1 failed: ${plain.stderr}`);

            // What a transaction per file costs by itself: psql in autocommit, no lock, no history.
            const c = provisionDatabase(pg, spec(`autocommit${round}`));
            const from = Date.now();
            const each = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...names.flatMap((name) => ["-f", name])], { env: { PATH: process.env.PATH, ...c.migrator }, encoding: "utf8" });
            perFileMs.push(Date.now() - from);
            if (each.status !== 0) throw new Error(`psql failed: ${each.stderr}`);
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
        await pg.stop();
    }
    const ratio = median(migrateMs) / median(psqlMs);
    console.log(`\nRunner overhead: ${files} small migration files, median of ${rounds} runs, same embedded Postgres`);
    row("migrate.sh (lock, history, file per tx)", `${median(migrateMs)} ms`, `psql -1 -f ...: ${median(psqlMs)} ms`, `ratio ${ratio.toFixed(2)}x (target <= 1.15x)`);
    row("  per file", `${(median(migrateMs) / files).toFixed(2)} ms`, `${(median(psqlMs) / files).toFixed(2)} ms`, "");
    row("psql -f ... in autocommit (no lock, no history)", `${median(perFileMs)} ms`, "a transaction per statement", `ratio ${(median(perFileMs) / median(psqlMs)).toFixed(2)}x`);
}

async function readiness(): Promise<void> {
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
        // wait-for-db polls a port where nothing listens yet; then Postgres starts there.
        const port = await freePort();
        const env = { PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: "postgres", PGPASSWORD: "bench-admin", PGDATABASE: "postgres", PGSSLMODE: "disable", WAIT_TIMEOUT: "60" };
        const waiter = spawn("sh", [join(__dirname, "..", "runtime", "wait-for-db.sh")], { env: { PATH: process.env.PATH, ...env }, stdio: "ignore" });
        const ready = new Promise<number>((resolve) => waiter.once("close", () => resolve(Date.now())));
        const pg = await startPostgres("bench-admin", port);
        const accepting = Date.now();
        latencies.push((await ready) - accepting);
        await pg.stop();
    }
    console.log(`\nReadiness: Postgres accepting connections -> wait-for-db.sh returning (${rounds} runs)`);
    row("median latency", `${median(latencies)} ms`, `max ${Math.max(...latencies)} ms`, "target < 1000 ms");
}

(async () => {
    console.log(`migrate-first runtime benchmark (${new Date().toISOString()}, node ${process.version})`);
    await overhead();
    await readiness();
})().catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});
