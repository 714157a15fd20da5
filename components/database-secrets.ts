import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { AccessPlan, ConnectionTarget } from "../database";
import { credentialEntries } from "../database";
import type { WorkloadNames } from "../manifests";

export interface DatabaseSecretsArgs {
    /** Roles and their purposes. Required. */
    readonly access: AccessPlan;
    /** Role name to password, from PostgresDatabase. Required. */
    readonly passwords: Readonly<Record<string, pulumi.Input<string>>>;
    /** Where pods reach the database. Required. */
    readonly target: ConnectionTarget;
    /** Secret names and namespace. Required. */
    readonly names: WorkloadNames;
    /** Labels for every Secret. @default {} */
    readonly labels?: Record<string, string>;
    /** SyncFail webhook; no alert Secret without it. @default - none */
    readonly alertWebhookUrl?: pulumi.Input<string>;
}

/**
 * `db-credentials` (the app role) and `db-migrator-credentials` (the migrator), each
 * with `url` and libpq's variables; with roles "single" only `db-credentials`.
 * Every value is a Pulumi secret from birth.
 */
export class DatabaseSecrets extends pulumi.ComponentResource {
    /** The app role's URL (secret). */
    readonly appUrl: pulumi.Output<string>;
    /** The migrator's URL (secret). */
    readonly migratorUrl: pulumi.Output<string>;

    constructor(name: string, args: DatabaseSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migrate-first:k8s:DatabaseSecrets", name, {}, opts);
        const { access, names } = args;
        const entries = (role: string) =>
            pulumi.secret(
                pulumi.output(args.passwords[role]).apply((password) => credentialEntries(args.target, role, password)),
            );
        const secret = (resourceName: string, secretName: string, data: pulumi.Output<Record<string, string>>) =>
            new k8s.core.v1.Secret(
                resourceName,
                {
                    metadata: { name: secretName, namespace: names.namespace, labels: args.labels ?? {} },
                    type: "Opaque",
                    stringData: data,
                },
                { parent: this, additionalSecretOutputs: ["data", "stringData"] },
            );

        const app = entries(access.app);
        secret(`${name}-app`, names.appSecret, app);
        // With roles "single" the migrator is the app role, and its Secret is db-credentials.
        const split = access.migrator !== access.app;
        const migrator = split ? entries(access.migrator) : app;
        if (split) secret(`${name}-migrator`, names.migratorSecret, migrator);
        if (args.alertWebhookUrl !== undefined) {
            secret(
                `${name}-alert`,
                names.alertSecret,
                pulumi.secret(pulumi.output(args.alertWebhookUrl).apply((url): Record<string, string> => ({ url }))),
            );
        }

        this.appUrl = pulumi.secret(app.apply((e) => e.url));
        this.migratorUrl = pulumi.secret(migrator.apply((e) => e.url));
        this.registerOutputs({ appUrl: this.appUrl, migratorUrl: this.migratorUrl });
    }
}
