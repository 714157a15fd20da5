// The self-service program: a platform stack whose config has `migrate-first:selfService`
// builds one AppEnvironment per request file, all or nothing.
import * as pulumi from "@pulumi/pulumi";
import { AppEnvironment, postgresProvider } from "../components";
import { impliedTier, SpecError } from "../environment-schema";
import { configNamespace } from "./config";
import { kubernetesProvider } from "./kubernetes-provider";
import { isProgramConfigSecret, programConfigEntries } from "./program-config";
import type { CheckedRequests } from "./request-migrations";
import { checkRequestedMigrations } from "./request-migrations";
import { readShippedEnvironments } from "./stack-state";
import type { Requested } from "./requests";
import { SelfServiceError, selfServiceEnvironments } from "./requests";

/** The program of a self-service stack: its outputs, one entry per environment. */
export async function selfServiceProgram(): Promise<Record<string, unknown>> {
    const stack = pulumi.getStack();
    let requested: Requested[];
    try {
        requested = selfServiceEnvironments(
            { stack, entries: programConfigEntries(), isSecret: isProgramConfigSecret, origin: `stack "${stack}"` },
            process.cwd(),
        );
    } catch (error) {
        if (error instanceof SpecError || error instanceof SelfServiceError) throw new pulumi.RunError(error.message);
        throw error;
    }
    // The same gate as an environment stack's, each request checked against what this stack shipped to it last.
    let checked: CheckedRequests;
    try {
        checked = await checkRequestedMigrations(
            requested,
            process.cwd(),
            await readShippedEnvironments("last-release", stack),
        );
        for (const warning of checked.warnings) void pulumi.log.warn(warning);
    } catch (error) {
        if (error instanceof SelfServiceError) throw new pulumi.RunError(error.message);
        throw error;
    }
    const config = new pulumi.Config(configNamespace);
    const databaseAdminPassword = config.requireSecret("databaseAdminPassword");
    const alertWebhookUrl = config.getSecret("alertWebhookUrl");
    // Every environment's database is on the policy's one server: one admin connection for all.
    const first = requested[0]?.spec.database;
    const databaseProvider =
        first === undefined ? undefined : postgresProvider("self-service-postgres", first, databaseAdminPassword);
    // The policy's kubernetes section is every environment's: one provider for all.
    const kubernetes = requested[0] === undefined ? undefined : kubernetesProvider(requested[0].spec, "self-service");
    const environments: Record<string, unknown> = {};
    for (const { key, file, spec } of requested) {
        const env = new AppEnvironment(
            key,
            { spec, databaseAdminPassword, alertWebhookUrl, databaseProvider },
            kubernetes === undefined ? undefined : { providers: [kubernetes] },
        );
        environments[key] = {
            file,
            namespace: env.namespace,
            database: env.databaseName,
            image: spec.app.image,
            migrationVersions: checked.versions.get(key),
            application: env.applicationName,
        };
    }
    // A tier below the stack name's was allowed only with a reason (environment-schema/schema.ts): say it, and keep it in the outputs.
    const lowered = requested[0]?.spec;
    const tierOverride =
        lowered?.tierReason === undefined
            ? undefined
            : { tier: lowered.tier, implied: impliedTier(stack), reason: lowered.tierReason };
    if (tierOverride !== undefined)
        void pulumi.log.warn(
            `migrate-first: stack "${stack}" runs its environments as tier "${tierOverride.tier}", below "${tierOverride.implied ?? "prod"}" its name implies: ${tierOverride.reason}`,
        );
    return { environments, environmentCount: requested.length, tierOverride };
}
