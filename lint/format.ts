import type { DirectoryReport, Finding } from "./lint";

/** `file:line:col rule-id severity: what is wrong — why it hurts — the safe way`, plus the reason of an opt-out. */
export function formatFinding(f: Finding): string {
    const base = `${f.file}:${f.line}:${f.column} ${f.rule} ${f.severity}: ${f.what} — ${f.why} — ${f.safe}`;
    return f.reason === undefined ? base : `${base} (allowed: ${f.reason})`;
}

export function formatText(report: DirectoryReport): string {
    const counts = (severity: Finding["severity"]) => report.findings.filter((f) => f.severity === severity).length;
    return [
        ...report.findings.map(formatFinding),
        `${report.files.length} file(s), ${report.statements} statement(s): ${counts("error")} error(s), ${counts("warning")} warning(s), ${counts("allowed")} allowed`,
    ].join("\n");
}

export function formatJson(report: DirectoryReport): string {
    return JSON.stringify(report, null, 2);
}
