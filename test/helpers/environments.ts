import { strict as assert } from "assert";
import type { LocalPostgres } from "../../rehearsal/postgres";
import { startPostgres } from "../../rehearsal/postgres";
import { runScript } from "../../rehearsal/scripts";
import { startStandInApp } from "../../rehearsal/stand-in-app";
import type { LocalDatabase } from "../../rehearsal/provision";
import { provisionDatabase } from "../../rehearsal/provision";
import { validSpec } from "./specs";

/** An app's database and roles on the test server, provisioned as the component does. */
export interface TestEnvironment extends LocalDatabase {
    readonly name: string;
    readonly release: string;
}

/**
 * Inside a describe(): one real Postgres for the block (started before, stopped after), and a
 * fresh app environment on it for each call, so tests do not share state.
 */
export function withPostgres(prefix: string) {
    let pg: LocalPostgres | undefined;
    let apps = 0;
    before(async () => {
        pg = await startPostgres();
    });
    after(async () => pg?.stop());
    const server = (): LocalPostgres => {
        if (pg === undefined) throw new Error("Postgres is not started yet");
        return pg;
    };
    return {
        server,
        /** The name the next environment() gets. */
        nextName: () => `${prefix}${apps + 1}`,
        environment: (passwords: Record<string, string> = {}): TestEnvironment => {
            const name = `${prefix}${++apps}`;
            const release = `acme/${name}:v1`;
            return {
                name,
                release,
                ...provisionDatabase(server(), validSpec({ app: { name, image: release } }), passwords),
            };
        },
        /** migrate.sh's settings for an environment, as the migration Job gives them. */
        migrateEnv: (db: TestEnvironment, dir: string, extra: Record<string, string> = {}): Record<string, string> => {
            return {
                ...db.migrator,
                MIGRATIONS_DIR: dir,
                APP: db.name,
                RELEASE: db.release,
                APP_ROLE: db.plan.app,
                ...extra,
            };
        },
    };
}

/** Runs the PostSync smoke check for a release against a stand-in app, which records it as verified. */
export async function verifyRelease(db: TestEnvironment, migrations: string, release: string): Promise<void> {
    const app = await startStandInApp("/health");
    const run = await runScript("smoke-check.sh", {
        ...db.app,
        HEALTH_URL: app.healthUrl,
        MIGRATIONS_DIR: migrations,
        RELEASE: release,
    });
    await app.close();
    assert.equal(run.code, 0, run.stderr);
}
