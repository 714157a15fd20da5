import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { accessPlan, accessSql } from "../database";
import type { LocalPostgres } from "../rehearsal/postgres";
import { startPostgres } from "../rehearsal/postgres";
import type { PrivilegeNames, SqlAs } from "./helpers/privilege-facts";
import { isolationFact, privilegeFacts } from "./helpers/privilege-facts";
import { validSpec } from "./helpers/specs";

// The grants the component gives (one AccessPlan), applied to a real Postgres, then tried.
// e2e/dev-stack.test.ts checks the same facts on what the real postgresql provider created.
describe("least privilege, on a real Postgres", function () {
    this.timeout(60000);
    let pg: LocalPostgres;
    const passwords: Record<string, string> = {
        shop_migrator: "m-pass",
        shop_app: "a-pass",
        billing_migrator: "bm-pass",
        billing_app: "ba-pass",
    };
    const names = (app: string): PrivilegeNames => {
        const plan = accessPlan(validSpec({ app: { name: app, image: `acme/${app}:v1` } }));
        return { database: plan.database, schema: plan.schema, migrator: plan.migrator, app: plan.app };
    };
    const shop = names("shop");
    const billing = names("billing");

    const sql: SqlAs = (user, database, text) => {
        const password = user === "postgres" ? pg.adminPassword : (passwords[user] ?? "");
        const run = spawnSync("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"], {
            input: text,
            env: { ...process.env, ...pg.env(user, password, database) },
            encoding: "utf8",
        });
        return { ok: run.status === 0, out: run.stdout.trim(), err: run.stderr.trim() };
    };

    before(async () => {
        pg = await startPostgres();
        for (const app of ["shop", "billing"]) {
            const access = accessSql(accessPlan(validSpec({ app: { name: app, image: `acme/${app}:v1` } })), passwords);
            assert.ok(sql("postgres", "postgres", access.server).ok);
            assert.ok(sql("postgres", app, access.database).ok);
        }
    });
    after(async () => pg?.stop());

    for (const fact of [...privilegeFacts(shop), isolationFact(shop, billing)]) it(fact.title, () => fact.check(sql));
});
