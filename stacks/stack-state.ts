import * as pulumi from "@pulumi/pulumi";
import { Client } from "pg";
import type { ShippedRelease } from "../lint";
import type { EnvironmentSpec } from "../environment-schema";

/** What a stack's last update exported that later updates read back. */
export interface StackState {
    readonly image?: string;
    readonly migrationVersions?: readonly string[];
    /** The migrator's URL (a secret output): how a stack reads its own verified releases. */
    readonly migratorDatabaseUrl?: string;
    /** Images its PostSync smoke check verified, newest first. */
    readonly verifiedImages?: readonly string[];
}

const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);

/**
 * The outputs of `stack` ("staging", or "org/project/stack") through a StackReference, read
 * before any resource is created; empty for a stack never updated.
 */
export async function readStackState(resourceName: string, stack: string): Promise<StackState> {
    const name = stack.includes("/") ? stack : `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`;
    const ref = new pulumi.StackReference(resourceName, { name });
    const [image, versions, url, verified] = await Promise.all(
        ["image", "migrationVersions", "migratorDatabaseUrl", "verifiedImages"].map((output) =>
            ref.getOutputDetails(output),
        ),
    );
    const text = (details: pulumi.StackReferenceOutputDetails | undefined) => {
        const value: unknown = details?.value ?? details?.secretValue;
        return typeof value === "string" ? value : undefined;
    };
    return {
        image: text(image),
        migrationVersions: strings(versions?.value),
        migratorDatabaseUrl: text(url),
        verifiedImages: strings(verified?.value),
    };
}

/**
 * What a self-service stack's last update shipped to each environment (its `environments`
 * output: image and migration versions by "<team>-<app>"), so each request's contracts are
 * checked as the environment program checks a stack's; empty for a stack never updated.
 */
export async function readShippedEnvironments(
    resourceName: string,
    stack: string,
): Promise<Map<string, ShippedRelease>> {
    const ref = new pulumi.StackReference(resourceName, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`,
    });
    const details = await ref.getOutputDetails("environments");
    const shipped = new Map<string, ShippedRelease>();
    const environments: unknown = details?.value;
    if (typeof environments !== "object" || environments === null) return shipped;
    for (const [key, value] of Object.entries(environments as Record<string, unknown>)) {
        const entry = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
        const versions = strings(entry.migrationVersions);
        if (typeof entry.image === "string" && versions !== undefined)
            shipped.set(key, { image: entry.image, versions });
    }
    return shipped;
}

// libpq's sslmode in node-postgres' terms: "require" encrypts without checking the certificate, "verify-*" checks it.
function ssl(sslmode: string): boolean | { rejectUnauthorized: boolean } {
    if (sslmode === "disable") return false;
    return sslmode.startsWith("verify-") ? { rejectUnauthorized: true } : { rejectUnauthorized: false };
}

/**
 * The releases the environment's PostSync smoke check verified (`migrate_first.verified_release`),
 * newest first, read as the migrator over the host Pulumi reaches (`database.host`). A database
 * without the table yet has verified nothing.
 */
export async function readVerifiedImages(spec: EnvironmentSpec, migratorUrl: string): Promise<string[]> {
    const url = new URL(migratorUrl);
    const client = new Client({
        host: spec.database.host,
        port: spec.database.port,
        database: decodeURIComponent(url.pathname.slice(1)),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        ssl: ssl(spec.database.sslmode),
        connectionTimeoutMillis: 5000,
        statement_timeout: 5000,
        application_name: "migrate-first pulumi",
    });
    await client.connect();
    try {
        const exists = await client.query<{ found: boolean }>(
            "SELECT to_regclass('migrate_first.verified_release') IS NOT NULL AS found",
        );
        if (exists.rows[0]?.found !== true) return [];
        const rows = await client.query<{ release: string }>(
            "SELECT release FROM migrate_first.verified_release GROUP BY release ORDER BY max(verified_at) DESC",
        );
        return rows.rows.map((r) => r.release);
    } finally {
        await client.end();
    }
}
