// The Pulumi program: one stack, one application environment, from stack config.
// Everything is checked before the first resource: the spec, then the release's migrations.
import * as pulumi from "@pulumi/pulumi";
import { AppEnvironment } from "./components";
import { checkMigrations, migrationCheckMessage, ShippedRelease, shippedVersions } from "./lint";
import { SpecError } from "./spec";
import { isProgramConfigSecret, programConfigEntries, specFromConfig } from "./stacks";

const stack = pulumi.getStack();
const config = new pulumi.Config("migrate-first");  // secrets: databaseAdminPassword, alertWebhookUrl

function loadSpec() {
    try {
        return specFromConfig(stack, programConfigEntries(), isProgramConfigSecret, `stack "${stack}"`);
    } catch (error) {
        // A RunError is shown without a stack trace: the message is the whole story.
        if (error instanceof SpecError) throw new pulumi.RunError(error.message);
        throw error;
    }
}

/** What this stack's last update shipped, read from its own outputs; undefined before the first. */
async function lastShipped(): Promise<ShippedRelease | undefined> {
    const self = new pulumi.StackReference("last-release", { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}` });
    const [image, versions] = await Promise.all([self.getOutputDetails("image"), self.getOutputDetails("migrationVersions")]);
    if (typeof image.value !== "string" || !Array.isArray(versions.value)) return undefined;
    return { image: image.value, versions: versions.value.map(String) };
}

export = async () => {
    const spec = loadSpec();
    const migrations = await checkMigrations(spec, process.cwd(), lastShipped);
    migrations.warnings.forEach((warning) => pulumi.log.warn(warning));
    if (migrations.errors.length > 0) throw new pulumi.RunError(migrationCheckMessage(migrations, "nothing was created"));

    const env = new AppEnvironment(spec.app.name, {
        spec,
        databaseAdminPassword: config.requireSecret("databaseAdminPassword"),
        alertWebhookUrl: config.getSecret("alertWebhookUrl"),
    });
    return {
        namespace: env.namespace,
        database: env.databaseName,
        image: spec.app.image,
        /** The release's migration versions: the next update checks its contracts against them. */
        migrationVersions: migrations.report === undefined ? undefined : shippedVersions(migrations.report),
        tier: spec.tier,
        /** A preview's expiry (ISO 8601): the clean-up job destroys the stack after it. */
        expiresAt: spec.preview?.expiresAt,
        delivery: spec.delivery,
        application: env.applicationName,
        /** The order Argo CD (or, with delivery "direct", Pulumi) applies the workload in: shown by `pulumi preview`. */
        syncPlan: env.syncPlan,
        appDatabaseUrl: env.appDatabaseUrl,
        migratorDatabaseUrl: env.migratorDatabaseUrl,
    };
};
