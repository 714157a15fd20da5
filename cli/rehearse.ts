import { Command, InvalidArgumentError } from "commander";
import { copyFileSync, cpSync, readdirSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import type { EnvironmentSpec } from "../environment-schema";
import type { ReleaseResult } from "../rehearsal/cluster/real-sync";
import type { Release } from "../rehearsal/sync";
import { reportErrors, stackFileDirectoryKey, stackName } from "./options";

/** `migrate-first rehearse --stack dev` (`npm start`): the whole sync on an embedded Postgres. */
export function rehearseCommand(): Command {
    return new Command("rehearse")
        .description(
            "Rehearse a stack's sync on an embedded Postgres: the database and roles, then every step of the sync plan in Argo CD's order, running the Jobs' real scripts. No cluster, no Pulumi CLI; needs psql.",
        )
        .requiredOption("-s, --stack <name>", "stack to rehearse (a Pulumi.<stack>.yaml in --dir)", stackName)
        .option("-d, --dir <dir>", "project directory holding the Pulumi.<stack>.yaml files", ".")
        .option(
            "-m, --migrations <dir>",
            "migration files to apply (default: the spec's migration.directory, relative to --dir)",
        )
        .option(
            "--break-migration",
            "add a failing migration to a copy of the files, to see the sync stop and the alert it sends",
        )
        .option(
            "-r, --releases <versions...>",
            "sync several releases one after the other, each shipping the files up to a version (e.g. 1 2 3: expand, then contract)",
            versions,
        )
        .option(
            "--control-plane",
            "run the sync for real: a local control plane (kube-apiserver, etcd, the Job and Deployment " +
                "controllers), a node running pods as processes, and Argo CD's sync engine applying the " +
                "rendered manifests (needs `npm run engines`)",
        )
        .showHelpAfterError("(run with --help for usage)")
        .action(reportErrors("rehearse", 1, rehearseStack));
}

interface RehearseOptions {
    readonly stack: string;
    readonly dir: string;
    readonly migrations?: string;
    readonly breakMigration?: boolean;
    readonly releases?: bigint[];
    readonly controlPlane?: boolean;
}

async function rehearseStack(opts: RehearseOptions): Promise<void> {
    // Loaded here, not at the top: `--help` and the other commands never pay for them.
    const { readStackFile, specFromConfig, stackTierOrigin } = await import("../stacks/config");
    const { checkMigrations, migrationCheckMessage } = await import("../lint/gate");
    const { removeDir, temporaryDir } = await import("../rehearsal/postgres");
    const { rehearse } = await import("../rehearsal/sync");
    const config = readStackFile(resolve(opts.dir), opts.stack);
    console.log(`rehearse: stack ${opts.stack}: ${stackTierOrigin(config)}`);
    const spec = specFromConfig(config);
    let migrationsDir = resolve(opts.dir, opts.migrations ?? spec.migration.directory);
    // The same gate as render and pulumi up: a release they would refuse is not rehearsed as if it could ship.
    const where =
        opts.migrations === undefined
            ? stackFileDirectoryKey(opts.stack)
            : { directory: opts.migrations, directoryKey: "--migrations", directoryFix: "give --migrations" };
    const check = await checkMigrations(spec, resolve(opts.dir), where);
    check.warnings.forEach((w) => console.log(`rehearse: warning: ${w}`));
    if (check.errors.length > 0) throw new Error(migrationCheckMessage(check, "nothing was rehearsed"));
    console.log(
        `rehearse: stack ${opts.stack}: ${spec.app.name} ${spec.app.image}, migration mode ${spec.migration.mode}, files from ${migrationsDir}`,
    );
    const copy = opts.breakMigration ? temporaryDir("broken") : undefined;
    if (copy !== undefined) {
        cpSync(migrationsDir, copy, { recursive: true });
        writeFileSync(
            join(copy, "99999_rehearsal_breaks_here.sql"),
            "-- Added by --break-migration.\nCREATE TABLE rehearsal_half_done (id int);\nALTER TABLE no_such_table ADD COLUMN x int;\n",
        );
        console.log("rehearse: --break-migration: 99999_rehearsal_breaks_here.sql fails at its second statement");
        migrationsDir = copy;
    }
    const releases =
        opts.releases === undefined
            ? [{ image: spec.app.image, migrationsDir }]
            : await Promise.all(opts.releases.map((upTo) => releaseUpTo(migrationsDir, upTo, spec.app.image)));
    try {
        if (opts.controlPlane === true) {
            if (spec.delivery === "direct")
                throw new Error(
                    `stack ${opts.stack} has delivery "direct": pulumi up applies its workload, in its own order, ` +
                        "not Argo CD, so --control-plane (Argo CD's engine) would rehearse something else. " +
                        "Run npm start for the local rehearsal, or " +
                        "`npx mocha --timeout 900000 e2e/direct-delivery.test.ts` for pulumi up on the control plane",
                );
            process.exitCode = (await rehearseForReal(spec, releases, opts.releases, copy !== undefined)) ? 0 : 1;
            return;
        }
        const result = await rehearse(spec, { releases, log: (line) => console.log(line) });
        const synced = result.failed === undefined;
        const expected = copy === undefined ? synced : result.failed?.endsWith("-migrate") === true;
        console.log(
            synced
                ? `rehearse: the sync succeeded; release(s) ${releases.map((r) => r.image).join(", ")} verified`
                : `rehearse: the sync stopped at ${result.failed ?? "?"}${copy === undefined ? "" : ", as --break-migration asked: the Deployment never ran, and the alert above would go out"}`,
        );
        process.exitCode = expected ? 0 : 1;
    } finally {
        if (copy !== undefined) removeDir(copy);
        if (opts.releases !== undefined) releases.forEach((r) => removeDir(r.migrationsDir));
    }
}

function versions(value: string, previous: bigint[] = []): bigint[] {
    if (!/^[0-9]+$/.test(value))
        throw new InvalidArgumentError("a release is the last migration version it ships, e.g. 2");
    return [...previous, BigInt(value)];
}

/** A release shipping the files of `dir` up to version `upTo`, labelled by it. */
async function releaseUpTo(dir: string, upTo: bigint, image: string): Promise<Release> {
    const { fileVersion } = await import("../lint/lint");
    const { temporaryDir } = await import("../rehearsal/postgres");
    const copy = temporaryDir("release");
    for (const name of readdirSync(dir)) {
        const version = fileVersion(name);
        if (version !== undefined && BigInt(version) <= upTo) copyFileSync(join(dir, name), join(copy, name));
    }
    return { image: `${image} [files <= ${upTo}]`, migrationsDir: copy };
}

/** The image with its tag as the base of a per-release tag: `repo:tag` as is, `repo` as `repo:latest`, a digest dropped. */
function untagged(image: string): string {
    const named = image.split("@")[0] ?? image;
    return named.slice(named.lastIndexOf("/") + 1).includes(":") ? named : `${named}:latest`;
}

/**
 * `--control-plane`: the releases synced for real. True when every release synced and its smoke
 * test verified it or, with --break-migration, when the sync stopped at the migration Job.
 */
async function rehearseForReal(
    spec: EnvironmentSpec,
    releases: readonly Release[],
    versions: readonly bigint[] | undefined,
    broken: boolean,
): Promise<boolean> {
    const { rehearseOnControlPlane } = await import("../rehearsal/cluster/real-sync");
    const tagged = releases.map((release, i) => ({
        ...release,
        // A real image reference per release: the node maps each to its own files.
        image: versions === undefined ? spec.app.image : `${untagged(spec.app.image)}-files-${versions[i]}`,
    }));
    const result = await rehearseOnControlPlane(spec, { releases: tagged, log: (line) => console.log(line) });
    const verified = (r: ReleaseResult) => r.outcome.phase === "Succeeded" && r.end.verified.includes(r.image);
    const unverified = result.releases.filter((r) => !verified(r));
    const migrationFailed = (r: ReleaseResult) =>
        r.outcome.steps.some((s) => s.name === `${spec.app.name}-migrate` && s.hookPhase === "Failed");
    if (unverified.length === 0) {
        console.log(
            `rehearse: the sync succeeded on the control plane; release(s) ${tagged.map((r) => r.image).join(", ")} verified`,
        );
        return !broken;
    }
    const why = unverified.map((r) => `${r.image}: ${r.outcome.phase}, ${r.outcome.message}`).join("; ");
    const asAsked = broken && unverified.length === 1 && migrationFailed(unverified[0]);
    const note = asAsked
        ? ", as --break-migration asked: the Deployment never ran, and the alert went to the webhook"
        : "";
    console.log(`rehearse: the sync failed on the control plane: ${why}${note}`);
    return asAsked;
}
