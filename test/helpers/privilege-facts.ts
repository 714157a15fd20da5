import { strict as assert } from "assert";

/** Runs SQL on `database` as `user` (its password is the runner's business). */
export type SqlAs = (user: string, database: string, sql: string) => { ok: boolean; out: string; err: string };

/** One environment's names: its database, schema and two roles. */
export interface PrivilegeNames {
    readonly database: string;
    readonly schema: string;
    readonly migrator: string;
    readonly app: string;
}

export interface PrivilegeFact {
    readonly title: string;
    readonly check: (sql: SqlAs) => void;
}

function must(sql: SqlAs, user: string, database: string, text: string): string {
    const r = sql(user, database, text);
    assert.ok(r.ok, `${user}: ${text}\n${r.err}`);
    return r.out;
}

function refused(sql: SqlAs, user: string, database: string, text: string, why: RegExp): void {
    const r = sql(user, database, text);
    assert.equal(r.ok, false, `${user} was allowed: ${text}`);
    assert.match(r.err, why);
}

/**
 * What least privilege means for one environment, in the order to check it (the first fact
 * creates the table the others use). The SQL-only test checks it on grants applied from the
 * AccessPlan; the real-engine test on what the postgresql provider created.
 */
export function privilegeFacts(n: PrivilegeNames): PrivilegeFact[] {
    const { database: db, schema, migrator, app } = n;
    return [
        {
            title: "lets the app role read and write the migrator's tables, sequences included",
            check: (sql) => {
                must(
                    sql,
                    migrator,
                    db,
                    "CREATE TABLE orders (id bigserial PRIMARY KEY, note text); INSERT INTO orders (note) VALUES ('by migrator');",
                );
                assert.equal(must(sql, app, db, "SELECT note FROM orders;"), "by migrator");
                must(
                    sql,
                    app,
                    db,
                    "INSERT INTO orders (note) VALUES ('by app'); UPDATE orders SET note = 'edited' WHERE note = 'by app'; DELETE FROM orders WHERE note = 'edited';",
                );
            },
        },
        {
            title: "lets the app role use tables a later migration creates (default privileges)",
            check: (sql) => {
                must(sql, migrator, db, "CREATE TABLE later (id serial PRIMARY KEY, v int);");
                must(sql, app, db, "INSERT INTO later (v) VALUES (1);");
                assert.equal(must(sql, app, db, "SELECT count(*) FROM later;"), "1");
            },
        },
        {
            title: "keeps DDL from the app role: no CREATE, ALTER or DROP",
            check: (sql) => {
                refused(
                    sql,
                    app,
                    db,
                    `CREATE TABLE ${schema}.sneaky (id int);`,
                    new RegExp(`permission denied for schema ${schema}`),
                );
                refused(sql, app, db, "CREATE TABLE public.sneaky (id int);", /permission denied for schema public/);
                refused(sql, app, db, "ALTER TABLE orders ADD COLUMN x int;", /must be owner of table orders/);
                refused(sql, app, db, "DROP TABLE orders;", /must be owner of table orders/);
                refused(sql, app, db, "CREATE SCHEMA sneaky;", new RegExp(`permission denied for database "?${db}"?`));
            },
        },
        {
            title: "lets neither role create roles, and the migrator not drop the database",
            check: (sql) => {
                refused(sql, app, db, "CREATE ROLE intruder;", /permission denied to create role/);
                refused(sql, migrator, db, "CREATE ROLE intruder;", /permission denied to create role/);
                refused(
                    sql,
                    migrator,
                    "postgres",
                    `DROP DATABASE ${db};`,
                    new RegExp(`must be owner of database ${db}|permission denied for database`),
                );
            },
        },
        {
            title: "lets the migrator create its own schema (the history table will live there)",
            check: (sql) => void must(sql, migrator, db, "CREATE SCHEMA IF NOT EXISTS migrate_first;"),
        },
    ];
}

/** Another environment's roles are kept out of `n`'s database. */
export function isolationFact(n: PrivilegeNames, other: PrivilegeNames): PrivilegeFact {
    return {
        title: "keeps each app's roles out of the other app's database",
        check: (sql) => {
            const denied = new RegExp(`permission denied for database "?${other.database}"?`);
            refused(sql, n.app, other.database, "SELECT 1;", denied);
            refused(sql, n.migrator, other.database, "SELECT 1;", denied);
            assert.equal(must(sql, other.app, other.database, "SELECT 1;"), "1");
        },
    };
}
