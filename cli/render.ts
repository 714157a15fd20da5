import { Command } from "commander";
import { mkdirSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { gitopsFolder, reviewFolder } from "./folders";
import { reportErrors, stackFileDirectoryKey, stackName } from "./options";

/** `migrate-first render --stack dev`: what Pulumi and Argo CD would apply, as files. */
export function renderCommand(): Command {
    return new Command("render")
        .description(
            "Render a stack's workload, Argo CD Application and sync plan from Pulumi.<stack>.yaml (a self-service stack: one folder per request file), without the Pulumi CLI or a cluster.",
        )
        .requiredOption("-s, --stack <name>", "stack to render (a Pulumi.<stack>.yaml in --dir)", stackName)
        .option(
            "-o, --out <dir>",
            "directory to write gitops/ and review/ into (default: out/<stack>; a self-service stack: one folder per environment)",
        )
        .option("-d, --dir <dir>", "project directory holding the Pulumi.<stack>.yaml files", ".")
        .option("-q, --quiet", "print only the files written, not the sync plan")
        .addHelpText(
            "after",
            `
What it writes under --out:
  ${gitopsFolder}/manifests.yaml   the hook-annotated workload: copy this folder's content to the path the Application
                          watches (argocd.repoURL, argocd.path); nothing else belongs there (delivery "argocd")
  ${reviewFolder}/application.yaml  the Argo CD Application Pulumi creates: for review, never for the GitOps path
  ${reviewFolder}/network-policies.yaml  the NetworkPolicies Pulumi creates: for review, never for the GitOps path
  ${reviewFolder}/sync-plan.md     the order Argo CD applies the workload in
With delivery "direct" Pulumi applies the workload itself: manifests.yaml goes to ${reviewFolder}/ and there is no ${gitopsFolder}/.`,
        )
        .showHelpAfterError("(run with --help for usage)")
        .action(reportErrors("render", 1, render));
}

async function render(opts: { stack: string; out?: string; dir: string; quiet?: boolean }): Promise<void> {
    // Loaded here, not at the top: `--help` and the other commands never pay for them.
    const { readStackFile, specFromConfig, stackTierOrigin } = await import("../stacks/config");
    const { selfServiceEnvironments, usesSelfService } = await import("../stacks/requests");
    const { checkRequestedMigrations } = await import("../stacks/request-migrations");
    const { loadRuntimeScripts } = await import("../runtime");
    const { planRows } = await import("../plan");
    const { checkMigrations, migrationCheckMessage } = await import("../lint/gate");
    const { renderEnvironment } = await import("./render-files");
    const out = resolve(opts.out ?? join("out", opts.stack));
    const dir = resolve(opts.dir);
    const config = readStackFile(dir, opts.stack);
    if (usesSelfService(config.entries)) {
        // A platform stack: every request file, validated as a whole before anything is written.
        const requested = selfServiceEnvironments(config, dir);
        console.log(`render: stack ${opts.stack}: ${requested.length} self-service environment(s)`);
        (await checkRequestedMigrations(requested, dir)).warnings.forEach((w) => console.log(`render: warning: ${w}`));
        const scripts = loadRuntimeScripts();
        const rendered = requested.map((r) => ({
            dir: join(out, r.key),
            files: renderEnvironment(r.spec, scripts, r.file).files,
        }));
        rendered.forEach((r) => write(r.dir, r.files));
        return;
    }
    console.log(`render: stack ${opts.stack}: ${stackTierOrigin(config)}`);
    const spec = specFromConfig(config);
    console.log(`render: stack ${opts.stack}: ${spec.app.name} ${spec.app.image}, delivery ${spec.delivery}`);
    // What goes to Git must pass the migration linter first (SQL mode: the files ship in the image).
    const check = await checkMigrations(spec, dir, stackFileDirectoryKey(opts.stack));
    check.warnings.forEach((w) => console.log(`render: warning: ${w}`));
    if (check.errors.length > 0) throw new Error(migrationCheckMessage(check, "nothing was written"));
    if (check.report !== undefined)
        console.log(`render: linted ${check.report.files.length} migration file(s) in ${check.directory}: no errors`);
    const rendered = renderEnvironment(spec, loadRuntimeScripts(), `Pulumi.${opts.stack}.yaml`);
    write(out, rendered.files);
    if (opts.quiet) return;
    console.log(`\nSync plan (${spec.environment}):`);
    for (const row of planRows(rendered.plan)) {
        console.log(
            `  ${String(row.step).padStart(2)}. ${row.phase.padEnd(8)} wave ${String(row.wave).padStart(2)}  ${`${row.kind} ${row.name}`.padEnd(36)} waits for: ${row.waitsFor}`,
        );
    }
}

function write(dir: string, files: Readonly<Record<string, string>>): void {
    for (const [file, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), content);
        console.log(`render: wrote ${join(dir, file)}`);
    }
}
