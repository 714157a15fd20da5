import { lintFile } from "../../lint";

// Shared by the linter's peer-class tests (test/lint-peer-*.test.ts).
export const noTx = "-- migrate-first: no-transaction\n";
export const contractHeader = "-- migrate-first: contract completes 2\n";

/** Rules that fire (not opted out) on a file. */
export const firing = (sql: string, file = "0002_change.sql") =>
    lintFile(file, sql)
        .findings.filter((f) => f.severity !== "allowed")
        .map((f) => f.rule);
