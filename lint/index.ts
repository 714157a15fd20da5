export { loadParser, parseStatements, Statement } from "./parse";
export { lintDirectory, lintFile, fileVersion, DirectoryReport, FileReport, Finding, LintOptions, Phase } from "./lint";
export { formatFinding, formatJson, formatText } from "./format";
export { optInGroups, rules, Rule, LockMode, lockModes, StatementClass } from "./rules";
export { releaseViolations, ReleaseViolation, ShippedRelease } from "./release";
export { checkMigrations, migrationCheckMessage, shippedVersions, MigrationCheck } from "./gate";
