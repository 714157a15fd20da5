import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { accessPlan, accessSql } from "../database";
import { LocalPostgres, startPostgres } from "../rehearsal/postgres";
import { validSpec } from "./helpers/specs";

// The grants the component gives (one AccessPlan), applied to a real Postgres, then tried.
describe("least privilege, on a real Postgres", function () {
    this.timeout(60000);
    let pg: LocalPostgres;
    const passwords = { shop_migrator: "m-pass", shop_app: "a-pass", billing_migrator: "bm-pass", billing_app: "ba-pass" };

    function psql(user: string, database: string, sql: string) {
        const password = user === "postgres" ? pg.adminPassword : passwords[user as keyof typeof passwords];
        const run = spawnSync("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"], { input: sql, env: { ...process.env, ...pg.env(user, password, database) }, encoding: "utf8" });
        return { ok: run.status === 0, out: run.stdout.trim(), err: run.stderr.trim() };
    }
    function must(user: string, database: string, sql: string): string {
        const r = psql(user, database, sql);
        assert.ok(r.ok, `${user}: ${sql}\n${r.err}`);
        return r.out;
    }
    function refused(user: string, database: string, sql: string, why: RegExp): void {
        const r = psql(user, database, sql);
        assert.equal(r.ok, false, `${user} was allowed: ${sql}`);
        assert.match(r.err, why);
    }

    before(async () => {
        pg = await startPostgres();
        for (const app of ["shop", "billing"]) {
            const sql = accessSql(accessPlan(validSpec({ app: { name: app, image: `acme/${app}:v1` } })), passwords);
            must("postgres", "postgres", sql.server);
            must("postgres", app, sql.database);
        }
        must("shop_migrator", "shop", "CREATE TABLE orders (id bigserial PRIMARY KEY, note text); INSERT INTO orders (note) VALUES ('by migrator');");
    });
    after(async () => pg?.stop());

    it("lets the app role read and write the migrator's tables, sequences included", () => {
        assert.equal(must("shop_app", "shop", "SELECT note FROM orders;"), "by migrator");
        must("shop_app", "shop", "INSERT INTO orders (note) VALUES ('by app'); UPDATE orders SET note = 'edited' WHERE note = 'by app'; DELETE FROM orders WHERE note = 'edited';");
    });

    it("lets the app role use tables a later migration creates (default privileges)", () => {
        must("shop_migrator", "shop", "CREATE TABLE later (id serial PRIMARY KEY, v int);");
        must("shop_app", "shop", "INSERT INTO later (v) VALUES (1);");
        assert.equal(must("shop_app", "shop", "SELECT count(*) FROM later;"), "1");
    });

    it("keeps DDL from the app role: no CREATE, ALTER or DROP", () => {
        refused("shop_app", "shop", "CREATE TABLE app.sneaky (id int);", /permission denied for schema app/);
        refused("shop_app", "shop", "CREATE TABLE public.sneaky (id int);", /permission denied for schema public/);
        refused("shop_app", "shop", "ALTER TABLE orders ADD COLUMN x int;", /must be owner of table orders/);
        refused("shop_app", "shop", "DROP TABLE orders;", /must be owner of table orders/);
        refused("shop_app", "shop", "CREATE SCHEMA sneaky;", /permission denied for database shop/);
    });

    it("lets neither role create roles, and the migrator not drop the database", () => {
        refused("shop_app", "shop", "CREATE ROLE intruder;", /permission denied to create role/);
        refused("shop_migrator", "shop", "CREATE ROLE intruder;", /permission denied to create role/);
        refused("shop_migrator", "postgres", "DROP DATABASE shop;", /must be owner of database shop|permission denied for database/);
    });

    it("lets the migrator create its own schema (the history table will live there)", () => {
        must("shop_migrator", "shop", "CREATE SCHEMA IF NOT EXISTS migrate_first;");
    });

    it("keeps each app's roles out of the other app's database", () => {
        refused("shop_app", "billing", "SELECT 1;", /permission denied for database "?billing"?/);
        refused("shop_migrator", "billing", "SELECT 1;", /permission denied for database "?billing"?/);
        assert.equal(must("billing_app", "billing", "SELECT 1;"), "1");
    });
});
