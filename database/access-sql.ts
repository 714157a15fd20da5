import type { AccessPlan, GrantPlan } from "./access-plan";

/** A quoted SQL identifier. */
export function ident(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** A quoted SQL string literal. */
export function literal(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

function grantSql(plan: AccessPlan, grant: GrantPlan): string {
    const to = grant.role === "public" ? "PUBLIC" : ident(grant.role);
    const on = {
        database: `DATABASE ${ident(plan.database)}`,
        schema: `SCHEMA ${ident(plan.schema)}`,
        table: `ALL TABLES IN SCHEMA ${ident(plan.schema)}`,
        sequence: `ALL SEQUENCES IN SCHEMA ${ident(plan.schema)}`,
    }[grant.objectType];
    // No privileges means "revoke all", as the postgresql provider reads it.
    return grant.privileges.length === 0
        ? `REVOKE ALL ON ${on} FROM ${to};`
        : `GRANT ${grant.privileges.join(", ")} ON ${on} TO ${to};`;
}

/**
 * The access plan as SQL, for a server without the Pulumi provider (the local
 * rehearsal, the tests): `server` runs in any database as an admin, `database` in
 * the new database. Passwords are the caller's; send the SQL on stdin, never argv.
 */
export function accessSql(
    plan: AccessPlan,
    passwords: Readonly<Record<string, string>>,
): { server: string; database: string } {
    const server = [
        ...plan.roles.flatMap((role) => [
            `CREATE ROLE ${ident(role.name)} LOGIN PASSWORD ${literal(passwords[role.name] ?? "")};`,
            `ALTER ROLE ${ident(role.name)} SET search_path = ${ident(plan.schema)}, public;`,
        ]),
        `CREATE DATABASE ${ident(plan.database)};`,
    ];
    const database = [
        `CREATE SCHEMA ${ident(plan.schema)} AUTHORIZATION ${ident(plan.migrator)};`,
        ...plan.grants.map((grant) => grantSql(plan, grant)),
        ...plan.defaultPrivileges.map(
            (dp) =>
                `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(dp.owner)} IN SCHEMA ${ident(plan.schema)} GRANT ${dp.privileges.join(", ")} ON ${dp.objectType === "table" ? "TABLES" : "SEQUENCES"} TO ${ident(dp.role)};`,
        ),
    ];
    return { server: server.join("\n"), database: database.join("\n") };
}
