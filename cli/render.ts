#!/usr/bin/env node
// npm run render -- --stack dev --out out/dev
import { Command } from "commander";
import { mkdirSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { loadRuntimeScripts } from "../runtime";
import { specFromStackFile } from "../stacks";
import { planRows } from "../plan";
import { checkMigrations, migrationCheckMessage } from "../lint";
import { renderEnvironment } from "./render-files";
import { stackName } from "./options";


const program = new Command("render")
    .description("Render a stack's workload, Argo CD Application and sync plan from Pulumi.<stack>.yaml, without the Pulumi CLI or a cluster.")
    .requiredOption("-s, --stack <name>", "stack to render (a Pulumi.<stack>.yaml in --dir)", stackName)
    .option("-o, --out <dir>", "directory to write manifests.yaml, application.yaml and sync-plan.md (default: out/<stack>)")
    .option("-d, --dir <dir>", "project directory holding the Pulumi.<stack>.yaml files", ".")
    .option("-q, --quiet", "print only the files written, not the sync plan")
    .showHelpAfterError("(run with --help for usage)")
    .action(async (opts: { stack: string; out?: string; dir: string; quiet?: boolean }) => {
        const out = resolve(opts.out ?? join("out", opts.stack));
        const spec = specFromStackFile(resolve(opts.dir), opts.stack);
        console.log(`render: stack ${opts.stack}: ${spec.app.name} ${spec.app.image}, delivery ${spec.delivery}`);
        // What goes to Git must pass the migration linter first (SQL mode: the files ship in the image).
        const check = await checkMigrations(spec, resolve(opts.dir));
        check.warnings.forEach((w) => console.log(`render: warning: ${w}`));
        if (check.errors.length > 0) throw new Error(migrationCheckMessage(check, "nothing was written"));
        if (check.report !== undefined) console.log(`render: linted ${check.report.files.length} migration file(s) in ${check.directory}: no errors`);
        const rendered = renderEnvironment(spec, loadRuntimeScripts(), `Pulumi.${opts.stack}.yaml`);
        mkdirSync(out, { recursive: true });
        for (const [file, content] of Object.entries(rendered.files)) {
            writeFileSync(join(out, file), content);
            console.log(`render: wrote ${join(out, file)}`);
        }
        if (opts.quiet) return;
        console.log(`\nSync plan (${spec.environment}):`);
        for (const row of planRows(rendered.plan)) {
            console.log(`  ${String(row.step).padStart(2)}. ${row.phase.padEnd(8)} wave ${String(row.wave).padStart(2)}  ${`${row.kind} ${row.name}`.padEnd(36)} waits for: ${row.waitsFor}`);
        }
    });

program.parseAsync().catch((error: unknown) => {
    console.error(`render: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});
