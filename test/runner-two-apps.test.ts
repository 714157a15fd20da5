import { strict as assert } from "assert";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

// The lock is per app; the history is per database. Two apps on one database are refused, not mixed.
for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: two apps on one database`, function () {
        this.timeout(60000);
        const { environment, migrateEnv } = withPostgres("twoapps");

        it("the second app is refused with a clear message, and neither history is touched", async () => {
            const db = environment();
            const first = await runScript("migrate.sh", {
                ...migrateEnv(db, migrationsDir({ "1_orders.sql": "CREATE TABLE orders (id int);" })),
                ...shell.env,
            });
            assert.equal(first.code, 0, first.stderr);
            const other = migrationsDir({ "1_users.sql": "CREATE TABLE users (id int);" });
            const second = await runScript("migrate.sh", {
                ...migrateEnv(db, other, { APP: "billing" }),
                ...shell.env,
            });
            assert.equal(second.code, 1, second.stdout);
            assert.match(
                second.stderr,
                new RegExp(`this database's migration history belongs to the app ${db.name}, not billing`),
            );
            assert.match(second.stderr, /give each app its own database/);
            assert.equal(
                runSql(
                    db.migrator,
                    "SELECT string_agg(name, ','), bool_and(to_regclass('users') IS NULL) FROM migrate_first.schema_history;",
                ),
                "1_orders.sql|t",
            );
            const again = await runScript("migrate.sh", {
                ...migrateEnv(db, migrationsDir({ "1_orders.sql": "CREATE TABLE orders (id int);" })),
                ...shell.env,
            });
            assert.equal(again.code, 0, again.stderr);
        });
    });
}
