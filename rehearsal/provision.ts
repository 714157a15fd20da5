import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import type { AccessPlan } from "../database";
import { accessPlan, accessSql } from "../database";
import type { EnvironmentSpec } from "../environment-schema";
import type { LocalPostgres } from "./postgres";

/** A provisioned environment database: who may log in, and how. */
export interface LocalDatabase {
    readonly plan: AccessPlan;
    /** libpq environment of the migrator role (the migration Job's Secret). */
    readonly migrator: Record<string, string>;
    /** libpq environment of the app role (`db-credentials`). */
    readonly app: Record<string, string>;
}

/** Runs SQL with psql as the role `env` logs in as; the SQL goes on stdin, so passwords in it never reach a command line. */
export function runSql(env: Readonly<Record<string, string>>, sql: string): string {
    const run = spawnSync("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"], {
        input: sql,
        env: { PATH: process.env.PATH, ...env },
        encoding: "utf8",
    });
    if (run.status !== 0)
        throw new Error(`psql as ${env.PGUSER ?? "?"} on ${env.PGDATABASE ?? "?"} failed: ${run.stderr.trim()}`);
    return run.stdout.trim();
}

/** Runs SQL as the server's admin. */
export function adminSql(pg: LocalPostgres, database: string, sql: string): string {
    return runSql(pg.env("postgres", pg.adminPassword, database), sql);
}

/**
 * Creates the spec's database and roles with the grants the component gives them (the
 * same AccessPlan), with fresh random passwords unless the caller brings its own.
 */
export function provisionDatabase(
    pg: LocalPostgres,
    spec: EnvironmentSpec,
    passwords: Readonly<Record<string, string>> = {},
): LocalDatabase {
    const plan = accessPlan(spec);
    const chosen = Object.fromEntries(
        plan.roles.map((role) => [role.name, passwords[role.name] ?? randomBytes(18).toString("base64url")]),
    );
    const sql = accessSql(plan, chosen);
    adminSql(pg, "postgres", sql.server);
    adminSql(pg, plan.database, sql.database);
    const env = (role: string) => pg.env(role, chosen[role] ?? "", plan.database);
    return { plan, migrator: env(plan.migrator), app: env(plan.app) };
}
