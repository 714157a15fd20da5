// One stack, one application environment, from stack config. Everything is checked before
// the first resource: the spec, the release's migrations, and (with promotion.from) that the
// image passed the other stack's smoke check.
import * as pulumi from "@pulumi/pulumi";
import { AppEnvironment } from "../components";
import { checkMigrations, migrationCheckMessage, shippedVersions } from "../lint";
import type { EnvironmentSpec } from "../environment-schema";
import { impliedTier, SpecError } from "../environment-schema";
import { specFromConfig, stackTierOrigin } from "./config";
import { isProgramConfigSecret, programConfigEntries } from "./program-config";
import { kubernetesProvider } from "./kubernetes-provider";
import { checkPromotion } from "./promotion";
import type { StackState } from "./stack-state";
import { readStackState, readVerifiedImages } from "./stack-state";

/** How a stack's config names migration.directory, for the gate's error. */
const configDirectoryKey = {
    directoryKey: "migrate-first:migration.directory",
    directoryFix: "set it with: pulumi config set --path 'migrate-first:migration.directory' <dir>, pointing it",
} as const;

// pulumi.log.* is fire-and-forget here (`void`): the SDK sends messages in order, keeps the
// program alive until they are delivered, and its promise never rejects.

function loadSpec(stack: string) {
    try {
        const config = {
            stack,
            entries: programConfigEntries(),
            isSecret: isProgramConfigSecret,
            origin: `stack "${stack}"`,
        };
        const spec = specFromConfig(config);
        // Which tier, and why, is the first thing a preview says: a stack name alone can pick prod.
        void pulumi.log.info(`migrate-first: stack "${stack}": ${stackTierOrigin(config)}`);
        return spec;
    } catch (error) {
        // A RunError is shown without a stack trace: the message is the whole story.
        if (error instanceof SpecError) throw new pulumi.RunError(error.message);
        throw error;
    }
}

/** What this environment's smoke check verified so far; on a read error, what the last update saw. */
async function verifiedImages(spec: EnvironmentSpec, last: StackState): Promise<readonly string[]> {
    if (last.migratorDatabaseUrl === undefined) return [];
    try {
        return await readVerifiedImages(spec, last.migratorDatabaseUrl);
    } catch (error) {
        void pulumi.log.warn(
            `could not read the verified releases from ${spec.database.host}: ${error instanceof Error ? error.message : String(error)}; exporting the last known ones`,
        );
        return last.verifiedImages ?? [];
    }
}

/** Refuses an image the promotion source has not verified, unless an override gives the reason. */
async function checkPromoted(spec: EnvironmentSpec): Promise<string | undefined> {
    const from = spec.promotion.from;
    if (from === undefined) return undefined;
    const source = await readStackState("promotion-source", from);
    const verdict = checkPromotion(spec.app.image, from, source.verifiedImages, spec.promotion.override);
    if (verdict.kind === "refused") throw new pulumi.RunError(verdict.message);
    if (verdict.kind === "override") void pulumi.log.warn(verdict.message);
    return verdict.kind === "override" ? spec.promotion.override : undefined;
}

/** The program of an environment stack (dev, staging, prod, pr-<n>): its outputs. */
export async function environmentProgram(): Promise<Record<string, unknown>> {
    const stack = pulumi.getStack();
    const config = new pulumi.Config("migrate-first"); // secrets: databaseAdminPassword, alertWebhookUrl
    const spec = loadSpec(stack);
    if (spec.tierReason !== undefined)
        void pulumi.log.warn(
            `migrate-first: stack "${stack}" runs as tier "${spec.tier}", below "${impliedTier(stack) ?? "prod"}" its name implies: ${spec.tierReason}`,
        );
    const last = await readStackState("last-release", stack);
    const shipped =
        last.image === undefined || last.migrationVersions === undefined
            ? undefined
            : { image: last.image, versions: last.migrationVersions };
    const migrations = await checkMigrations(spec, process.cwd(), { previous: shipped, ...configDirectoryKey });
    for (const warning of migrations.warnings) void pulumi.log.warn(warning);
    if (migrations.errors.length > 0)
        throw new pulumi.RunError(migrationCheckMessage(migrations, "nothing was created"));
    const override = await checkPromoted(spec);
    const verified = await verifiedImages(spec, last);

    const kubernetes = kubernetesProvider(spec, spec.app.name);
    const env = new AppEnvironment(
        spec.app.name,
        {
            spec,
            databaseAdminPassword: config.requireSecret("databaseAdminPassword"),
            alertWebhookUrl: config.getSecret("alertWebhookUrl"),
        },
        kubernetes === undefined ? undefined : { providers: [kubernetes] },
    );
    return definedOnly({
        namespace: env.namespace,
        database: env.databaseName,
        image: spec.app.image,
        /** The release's migration versions: the next update checks its contracts against them. */
        migrationVersions: migrations.report === undefined ? undefined : shippedVersions(migrations.report),
        /** Images this environment's PostSync smoke check verified, newest first: what a stack promoting from this one may run. */
        verifiedImages: verified,
        /** Set when an emergency override let an unverified image through. */
        promotionOverride:
            override === undefined ? undefined : { image: spec.app.image, from: spec.promotion.from, reason: override },
        tier: spec.tier,
        /** Set when the config lowered the tier below the stack name's, with its written reason. */
        tierOverride:
            spec.tierReason === undefined
                ? undefined
                : { tier: spec.tier, implied: impliedTier(stack), reason: spec.tierReason },
        /** A preview's expiry (ISO 8601): the clean-up job destroys the stack after it. */
        expiresAt: spec.preview?.expiresAt,
        delivery: spec.delivery,
        application: env.applicationName,
        /** The order Argo CD (or, with delivery "direct", Pulumi) applies the workload in: shown by `pulumi preview`. */
        syncPlan: env.syncPlan,
        appDatabaseUrl: env.appDatabaseUrl,
        migratorDatabaseUrl: env.migratorDatabaseUrl,
    });
}

/** The outputs that have a value: the engine warns of every undefined one at each preview. */
function definedOnly(outputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
