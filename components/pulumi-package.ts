// The AppEnvironment other Pulumi languages see: what the component package in pulumi-package/
// serves (`pulumi package add <this package>/pulumi-package`, then type
// `migrate-first:index:AppEnvironment`). Not part of the library's root: TypeScript programs use
// AppEnvironment itself, with the spec as an object they type-check.
//
// Why a second class. The SDK's component host infers the package schema from the constructor's
// `args` interface, and it understands plain interfaces of strings, numbers, booleans, arrays and
// maps only. The spec is a zod-inferred type (unions, defaults, refinements) it cannot read, and
// writing the schema twice by hand would let the two drift. So the spec crosses the language
// boundary as text (YAML, or JSON: in a Pulumi YAML program `fn::toJSON` of the object), and
// parseSpec, the one validator, reads it here, with the messages it gives everywhere else.
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { parseSpec } from "../environment-schema";
import { kubernetesProvider } from "../stacks/kubernetes-provider";
import { AppEnvironment as TypedAppEnvironment } from "./app-environment";

/** The resource type other languages create. */
export const packageAppEnvironmentType = "migrate-first:index:AppEnvironment";

export interface AppEnvironmentArgs {
    /**
     * The environment spec, as YAML or JSON text: the fields of the TypeScript AppEnvironment's
     * `spec` (README, "The spec"), validated as a whole by parseSpec before any resource is created.
     * In Pulumi YAML, `fn::toJSON` of the spec object. With `kubernetes.renderDirectory` set, every
     * Kubernetes object is written there as YAML instead of applied. Required.
     */
    spec: string;
    /** Password of `database.adminUser`; treated as a secret. Required. */
    databaseAdminPassword: pulumi.Input<string>;
    /** Webhook the SyncFail hook posts to; treated as a secret. Optional: without it the alert is only logged. */
    alertWebhookUrl?: pulumi.Input<string>;
}

/**
 * A whole application environment with "schema first, then code" built in: the database and
 * least-privilege roles, the credentials Secrets, and the Argo CD Application (or the workload in
 * sync-plan order). The migrate-first AppEnvironment, for Pulumi YAML, Python and the other languages.
 */
export class AppEnvironment extends pulumi.ComponentResource {
    /** The workload's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The database's name. */
    public readonly databaseName: pulumi.Output<string>;
    /** The app role's URL, as in the Secret `db-credentials` (secret). */
    public readonly appDatabaseUrl: pulumi.Output<string>;
    /** The migrator's URL, as in the Secret `db-migrator-credentials` (secret). */
    public readonly migratorDatabaseUrl: pulumi.Output<string>;

    constructor(name: string, args: AppEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        // The same check, and the same words, as the TypeScript component: before anything registers.
        const spec = parseSpec(specText(args.spec), { stack: pulumi.getStack() });
        super(packageAppEnvironmentType, name, {}, opts);
        const kubernetes = kubernetesProvider(spec, name, { parent: this });
        const env = new TypedAppEnvironment(
            name,
            {
                spec,
                databaseAdminPassword: pulumi.secret(args.databaseAdminPassword),
                alertWebhookUrl: args.alertWebhookUrl === undefined ? undefined : pulumi.secret(args.alertWebhookUrl),
            },
            { parent: this, ...(kubernetes === undefined ? {} : { providers: [kubernetes] }) },
        );
        this.namespace = env.namespace;
        this.databaseName = env.databaseName;
        this.appDatabaseUrl = env.appDatabaseUrl;
        this.migratorDatabaseUrl = env.migratorDatabaseUrl;
        this.registerOutputs({
            namespace: this.namespace,
            databaseName: this.databaseName,
            appDatabaseUrl: this.appDatabaseUrl,
            migratorDatabaseUrl: this.migratorDatabaseUrl,
        });
    }
}

/** The spec's text as a value for parseSpec: YAML (JSON is YAML); a syntax error says where. */
export function specText(text: string): unknown {
    if (typeof text !== "string") {
        throw new pulumi.RunError(`migrate-first: AppEnvironment: spec must be YAML or JSON text, got ${typeof text}`);
    }
    try {
        return parse(text) as unknown;
    } catch (error) {
        throw new pulumi.RunError(
            `migrate-first: AppEnvironment: spec is not valid YAML or JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
    }
}
