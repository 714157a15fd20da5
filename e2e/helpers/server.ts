import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import { join, resolve } from "path";
import { parse } from "yaml";
import { literal } from "../../database/access-sql";
import type { LocalPostgres } from "../../rehearsal/postgres";
import { startPostgres } from "../../rehearsal/postgres";
import { adminSql } from "../../rehearsal/provision";
import type { SqlAs } from "../../test/helpers/privilege-facts";

/** The admin Pulumi connects as: CREATEDB and CREATEROLE, no superuser, as on RDS or Cloud SQL. */
export const platformAdmin = "platform_admin";

/** A real Postgres 18 with a managed-server-like admin role, and SQL as each role whose password is known. */
export interface E2eServer {
    readonly pg: LocalPostgres;
    readonly adminPassword: string;
    /** Role passwords the tests learnt (from `pulumi stack output --show-secrets`). */
    readonly passwords: Map<string, string>;
    readonly sql: SqlAs;
    /** Runs SQL as the superuser, for checks only (never what the program does). */
    superSql(database: string, text: string): string;
}

export async function startServer(adminPassword: string): Promise<E2eServer> {
    const pg = await startPostgres();
    adminSql(
        pg,
        "postgres",
        `CREATE ROLE ${platformAdmin} LOGIN CREATEDB CREATEROLE PASSWORD ${literal(adminPassword)};`,
    );
    const passwords = new Map<string, string>([
        [platformAdmin, adminPassword],
        ["postgres", pg.adminPassword],
    ]);
    const sql: SqlAs = (user, database, text) => {
        const run = spawnSync("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"], {
            input: text,
            env: { PATH: process.env.PATH ?? "", ...pg.env(user, passwords.get(user) ?? "", database) },
            encoding: "utf8",
        });
        return { ok: run.status === 0, out: run.stdout.trim(), err: run.stderr.trim() };
    };
    return { pg, adminPassword, passwords, sql, superSql: (database, text) => adminSql(pg, database, text) };
}

/** Learns the role and password in a `postgresql://role:password@host/db` URL. */
export function learnPassword(server: E2eServer, url: unknown): string {
    if (typeof url !== "string") throw new Error(`expected a database URL, got ${typeof url}`);
    const parsed = new URL(url);
    const role = decodeURIComponent(parsed.username);
    server.passwords.set(role, decodeURIComponent(parsed.password));
    return role;
}

/** A stack file of the repository, its `migrate-first:` entries by field, with `database` pointed at `server`; `extra.database` merges into it. */
export function stackConfigFor(
    stack: string,
    server: E2eServer,
    extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
    const file = join(resolve(__dirname, "..", ".."), `Pulumi.${stack}.yaml`);
    const config = (parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    const entries = Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key.replace(/^migrate-first:/, ""), value]),
    );
    const { database: extraDatabase, ...rest } = extra;
    const database = {
        ...(entries.database as object),
        host: "127.0.0.1",
        port: server.pg.port,
        adminUser: platformAdmin,
        ...(extraDatabase as object | undefined),
    };
    return { ...entries, ...rest, database };
}
