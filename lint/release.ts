import type { DirectoryReport } from "./lint";

/** What the stack's last `pulumi up` shipped: its image and the versions of its migration files. */
export interface ShippedRelease {
    readonly image: string;
    readonly versions: readonly string[];
}

/** A contract the runtime ledger would refuse, in the words migrate.sh uses. */
export interface ReleaseViolation {
    readonly message: string;
    readonly hint: string;
}

/**
 * The contracts of `release` that the PreSync Job's ledger would refuse, seen before any
 * resource exists: a contract whose expand is new in this release too, or whose expand the
 * same image already shipped. Without a previous release (a new stack, so a new database)
 * there is no old code to protect, as at run time. Whether the previous release was verified
 * only the database knows; the runtime checks that.
 */
export function releaseViolations(
    report: DirectoryReport,
    release: string,
    previous: ShippedRelease | undefined,
): ReleaseViolation[] {
    if (previous === undefined) return [];
    const shipped = new Set(previous.versions);
    const byVersion = new Map(report.files.map((f) => [f.version, f]));
    const violations: ReleaseViolation[] = [];
    for (const file of report.files) {
        if (file.phase.kind !== "contract" || file.version === undefined || shipped.has(file.version)) continue;
        const expand = byVersion.get(file.phase.completes);
        if (expand?.version === undefined) continue; // the linter's contract-without-expand says so
        if (!shipped.has(expand.version)) {
            violations.push({
                message: `${file.file} completes ${expand.file}, which arrives in this same release (${release}): the old version still running needs what the expand keeps`,
                hint: `deploy a release with ${expand.file} alone, let its PostSync smoke check verify it, then ship ${file.file} in a later release`,
            });
        } else if (previous.image === release) {
            violations.push({
                message: `${file.file} completes ${expand.file}, which this same release (${release}) applied: the old version may still be running`,
                hint: `ship ${file.file} in a release after ${release}, once that one is verified`,
            });
        }
    }
    return violations;
}
