// The Pulumi program: one stack, one application environment, from stack config.
import * as pulumi from "@pulumi/pulumi";
import { AppEnvironment } from "./components";
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

const spec = loadSpec();
const env = new AppEnvironment(spec.app.name, {
    spec,
    databaseAdminPassword: config.requireSecret("databaseAdminPassword"),
    alertWebhookUrl: config.getSecret("alertWebhookUrl"),
});

export const namespace = env.namespace;
export const database = env.databaseName;
export const image = spec.app.image;
export const delivery = spec.delivery;
export const application = env.applicationName;
/** The order Argo CD (or, with delivery "direct", Pulumi) applies the workload in: shown by `pulumi preview`. */
export const syncPlan = env.syncPlan;
export const appDatabaseUrl = env.appDatabaseUrl;
export const migratorDatabaseUrl = env.migratorDatabaseUrl;
