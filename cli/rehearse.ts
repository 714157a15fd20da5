#!/usr/bin/env node
// npm run rehearse -- --stack dev        (npm start rehearses the dev stack)
import { Command } from "commander";
import { cpSync, existsSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { removeDir, temporaryDir } from "../rehearsal/postgres";
import { rehearse } from "../rehearsal/sync";
import { specFromStackFile } from "../stacks";
import { stackName } from "./options";

const program = new Command("rehearse")
    .description("Rehearse a stack's sync on an embedded Postgres: the database and roles, then every step of the sync plan in Argo CD's order, running the Jobs' real scripts. No cluster, no Pulumi CLI; needs psql.")
    .requiredOption("-s, --stack <name>", "stack to rehearse (a Pulumi.<stack>.yaml in --dir)", stackName)
    .option("-d, --dir <dir>", "project directory holding the Pulumi.<stack>.yaml files", ".")
    .option("-m, --migrations <dir>", "migration files to apply (default: the spec's migration.directory, relative to --dir)")
    .option("--break-migration", "add a failing migration to a copy of the files, to see the sync stop and the alert it sends")
    .showHelpAfterError("(run with --help for usage)")
    .action(async (opts: { stack: string; dir: string; migrations?: string; breakMigration?: boolean }) => {
        const spec = specFromStackFile(resolve(opts.dir), opts.stack);
        let migrationsDir = resolve(opts.dir, opts.migrations ?? spec.migration.directory);
        if (spec.migration.mode === "sql" && !existsSync(migrationsDir)) {
            throw new Error(`no migrations directory at ${migrationsDir}; set migration.directory in Pulumi.${opts.stack}.yaml or pass --migrations`);
        }
        console.log(`rehearse: stack ${opts.stack}: ${spec.app.name} ${spec.app.image}, migration mode ${spec.migration.mode}, files from ${migrationsDir}`);
        const copy = opts.breakMigration ? temporaryDir("broken") : undefined;
        if (copy !== undefined) {
            cpSync(migrationsDir, copy, { recursive: true });
            writeFileSync(join(copy, "99999_rehearsal_breaks_here.sql"), "-- Added by --break-migration.\nCREATE TABLE rehearsal_half_done (id int);\nALTER TABLE no_such_table ADD COLUMN x int;\n");
            console.log("rehearse: --break-migration: 99999_rehearsal_breaks_here.sql fails at its second statement");
            migrationsDir = copy;
        }
        try {
            const result = await rehearse(spec, { migrationsDir, log: (line) => console.log(line) });
            const expected = copy === undefined ? result.synced : result.failed?.endsWith("-migrate") === true;
            console.log(
                result.synced
                    ? `rehearse: the sync succeeded; release ${spec.app.image} verified`
                    : `rehearse: the sync stopped at ${result.failed ?? "?"}${copy === undefined ? "" : ", as --break-migration asked: the Deployment never ran, and the alert above would go out"}`,
            );
            process.exitCode = expected ? 0 : 1;
        } finally {
            if (copy !== undefined) removeDir(copy);
        }
    });

program.parseAsync().catch((error: unknown) => {
    console.error(`rehearse: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});
