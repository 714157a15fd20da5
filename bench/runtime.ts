// npm run bench: the runtime's overhead and latency, and the linter's throughput, printed beside their targets. Never asserted.
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { freePort, startPostgres } from "../rehearsal/postgres";
import { provisionDatabase, runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { parseSpec } from "../environment-schema";

const files = 200;
const rounds = 3;

const spec = (name: string) =>
    parseSpec(
        { app: { name, image: `acme/${name}:v1` }, database: { host: "127.0.0.1" }, delivery: "direct" },
        { stack: "bench" },
    );
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const row = (what: string, value: string, baseline: string, verdict: string) =>
    console.log(`  ${what.padEnd(44)} ${value.padStart(12)}   ${baseline.padEnd(30)} ${verdict}`);

function corpus(): string {
    const dir = mkdtempSync(join(tmpdir(), "migrate-first-bench-"));
    writeFileSync(join(dir, "0000_base.sql"), "CREATE TABLE bench (id int PRIMARY KEY);\n");
    for (let i = 1; i < files; i++) {
        writeFileSync(
            join(dir, `${String(i).padStart(4, "0")}_step.sql`),
            `ALTER TABLE bench ADD COLUMN c${i} int;\nCOMMENT ON COLUMN bench.c${i} IS 'step ${i}';\n`,
        );
    }
    return dir;
}

async function overhead(): Promise<void> {
    const pg = await startPostgres();
    const dir = corpus();
    const names = spawnSync("sh", ["-c", `ls ${dir}/*.sql`], { encoding: "utf8" })
        .stdout.trim()
        .split("\n");
    const migrateMs: number[] = [];
    const psqlMs: number[] = [];
    const perFileMs: number[] = [];
    const perTxMs: number[] = [];
    try {
        for (let round = 0; round < rounds; round++) {
            const a = provisionDatabase(pg, spec(`runner${round}`));
            const run = await runScript("migrate.sh", { ...a.migrator, MIGRATIONS_DIR: dir, APP: `runner${round}` });
            if (run.code !== 0) throw new Error(`migrate.sh failed: ${run.stderr}`);
            migrateMs.push(run.ms);
            if (runSql(a.migrator, "SELECT count(*) FROM migrate_first.schema_history;") !== String(files))
                throw new Error("migrate.sh missed files");

            const b = provisionDatabase(pg, spec(`plain${round}`));
            const started = Date.now();
            const plain = spawnSync(
                "psql",
                ["-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", ...names.flatMap((name) => ["-f", name])],
                { env: { PATH: process.env.PATH, ...b.migrator }, encoding: "utf8" },
            );
            psqlMs.push(Date.now() - started);
            if (plain.status !== 0) throw new Error(`psql -1 failed: ${plain.stderr}`);

            // The fairer floor: one psql session, each file in a transaction of its own, as the runner
            // runs them, but no lock, no history, no checks.
            const d = provisionDatabase(pg, spec(`pertx${round}`));
            const script = names.map((name) => `BEGIN;\n\\i ${name}\nCOMMIT;`).join("\n");
            const begun = Date.now();
            const perTx = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], {
                input: script,
                env: { PATH: process.env.PATH, ...d.migrator },
                encoding: "utf8",
            });
            perTxMs.push(Date.now() - begun);
            if (perTx.status !== 0) throw new Error(`psql, a transaction per file, failed: ${perTx.stderr}`);

            // What a transaction per statement costs: psql in autocommit, no lock, no history.
            const c = provisionDatabase(pg, spec(`autocommit${round}`));
            const from = Date.now();
            const each = spawnSync(
                "psql",
                ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...names.flatMap((name) => ["-f", name])],
                { env: { PATH: process.env.PATH, ...c.migrator }, encoding: "utf8" },
            );
            perFileMs.push(Date.now() - from);
            if (each.status !== 0) throw new Error(`psql failed: ${each.stderr}`);
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
        await pg.stop();
    }
    const ratio = median(migrateMs) / median(psqlMs);
    console.log(`\nRunner overhead: ${files} small migration files, median of ${rounds} runs, same embedded Postgres`);
    row(
        "migrate.sh (lock, history, file per tx)",
        `${median(migrateMs)} ms`,
        `psql -1 -f ...: ${median(psqlMs)} ms`,
        `ratio ${ratio.toFixed(2)}x (target <= 1.15x)`,
    );
    row("  per file", `${(median(migrateMs) / files).toFixed(2)} ms`, `${(median(psqlMs) / files).toFixed(2)} ms`, "");
    row(
        "  beside psql, a transaction per file",
        `${median(migrateMs)} ms`,
        `BEGIN; \\i f; COMMIT: ${median(perTxMs)} ms`,
        `ratio ${(median(migrateMs) / median(perTxMs)).toFixed(2)}x (the fairer floor)`,
    );
    row(
        "psql -f ... in autocommit (no lock, no history)",
        `${median(perFileMs)} ms`,
        "a transaction per statement",
        `ratio ${(median(perFileMs) / median(psqlMs)).toFixed(2)}x`,
    );
}

async function readiness(): Promise<void> {
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
        // wait-for-db polls a port where nothing listens yet; then Postgres starts there.
        const port = await freePort();
        const env = {
            PGHOST: "127.0.0.1",
            PGPORT: String(port),
            PGUSER: "postgres",
            PGPASSWORD: "bench-admin",
            PGDATABASE: "postgres",
            PGSSLMODE: "disable",
            WAIT_TIMEOUT: "60",
        };
        const waiter = spawn("sh", [join(__dirname, "..", "runtime", "wait-for-db.sh")], {
            env: { PATH: process.env.PATH, ...env },
            stdio: "ignore",
        });
        const ready = new Promise<number>((resolve) => waiter.once("close", () => resolve(Date.now())));
        const pg = await startPostgres("bench-admin", port);
        const accepting = Date.now();
        latencies.push((await ready) - accepting);
        await pg.stop();
    }
    console.log(`\nReadiness: Postgres accepting connections -> wait-for-db.sh returning (${rounds} runs)`);
    row("median latency", `${median(latencies)} ms`, `max ${Math.max(...latencies)} ms`, "target < 1000 ms");
}

/**
 * squawk-cli, installed from the npm registry into node_modules/.cache on first use: not a
 * dependency, because the registry here has its Linux binary only, and npm ci would then
 * fail on the other platforms' entries.
 */
function installSquawk(): string | undefined {
    const prefix = join(__dirname, "..", "node_modules", ".cache", "squawk-cli");
    const bin = join(prefix, "node_modules", ".bin", "squawk");
    if (!existsSync(bin)) {
        const install = spawnSync(
            "npm",
            ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, "squawk-cli@2.66.0"],
            { encoding: "utf8" },
        );
        if (install.status !== 0 || !existsSync(bin)) {
            row("squawk-cli", "not run", "npm could not install squawk-cli@2.66.0", "");
            return undefined;
        }
    }
    return bin;
}

// A corpus like real migrations: mostly safe statements, some the linter flags.
const lintStatements = [
    "CREATE TABLE IF NOT EXISTS t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());",
    "ALTER TABLE t{i} ADD COLUMN IF NOT EXISTS note text;",
    "ALTER TABLE accounts ADD COLUMN flag_{i} boolean DEFAULT false;",
    "CREATE INDEX accounts_{i} ON accounts (name);",
    "ALTER TABLE accounts ADD CONSTRAINT fk_{i} FOREIGN KEY (owner_id) REFERENCES users (id) NOT VALID;",
    "UPDATE accounts SET note = 'x' WHERE id BETWEEN {i} AND {i} + 1000;",
    "ALTER TABLE accounts ALTER COLUMN score_{i} TYPE bigint;",
    "INSERT INTO settings (key, value) VALUES ('k{i}', 'v') ON CONFLICT (key) DO NOTHING;",
    "COMMENT ON TABLE t{i} IS 'table {i}';",
    "CREATE OR REPLACE VIEW v{i} AS SELECT id, name FROM t{i} WHERE created_at > now() - interval '1 day';",
];

async function lintThroughput(): Promise<void> {
    const { loadParser, lintDirectory } = await import("../lint");
    const dir = mkdtempSync(join(tmpdir(), "migrate-first-lint-bench-"));
    const perFile = 20;
    const fileCount = 500;
    for (let f = 1; f <= fileCount; f++) {
        const body = Array.from({ length: perFile }, (_, s) =>
            (lintStatements[(f + s) % lintStatements.length] ?? "").replaceAll("{i}", String(f * perFile + s)),
        );
        writeFileSync(join(dir, `${String(f).padStart(4, "0")}_step.sql`), `${body.join("\n")}\n`);
    }
    try {
        await loadParser();
        const before = process.memoryUsage().rss;
        const times: number[] = [];
        let statements = 0;
        for (let round = 0; round < rounds; round++) {
            const started = process.hrtime.bigint();
            statements = lintDirectory(dir).statements;
            times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        const ms = median(times);
        const peak = process.resourceUsage().maxRSS / 1024;
        console.log(`\nLint throughput: ${statements} statements in ${fileCount} files, median of ${rounds} runs`);
        row(
            "migrate-first lint (libpg-query 18, wasm)",
            `${Math.round(ms)} ms`,
            `${Math.round(statements / (ms / 1000))} statements/s`,
            "target >= 20000 statements/s",
        );
        row("  memory", `${Math.round(peak)} MiB`, `peak RSS (${Math.round(before / 1048576)} MiB before)`, "");
        const squawk = installSquawk();
        if (squawk === undefined) return;
        const squawkMs: number[] = [];
        for (let round = 0; round < rounds; round++) {
            const started = Date.now();
            // squawk expands the pattern itself (a directory alone finds nothing).
            const run = spawnSync(squawk, [`${dir}/*.sql`], { stdio: "ignore" });
            if (run.error !== undefined) {
                row("squawk-cli", "not run", run.error.message, "");
                return;
            }
            squawkMs.push(Date.now() - started);
        }
        row(
            "squawk-cli (same corpus)",
            `${median(squawkMs)} ms`,
            `${Math.round(statements / (median(squawkMs) / 1000))} statements/s`,
            `migrate-first takes ${(ms / median(squawkMs)).toFixed(2)}x squawk's time`,
        );
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

// The catalog lookup adding-field-with-default makes per ADD COLUMN ... DEFAULT: the volatility
// of each function a default calls, from lint/builtin-volatility.json (Postgres 18's pg_proc).
async function catalogLookups(): Promise<void> {
    const { loadParser, parseStatements } = await import("../lint");
    const { nonVolatileProofFails } = await import("../lint/volatility");
    await loadParser();
    const defaults = [
        "now()",
        "gen_random_uuid()",
        "0",
        "'{}'::jsonb",
        "lower('A') || 'b'",
        "my_token()",
        "now() + interval '1 day'",
        "CURRENT_TIMESTAMP",
        "make_interval(days => 1)",
        "nextval('s')",
    ];
    const exprs = defaults.map((d) => {
        const parsed = parseStatements(`ALTER TABLE t ADD COLUMN c text DEFAULT ${d};`);
        if (!parsed.ok) throw new Error(parsed.message);
        return JSON.parse(JSON.stringify(parsed.statements[0]?.node)) as unknown;
    });
    const defaultOf = (node: unknown): unknown =>
        (
            node as {
                cmds: {
                    AlterTableCmd: { def: { ColumnDef: { constraints: { Constraint: { raw_expr: unknown } }[] } } };
                }[];
            }
        ).cmds[0]?.AlterTableCmd.def.ColumnDef.constraints[0]?.Constraint.raw_expr;
    const first = process.hrtime.bigint();
    nonVolatileProofFails(defaultOf(exprs[0]));
    const loadMs = Number(process.hrtime.bigint() - first) / 1e6;
    const calls = 200000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) nonVolatileProofFails(defaultOf(exprs[i % exprs.length]));
    const perCallUs = Number(process.hrtime.bigint() - started) / 1e3 / calls;
    console.log(`\nCatalog lookups (adding-field-with-default: is a default provably non-volatile?)`);
    row("first lookup (reads the 1,300-name table)", `${loadMs.toFixed(2)} ms`, "once per process", "");
    row(
        "per ADD COLUMN ... DEFAULT",
        `${perCallUs.toFixed(2)} us`,
        `${defaults.length} kinds of default, ${calls} calls`,
        "paid only by statements with a default",
    );
}

(async () => {
    console.log(`migrate-first benchmark (${new Date().toISOString()}, node ${process.version})`);
    // --lint: the linter's figures alone (no Postgres).
    if (!process.argv.includes("--lint")) {
        await overhead();
        await readiness();
    }
    await lintThroughput();
    await catalogLookups();
})().catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});
