import { loadModule, parseSync, scanSync } from "libpg-query";
import { blankCopyData } from "./copy-data";

/** A parse-tree node as libpg_query gives it: `{ NodeType: { ...fields } }`. */
export type Node = Readonly<Record<string, unknown>>;

/** One statement of a migration file, located in its text. */
export interface Statement {
    /** The node type, e.g. "AlterTableStmt". */
    readonly type: string;
    /** The node's fields. */
    readonly node: Node;
    /** 1-based line and column of the statement's first token. */
    readonly line: number;
    readonly column: number;
    /** The comment lines just before the statement (where a per-statement opt-out lives). */
    readonly leadingComments: readonly string[];
}

/** An identifier longer than Postgres keeps (63 bytes): the parser has already truncated it. */
export interface LongIdentifier {
    readonly text: string;
    readonly line: number;
    readonly column: number;
}

export type ParseResult =
    | {
          readonly ok: true;
          readonly statements: readonly Statement[];
          readonly longIdentifiers: readonly LongIdentifier[];
      }
    | { readonly ok: false; readonly message: string; readonly line: number; readonly column: number };

let loaded: Promise<void> | undefined;

/** Loads the Postgres parser (WebAssembly) once; every parse waits for it. */
export function loadParser(): Promise<void> {
    loaded ??= loadModule();
    return loaded;
}

interface RawStatement {
    stmt: Node;
    stmt_location?: number;
    stmt_len?: number;
}

// libpg_query reports byte offsets into the UTF-8 text; lines and columns count characters.
function position(bytes: Buffer, offset: number): { line: number; column: number } {
    const before = bytes.subarray(0, offset).toString("utf8");
    const lines = before.split("\n");
    return { line: lines.length, column: (lines[lines.length - 1] ?? "").length + 1 };
}

/** The `--` comment lines in a stretch of text (between two statements). */
function commentLines(text: string): string[] {
    return text
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("--"));
}

/** The first token at or after `offset`, past whitespace and comments. */
function firstToken(text: string, offset: number): number {
    let at = offset;
    for (;;) {
        while (at < text.length && /\s/.test(text[at] ?? "")) at++;
        if (text.startsWith("--", at)) {
            const end = text.indexOf("\n", at);
            at = end === -1 ? text.length : end + 1;
        } else if (text.startsWith("/*", at)) {
            const end = text.indexOf("*/", at + 2);
            at = end === -1 ? text.length : end + 2;
        } else {
            return at;
        }
    }
}

/**
 * The bytes of the name an identifier token stands for: quotes removed, doubled quotes
 * unescaped, and in U&"..." the \XXXX and \+XXXXXX escapes decoded (the default escape character).
 */
export function identifierBytes(token: string): number {
    const unicode = /^u&"(.*)"$/is.exec(token)?.[1];
    if (unicode !== undefined)
        return Buffer.byteLength(
            unicode
                .replaceAll('""', '"')
                .replace(/\\(?:\+([0-9a-fA-F]{6})|([0-9a-fA-F]{4})|\\)/g, (escape, long?: string, short?: string) =>
                    escape === "\\\\" ? "\\" : String.fromCodePoint(parseInt(long ?? short ?? "0", 16)),
                ),
        );
    const quoted = /^"(.*)"$/s.exec(token)?.[1];
    return Buffer.byteLength(quoted === undefined ? token : quoted.replaceAll('""', '"'));
}

/** Parses a whole file with the real Postgres parser (libpg_query, Postgres 18). Call loadParser() first. */
export function parseStatements(text: string): ParseResult {
    const sql = blankCopyData(text);
    const bytes = Buffer.from(sql, "utf8");
    let raw: RawStatement[];
    try {
        raw = (parseSync(sql) as { stmts?: RawStatement[] }).stmts ?? [];
    } catch (error) {
        // libpg_query's cursor is a 0-based character offset (the server's error position less one),
        // so it lands on the token psql's caret points at.
        const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0;
        const where = position(bytes, Buffer.byteLength(Array.from(sql).slice(0, Math.max(0, cursor)).join("")));
        return { ok: false, message: error instanceof Error ? error.message : String(error), ...where };
    }
    // Where a statement starts differs between parser versions (its first token, or just
    // after the previous one); the comments before it lie between the two statements.
    let previousEnd = 0;
    const statements = raw.map((entry): Statement => {
        const startByte = entry.stmt_location ?? 0;
        const start = firstToken(sql, bytes.subarray(0, startByte).toString("utf8").length);
        const between = bytes.subarray(previousEnd, Buffer.byteLength(sql.slice(0, start))).toString("utf8");
        previousEnd = startByte + (entry.stmt_len ?? bytes.length - startByte);
        const [type, node] = Object.entries(entry.stmt)[0] ?? ["Unknown", {}];
        return {
            type,
            node: node as Node,
            ...position(bytes, Buffer.byteLength(sql.slice(0, start))),
            leadingComments: commentLines(between),
        };
    });
    // Postgres truncates long identifiers while scanning, so only the tokens still show them.
    // Scanning costs as much as parsing: only when a long name is possible at all.
    // A quoted name may hold doubled quotes ("a""b"), each one byte of the name.
    const mayHaveLongName = /[\w$]{64,}|"(?:[^"]|""){64,}"|[^\x00-\x7f]/.test(sql);
    const longIdentifiers = !mayHaveLongName
        ? []
        : (scanSync(sql) as { tokens: { start: number; end: number; text: string; tokenName: string }[] }).tokens
              .filter((t) => (t.tokenName === "IDENT" || /^u&"/i.test(t.text)) && identifierBytes(t.text) > 63)
              .map((t) => ({ text: t.text, ...position(bytes, t.start) }));
    return { ok: true, statements, longIdentifiers };
}
