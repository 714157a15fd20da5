import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { readHeader } from "./header";
import type { FileContext, Hit } from "./inspect";
import { inspect } from "./inspect";
import { NotNullChecks } from "./not-null-proof";
import { identifierBytes, parseStatements } from "./parse";
import type { Rule, StatementClass } from "./rules";
import { ruleExamples } from "./rule-examples";
import { optInGroups, rules } from "./rules";

/** A file's phase, from its header: expand (the default), or the contract that completes an expand. */
export type Phase = { readonly kind: "expand" } | { readonly kind: "contract"; readonly completes: string };

export interface Finding {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly rule: string;
    /** "allowed": an opt-out with a written reason covers it. */
    readonly severity: "error" | "warning" | "allowed";
    readonly kind: Rule["kind"];
    readonly what: string;
    readonly why: string;
    readonly safe: string;
    /** The opt-out's reason, or why a contract is allowed here. */
    readonly reason?: string;
    /** The safe way as SQL that parses and lints clean, where the rule has one (lint/rule-examples.ts). */
    readonly example?: string;
}

export interface FileReport {
    readonly file: string;
    /** The version (leading zeros dropped), or undefined for a misnamed file. */
    readonly version?: string;
    readonly phase: Phase;
    readonly transactional: boolean;
    readonly statements: readonly {
        readonly line: number;
        readonly type: string;
        readonly classes: readonly StatementClass[];
    }[];
    readonly findings: readonly Finding[];
}

interface Allow {
    readonly rule: string;
    readonly reason: string;
}

// A directive before a statement after the first (only "allow" may stand there).
const directivePattern = /^--[ \t\r]*migrate-first:[ \t\r]*(.*)$/i;

/** The version of a migration file name, as the runner reads it; undefined if the name is not one. */
export function fileVersion(name: string): string | undefined {
    const match = /^([0-9]+)_[A-Za-z0-9_.-]*\.sql$/.exec(name);
    return match?.[1] === undefined ? undefined : match[1].replace(/^0+(?=.)/, "");
}

/** What a lint knows beyond the file itself. */
export interface LintOptions {
    /** The CHECK (col IS NOT NULL) constraints of the files applied before this one. @default - none */
    readonly notNullChecks?: NotNullChecks;
    /** Opt-in rules to turn on (rules.ts marks them optIn), or a group of them (optInGroups: require-timeout-settings). @default - none */
    readonly enable?: readonly string[];
}

/** Lints one migration file. `parseStatements` needs `loadParser()` to have finished. */
export function lintFile(file: string, sql: string, options: LintOptions = {}): FileReport {
    const findings: Finding[] = [];
    const finding = (line: number, column: number, hit: Hit, severity?: Finding["severity"], reason?: string) => {
        const rule = rules[hit.rule];
        if (rule === undefined) throw new Error(`no rule ${hit.rule}`);
        findings.push({
            file,
            line,
            column,
            rule: rule.id,
            severity: severity ?? rule.severity,
            kind: rule.kind,
            what: hit.what,
            why: rule.why,
            safe: hit.safe ?? rule.safe,
            ...(hit.safe === undefined && ruleExamples[rule.id] !== undefined
                ? { example: ruleExamples[rule.id] }
                : {}),
            ...(reason === undefined ? {} : { reason }),
        });
    };
    const enabled = (options.enable ?? []).flatMap((id) => optInGroups[id] ?? [id]);
    for (const id of enabled)
        if (rules[id]?.optIn !== true)
            throw new Error(
                `"${id}" is not an opt-in rule; the opt-in rules are ${Object.values(rules)
                    .filter((r) => r.optIn === true)
                    .map((r) => r.id)
                    .concat(Object.keys(optInGroups))
                    .join(", ")}`,
            );
    const version = fileVersion(file);
    if (version === undefined)
        finding(1, 1, { rule: "file-name", what: `${file} is not named <version>_<description>.sql` });

    // psql skips a byte order mark; the parser would not.
    const parsed = parseStatements(sql.replace(/^\uFEFF/, ""));
    if (!parsed.ok) {
        finding(parsed.line, parsed.column, { rule: "syntax-error", what: parsed.message });
        return {
            file,
            ...(version === undefined ? {} : { version }),
            phase: { kind: "expand" },
            transactional: true,
            statements: [],
            findings,
        };
    }
    // The header, read by the grammar the runner reads it with (lint/header.ts).
    const header = readHeader(sql);
    let phase: Phase = { kind: "expand" };
    let transactional = true;
    const fileAllows: Allow[] = [];
    const readAllow = (text: string, line: number): Allow | undefined => {
        const match = /^allow\s+(\S+)(?:\s+because\s+(.*\S))?\s*$/.exec(text);
        if (match === null) return undefined;
        const [, rule = "", reason] = match;
        if (rules[rule] === undefined)
            finding(line, 1, { rule: "bad-directive", what: `"allow ${rule}" names no rule` });
        else if (reason === undefined)
            finding(line, 1, {
                rule: "bad-directive",
                what: `"allow ${rule}" gives no reason; write "allow ${rule} because <why it is safe here>"`,
            });
        else return { rule, reason };
        return undefined;
    };
    for (const line of header.inBlockComments) {
        finding(line, 1, {
            rule: "bad-directive",
            what: "a migrate-first: directive in a /* */ comment, which the runner refuses; write it as a -- line",
        });
    }
    let phases = 0;
    for (const { line, text } of header.directives) {
        const contract = /^contract(?:\s+completes\s+([0-9]+))?$/.exec(text);
        if (text === "no-transaction") transactional = false;
        else if (text === "expand" || contract !== null) {
            // The runner refuses a header that says expand and contract, or contract twice: so does the linter.
            if (++phases > 1 && (contract !== null || phase.kind === "contract"))
                finding(line, 1, {
                    rule: "bad-directive",
                    what: "the header says both expand and contract, or contract twice; keep the one that is meant",
                });
            if (contract === null) phase = { kind: "expand" };
            else {
                if (contract[1] === undefined)
                    finding(line, 1, {
                        rule: "contract-without-expand",
                        what: "the header says contract but names no expand",
                    });
                phase = { kind: "contract", completes: (contract[1] ?? "").replace(/^0+(?=.)/, "") };
            }
        } else if (text.startsWith("allow")) {
            const allow = readAllow(text, line);
            if (allow !== undefined) fileAllows.push(allow);
        } else finding(line, 1, { rule: "bad-directive", what: `unknown directive "-- migrate-first: ${text}"` });
    }

    for (const long of parsed.longIdentifiers) {
        finding(long.line, long.column, {
            rule: "identifier-too-long",
            what: `${long.text.slice(0, 24)}… is ${identifierBytes(long.text)} bytes; Postgres keeps 63`,
        });
    }
    const context: FileContext = {
        createdTables: new Set(),
        notValid: new Set(),
        notNullChecks: options.notNullChecks ?? new NotNullChecks(),
        droppedInFile: NotNullChecks.droppedIn(parsed.statements),
        constraintsSeen: new Map(),
        transactional,
        enabled: new Set(enabled),
        timeouts: { lock: "missing", statement: "missing" },
    };
    const statements = parsed.statements.map((statement, index) => {
        const allows = [...fileAllows];
        if (index > 0) {
            for (const comment of statement.leadingComments) {
                const text = directivePattern.exec(comment)?.[1]?.trim();
                if (text === undefined) continue;
                const allow = readAllow(text, statement.line);
                if (allow !== undefined) allows.push(allow);
                else if (!text.startsWith("allow"))
                    finding(statement.line, 1, {
                        rule: "bad-directive",
                        what: `only "allow <rule-id> because <reason>" may annotate a statement, not "${text}"`,
                    });
            }
        }
        const hits = inspect(statement, context);
        const classes = new Set<StatementClass>();
        for (const hit of hits) {
            const rule = rules[hit.rule];
            if (rule?.kind === "contract") classes.add("contract");
            if (rule?.kind === "blocking") classes.add("blocking");
            const allow = allows.find((a) => a.rule === hit.rule);
            if (allow !== undefined) finding(statement.line, statement.column, hit, "allowed", allow.reason);
            else if (rule?.kind === "contract" && phase.kind === "contract" && hit.rule !== "ban-drop-database")
                finding(
                    statement.line,
                    statement.column,
                    hit,
                    "allowed",
                    `contract file completing ${phase.completes}`,
                );
            else finding(statement.line, statement.column, hit);
        }
        if (classes.size === 0) classes.add("expand");
        return { line: statement.line, type: statement.type, classes: [...classes] };
    });
    return { file, ...(version === undefined ? {} : { version }), phase, transactional, statements, findings };
}

export interface DirectoryReport {
    readonly files: readonly FileReport[];
    readonly findings: readonly Finding[];
    readonly statements: number;
    readonly errors: number;
}

// Misnamed files (no version) last, as the runner never applies them.
function compareVersions(a: string | undefined, b: string | undefined): number {
    if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
}

/** Lints every `*.sql` file in a directory, then checks each contract against the expand it names. */
export function lintDirectory(dir: string, options: Pick<LintOptions, "enable"> = {}): DirectoryReport {
    const names = readdirSync(dir)
        .filter((name) => name.endsWith(".sql"))
        .sort();
    // In the order the runner applies them (by version), so each file sees what the earlier
    // ones established; reported in name order.
    const notNullChecks = new NotNullChecks();
    const byName = new Map(
        [...names]
            .sort((a, b) => compareVersions(fileVersion(a), fileVersion(b)) || (a < b ? -1 : a > b ? 1 : 0))
            .map((name) => [
                name,
                lintFile(name, readFileSync(join(dir, name), "utf8"), { ...options, notNullChecks }),
            ]),
    );
    const files = names.map((name) => byName.get(name) as FileReport);
    const byVersion = new Map(files.filter((f) => f.version !== undefined).map((f) => [f.version, f]));
    const extra: Finding[] = [];
    for (const file of files) {
        if (file.phase.kind !== "contract" || file.phase.completes === "") continue;
        const expand = byVersion.get(file.phase.completes);
        const problem =
            expand === undefined
                ? `it completes ${file.phase.completes}, but no file has that version`
                : expand.phase.kind === "contract"
                  ? `it completes ${expand.file}, which is itself a contract`
                  : BigInt(file.phase.completes) >= BigInt(file.version ?? "0")
                    ? `it completes ${expand.file}, which does not come before it`
                    : undefined;
        if (problem !== undefined) {
            const rule = rules["contract-without-expand"];
            extra.push({
                file: file.file,
                line: 1,
                column: 1,
                rule: rule.id,
                severity: "error",
                kind: rule.kind,
                what: problem,
                why: rule.why,
                safe: rule.safe,
            });
        }
    }
    const findings = [...files.flatMap((f) => f.findings), ...extra];
    return {
        files,
        findings,
        statements: files.reduce((n, f) => n + f.statements.length, 0),
        errors: findings.filter((f) => f.severity === "error").length,
    };
}
