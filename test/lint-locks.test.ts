import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import type { LockMode } from "../lint";
import { lockModes, rules } from "../lint";
import { runSql } from "../rehearsal/provision";
import { withPostgres } from "./helpers/environments";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// An existing table with rows and traffic-worthy shapes: an index, a unique index, NOT VALID
// constraints waiting for VALIDATE, a partitioned table and a materialized view.
const setup = `
CREATE TABLE u (id bigint PRIMARY KEY);
CREATE TABLE k (id bigint NOT NULL);
INSERT INTO k SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE t (id bigint PRIMARY KEY, a int, u bigint, email text, r int8range);
INSERT INTO u SELECT g FROM generate_series(1, 1000) g;
INSERT INTO t SELECT g, g, g, 'x' || g, int8range(g, g + 1) FROM generate_series(1, 1000) g;
CREATE INDEX t_a ON t (a);
CREATE UNIQUE INDEX t_email ON t (email);
ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT VALID;
ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID;
CREATE TABLE pt (id bigint, k int) PARTITION BY RANGE (k);
CREATE TABLE p1 PARTITION OF pt FOR VALUES FROM (0) TO (100);
CREATE MATERIALIZED VIEW m AS SELECT id FROM t;
CREATE UNIQUE INDEX m_id ON m (id);
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE t ADD CONSTRAINT t_email_not_null CHECK (email IS NOT NULL) NOT VALID;
CREATE UNLOGGED TABLE ul (id bigint);
INSERT INTO ul SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE g (id bigint, a int, d bigint GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO g (id, a) SELECT g, g FROM generate_series(1, 1000) g;
CREATE FUNCTION user_token() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN md5(random()::text); END $$;
`;

interface LockCase {
    readonly rule: string;
    /** The relation whose lock matters. */
    readonly on: string;
    readonly flagged: string;
    /** The safe form's long-running step (the one that scans, builds or backfills), or undefined when the rule offers none on an existing table. */
    readonly safe?: string;
}

// Statements that cannot run in a transaction block are watched while they wait behind a
// session holding SHARE UPDATE EXCLUSIVE; the others inside a transaction kept open.
const outsideTransaction = /^(?!REFRESH).*CONCURRENTLY|^VACUUM/;

const cases: LockCase[] = [
    {
        rule: "require-concurrent-index-creation",
        on: "t",
        flagged: "CREATE INDEX t_u ON t (u)",
        safe: "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_u2 ON t (u)",
    },
    {
        rule: "require-concurrent-index-deletion",
        on: "t",
        flagged: "DROP INDEX t_a",
        safe: "DROP INDEX CONCURRENTLY IF EXISTS t_a",
    },
    {
        rule: "require-concurrent-reindex",
        on: "t",
        flagged: "REINDEX INDEX t_a",
        safe: "REINDEX INDEX CONCURRENTLY t_a",
    },
    {
        rule: "require-concurrent-partition-detach",
        on: "pt",
        flagged: "ALTER TABLE pt DETACH PARTITION p1",
        safe: "ALTER TABLE pt DETACH PARTITION p1 CONCURRENTLY",
    },
    {
        rule: "adding-foreign-key-constraint",
        on: "t",
        flagged: "ALTER TABLE t ADD CONSTRAINT t_u_fk2 FOREIGN KEY (u) REFERENCES u (id)",
        safe: "ALTER TABLE t VALIDATE CONSTRAINT t_u_fk",
    },
    {
        rule: "constraint-missing-not-valid",
        on: "t",
        flagged: "ALTER TABLE t ADD CONSTRAINT t_a_pos2 CHECK (a > 0)",
        safe: "ALTER TABLE t VALIDATE CONSTRAINT t_a_positive",
    },
    {
        rule: "validate-in-same-transaction",
        on: "t",
        flagged:
            "ALTER TABLE t ADD CONSTRAINT t_a_pos3 CHECK (a > 0) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_a_pos3",
        safe: "ALTER TABLE t VALIDATE CONSTRAINT t_a_positive",
    },
    {
        rule: "disallowed-unique-constraint",
        on: "t",
        flagged: "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email)",
        safe: "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_email2 ON t (email)",
    },
    {
        rule: "adding-primary-key-constraint",
        on: "k",
        flagged: "ALTER TABLE k ADD PRIMARY KEY (id)",
        safe: "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS k_id ON k (id)",
    },
    {
        rule: "adding-exclusion-constraint",
        on: "t",
        flagged: "ALTER TABLE t ADD CONSTRAINT t_r_excl EXCLUDE USING gist (r WITH &&)",
    },
    {
        rule: "adding-field-with-default",
        on: "t",
        flagged: "ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        safe: "UPDATE t SET a = a WHERE id <= 100",
    },
    {
        rule: "adding-field-with-default",
        on: "t",
        flagged: "ALTER TABLE t ADD COLUMN token2 text DEFAULT user_token()",
        safe: "UPDATE t SET a = a WHERE id <= 100",
    },
    {
        rule: "adding-stored-generated-column",
        on: "t",
        flagged: "ALTER TABLE t ADD COLUMN a2 bigint GENERATED ALWAYS AS (a * 2) STORED",
        safe: "UPDATE t SET a = a WHERE id <= 100",
    },
    {
        rule: "adding-serial-primary-key-field",
        on: "t",
        flagged: "ALTER TABLE t ADD COLUMN n bigserial",
        safe: "UPDATE t SET a = a WHERE id <= 100",
    },
    {
        rule: "changing-column-type",
        on: "t",
        flagged: "ALTER TABLE t ALTER COLUMN a TYPE bigint",
        safe: "UPDATE t SET a = a WHERE id <= 100",
    },
    {
        rule: "adding-not-nullable-field",
        on: "t",
        flagged: "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
        safe: "ALTER TABLE t VALIDATE CONSTRAINT t_a_positive",
    },
    {
        rule: "ban-table-rewrite",
        on: "ul",
        flagged: "ALTER TABLE ul SET LOGGED",
        safe: "CREATE TABLE ul_new AS SELECT * FROM ul WHERE id <= 100",
    },
    {
        rule: "ban-table-rewrite",
        on: "k",
        flagged: "ALTER TABLE k SET UNLOGGED",
        safe: "CREATE UNLOGGED TABLE k_new AS SELECT * FROM k WHERE id <= 100",
    },
    {
        rule: "ban-table-rewrite",
        on: "t",
        flagged: "ALTER TABLE t SET ACCESS METHOD heap",
        safe: "CREATE TABLE t_new AS SELECT * FROM t WHERE id <= 100",
    },
    {
        rule: "ban-table-rewrite",
        on: "g",
        flagged: "ALTER TABLE g ALTER COLUMN d SET EXPRESSION AS (a * 3)",
        safe: "UPDATE g SET a = a WHERE id <= 100",
    },
    {
        rule: "ban-table-rewrite",
        on: "t",
        flagged: "ALTER TABLE t SET TABLESPACE pg_default",
        safe: "CREATE TABLE t_new AS SELECT * FROM t WHERE id <= 100",
    },
    { rule: "ban-vacuum-full", on: "t", flagged: "VACUUM FULL t", safe: "VACUUM t" },
    { rule: "ban-cluster", on: "t", flagged: "CLUSTER t USING t_a", safe: "ANALYZE t" },
    {
        rule: "require-concurrent-refresh",
        on: "m",
        flagged: "REFRESH MATERIALIZED VIEW m",
        safe: "REFRESH MATERIALIZED VIEW CONCURRENTLY m",
    },
    { rule: "ban-truncate", on: "t", flagged: "TRUNCATE t CASCADE", safe: "DELETE FROM t WHERE id > 990" },
];

describe("blocking rules take the lock they claim, on a real Postgres; the safe forms a weaker one", function () {
    this.timeout(120000);
    const { environment } = withPostgres("locks");
    let admin: Record<string, string>;
    before(() => {
        const db = environment();
        admin = db.migrator;
        runSql(admin, setup);
    });

    /** The strongest table lock `sql` holds or waits for on `relation`, read from pg_locks while it runs. Nothing it does is kept. */
    async function strongestLock(sql: string, relation: string): Promise<LockMode> {
        const env = { PATH: process.env.PATH, ...admin };
        const outside = outsideTransaction.test(sql);
        // Outside a transaction the statement would finish at once on a small table: a session
        // holding SHARE UPDATE EXCLUSIVE makes it wait, in pg_locks, for the lock it needs.
        const blocker = outside
            ? spawn(
                  "psql",
                  [
                      "-X",
                      "-q",
                      "-c",
                      `BEGIN; LOCK TABLE ${relation} IN SHARE UPDATE EXCLUSIVE MODE; SELECT pg_sleep(10)`,
                  ],
                  { env, stdio: "ignore" },
              )
            : undefined;
        if (blocker !== undefined) await sleep(300);
        const script = outside
            ? `SET application_name = 'lock-probe';\n${sql};`
            : `SET application_name = 'lock-probe';\nBEGIN;\n${sql};\nSELECT pg_sleep(10);\nROLLBACK;`;
        const probe = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], {
            env,
            stdio: ["pipe", "ignore", "pipe"],
        });
        const closed = new Promise((resolve) => probe.once("close", resolve));
        let errors = "";
        probe.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
        probe.stdin.end(script);
        const seen = new Set<string>();
        for (let i = 0; i < 40 && seen.size === 0; i++) {
            await sleep(100);
            const modes = runSql(
                admin,
                `SELECT string_agg(l.mode, ',') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = 'lock-probe' AND l.relation = '${relation}'::regclass;`,
            );
            modes
                .split(",")
                .filter(Boolean)
                .forEach((m) => seen.add(m));
        }
        // Cancel before the blocker goes, so a CONCURRENTLY statement never completes.
        runSql(admin, "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-probe';");
        await closed;
        blocker?.kill("SIGKILL");
        assert.ok(seen.size > 0, `no lock seen on ${relation} for: ${sql}\n${errors}`);
        return lockModes.filter((mode) => seen.has(mode)).pop() as LockMode;
    }

    it("covers every blocking rule that claims a lock", () => {
        const claimed = Object.values(rules)
            .filter((r) => r.lock !== undefined)
            .map((r) => r.id)
            .sort();
        assert.deepEqual([...new Set(cases.map((c) => c.rule))].sort(), claimed);
    });

    /** What Postgres says, at DEBUG1, while it runs `sql` in a transaction it then rolls back. */
    const debugMessages = (sql: string): string =>
        spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1"], {
            input: `BEGIN;\nSET client_min_messages = debug1;\n${sql};\nROLLBACK;\n`,
            env: { PATH: process.env.PATH, ...admin },
            encoding: "utf8",
        }).stderr;

    // Postgres 12+ proves SET NOT NULL from a valid CHECK (col IS NOT NULL) and skips the scan
    // (tablecmds.c, NotNullImpliedByRelConstraints, which says so at DEBUG1): the safe path's
    // last step holds its ACCESS EXCLUSIVE lock only for a catalog update.
    it("adding-not-nullable-field: after VALIDATE of CHECK (email IS NOT NULL), SET NOT NULL scans nothing", () => {
        const proof =
            /existing constraints on column "t\.email" are sufficient to prove that it does not contain nulls/;
        assert.match(
            debugMessages(
                "ALTER TABLE t VALIDATE CONSTRAINT t_email_not_null; ALTER TABLE t ALTER COLUMN email SET NOT NULL",
            ),
            proof,
        );
        assert.doesNotMatch(debugMessages("ALTER TABLE t ALTER COLUMN email SET NOT NULL"), proof);
    });

    // The rewrite forms give the table new storage (core Postgres has one table access method
    // and one writable tablespace, so SET ACCESS METHOD and SET TABLESPACE are proven by lock only).
    for (const [table, sql] of [
        ["ul", "ALTER TABLE ul SET LOGGED"],
        ["k", "ALTER TABLE k SET UNLOGGED"],
        ["g", "ALTER TABLE g ALTER COLUMN d SET EXPRESSION AS (a * 3)"],
    ]) {
        it(`ban-table-rewrite: ${sql} rewrites ${table}`, () => {
            const [before, after] = runSql(
                admin,
                `BEGIN; SELECT pg_relation_filenode('${table}'); ${sql}; SELECT pg_relation_filenode('${table}'); ROLLBACK;`,
            ).split("\n");
            assert.notEqual(after, before);
        });
    }

    for (const c of cases) {
        it(`${c.rule}: ${rules[c.rule]?.lock}${c.safe === undefined ? "" : ", and the safe form weaker"} (${c.flagged})`, async () => {
            const claimed = rules[c.rule]?.lock;
            assert.equal(await strongestLock(c.flagged, c.on), claimed, c.flagged);
            if (c.safe !== undefined) {
                const safe = await strongestLock(c.safe, c.on);
                assert.ok(
                    lockModes.indexOf(safe) < lockModes.indexOf(claimed as LockMode),
                    `${c.safe} takes ${safe}, not weaker than ${claimed}`,
                );
            }
        });
    }
});
