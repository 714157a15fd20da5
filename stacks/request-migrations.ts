// The migration gate for self-service: every request's migrations pass the same check as a
// stack's (lint/gate.ts) before any environment is created or rendered, all or nothing.
import type { ShippedRelease } from "../lint";
import { checkMigrations, shippedVersions } from "../lint";
import type { Requested } from "./requests";
import { SelfServiceError } from "./requests";

/** What the gate found: warnings (each with its file) and each environment's migration versions. */
export interface CheckedRequests {
    readonly warnings: readonly string[];
    /** The versions each SQL-mode environment ships, by "<team>-<app>": the next update checks its contracts against them. */
    readonly versions: ReadonlyMap<string, readonly string[]>;
}

/**
 * Lints each SQL-mode request's migrations and, given what the stack shipped to that environment
 * last, checks its contracts as the runtime ledger will; throws a SelfServiceError naming every
 * request whose files are missing or would be refused.
 */
export async function checkRequestedMigrations(
    requested: readonly Requested[],
    projectDir: string,
    previous: ReadonlyMap<string, ShippedRelease> = new Map(),
): Promise<CheckedRequests> {
    const warnings: string[] = [];
    const versions = new Map<string, readonly string[]>();
    const bad: { file: string; problems: string[] }[] = [];
    for (const { file, key, spec } of requested) {
        const check = await checkMigrations(spec, projectDir, {
            previous: previous.get(key),
            directoryFix: "set migration.directory in the request",
        });
        warnings.push(...check.warnings.map((w) => `${file}: ${w}`));
        if (check.report !== undefined) versions.set(key, shippedVersions(check.report));
        if (check.errors.length === 0) continue;
        const problems =
            check.report === undefined
                ? [...check.errors]
                : check.errors.map((e) => `in the migrations at ${check.directory}: ${e}`);
        bad.push({ file, problems });
    }
    if (bad.length > 0) throw new SelfServiceError(bad, requested.length);
    return { warnings, versions };
}
