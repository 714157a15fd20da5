import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type * as postgresql from "@pulumi/postgresql";
import type { EnvironmentSpec, EnvironmentSpecInput } from "../environment-schema";
import { parseSpec, tierOrigin } from "../environment-schema";
import { accessPlan, clusterTarget } from "../database";
import { application, buildWorkload, labels, namespace, networkPolicies, workloadObjects } from "../manifests";
import type { SyncPlanRow } from "../plan";
import { planRows, planSync } from "../plan";
import { loadRuntimeScripts } from "../runtime";
import { PostgresDatabase } from "./postgres-database";
import { DatabaseSecrets } from "./database-secrets";
import { DirectWorkload } from "./direct-workload";
import { ArgoApplication } from "./argocd-application";

export interface AppEnvironmentArgs {
    /** The environment, validated as a whole before any resource is created. Required. */
    readonly spec: EnvironmentSpecInput;
    /** Password of `database.adminUser`; treated as a secret. Required. */
    readonly databaseAdminPassword: pulumi.Input<string>;
    /** Webhook the SyncFail hook posts to; treated as a secret. @default - none: the alert is only logged */
    readonly alertWebhookUrl?: pulumi.Input<string>;
    /** The admin connection to `database.host`, shared by environments on one server (self-service: one provider, one connection cap). @default - its own */
    readonly databaseProvider?: postgresql.Provider;
}

/**
 * A whole application environment with "schema first, then code" built in: the
 * database and least-privilege roles, the credentials Secrets, and either the Argo CD
 * Application (delivery "argocd") or the workload applied in sync-plan order ("direct").
 */
export class AppEnvironment extends pulumi.ComponentResource {
    /** The validated spec, defaults applied. */
    readonly spec: EnvironmentSpec;
    /** What Argo CD (or Pulumi, with "direct") will do, step by step. */
    readonly syncPlan: SyncPlanRow[];
    readonly namespace: pulumi.Output<string>;
    readonly databaseName: pulumi.Output<string>;
    /** The app role's URL, as in `db-credentials` (secret). */
    readonly appDatabaseUrl: pulumi.Output<string>;
    /** The migrator's URL, as in `db-migrator-credentials` (secret). */
    readonly migratorDatabaseUrl: pulumi.Output<string>;
    /** The Argo CD Application's name (delivery "argocd"). */
    readonly applicationName?: pulumi.Output<string>;

    constructor(name: string, args: AppEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): a bad spec must not register even this component.
        const spec = parseSpec(args.spec, { stack: pulumi.getStack() });
        super("migrate-first:env:AppEnvironment", name, {}, opts);
        this.spec = spec;
        // A library user's stack named "mystack" gets prod's rules: say so, and how to choose another.
        if (args.spec.tier === undefined) {
            // Fire-and-forget: the SDK delivers log messages in order before the program exits.
            void pulumi.log.info(
                `migrate-first: ${name}: ${tierOrigin(pulumi.getStack(), undefined, spec.preview !== undefined, "set spec.tier to")}`,
                this,
            );
        }

        const scripts = loadRuntimeScripts();
        const workload = buildWorkload(spec, scripts);
        const plan = planSync(workloadObjects(workload));
        const access = accessPlan(spec);

        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: namespace(spec).metadata },
            { parent: this },
        );
        // Isolation holds before the first hook: the workload waits for it.
        const isolation = networkPolicies(spec).map(
            (policy) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${policy.metadata?.name}`,
                    { metadata: policy.metadata, spec: policy.spec },
                    { parent: this, dependsOn: [ns] },
                ),
        );
        const db = new PostgresDatabase(
            `${name}-db`,
            {
                access,
                server: {
                    host: spec.database.host,
                    port: spec.database.port,
                    adminUser: spec.database.adminUser,
                    sslmode: spec.database.sslmode,
                },
                adminPassword: args.databaseAdminPassword,
                protect: spec.database.protect,
                provider: args.databaseProvider,
            },
            { parent: this },
        );
        const secrets = new DatabaseSecrets(
            `${name}-secrets`,
            {
                access,
                passwords: db.passwords,
                target: clusterTarget(spec),
                names: workload.names,
                labels: labels(spec, "credentials"),
                alertWebhookUrl: args.alertWebhookUrl,
            },
            { parent: this, dependsOn: [ns, db] },
        );

        if (spec.delivery === "direct") {
            new DirectWorkload(
                `${name}-workload`,
                { workload, plan, after: [ns, secrets, ...isolation] },
                { parent: this },
            );
        } else {
            this.applicationName = new ArgoApplication(
                `${name}-application`,
                { application: application(spec), after: [ns, secrets, ...isolation] },
                { parent: this },
            ).name;
        }

        this.syncPlan = planRows(plan);
        this.namespace = ns.metadata.name;
        this.databaseName = db.databaseName;
        this.appDatabaseUrl = secrets.appUrl;
        this.migratorDatabaseUrl = secrets.migratorUrl;
        this.registerOutputs({
            namespace: this.namespace,
            databaseName: this.databaseName,
            appDatabaseUrl: this.appDatabaseUrl,
            migratorDatabaseUrl: this.migratorDatabaseUrl,
            applicationName: this.applicationName,
            syncPlan: this.syncPlan,
        });
    }
}
