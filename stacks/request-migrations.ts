// The migration gate for self-service: every request's migrations pass the same check as a
// stack's (lint/gate.ts) before any environment is created or rendered, all or nothing.
import { checkMigrations } from "../lint";
import { Requested, SelfServiceError } from "./requests";

/**
 * Lints each SQL-mode request's migrations; throws a SelfServiceError naming every request
 * whose files are missing or would be refused. Returns the warnings, each with its file.
 */
export async function checkRequestedMigrations(requested: readonly Requested[], projectDir: string): Promise<string[]> {
    const warnings: string[] = [];
    const bad: { file: string; problems: string[] }[] = [];
    for (const { file, spec } of requested) {
        const check = await checkMigrations(spec, projectDir, { directoryFix: "set migration.directory in the request" });
        warnings.push(...check.warnings.map((w) => `${file}: ${w}`));
        if (check.errors.length === 0) continue;
        const problems = check.report === undefined ? [...check.errors] : check.errors.map((e) => `in the migrations at ${check.directory}: ${e}`);
        bad.push({ file, problems });
    }
    if (bad.length > 0) throw new SelfServiceError(bad, requested.length);
    return warnings;
}
