/**
 * The header grammar of a migration file, read the same way by the linter and by the runner
 * (`scan_program` in runtime/lib.sh; test/header-grammar.test.ts holds the two to it):
 * - a UTF-8 byte order mark at the start is ignored (psql skips it too);
 * - the header is every blank and comment (`--` to the end of the line, nested block
 *   comments) before the first SQL token;
 * - a directive is a `--` comment in the header whose text, after blanks, starts with
 *   `migrate-first:` in any case, wherever on its line the comment starts; its text is
 *   what follows the colon, without the blanks around it;
 * - `migrate-first:` in a block comment is refused: it would read as a directive and be none.
 * Blanks are space, tab, carriage return, form feed and vertical tab, as for psql.
 */
export interface HeaderDirective {
    /** 1-based line of the comment. */
    readonly line: number;
    readonly text: string;
}

export interface Header {
    readonly directives: readonly HeaderDirective[];
    /** Lines of block comments that hold `migrate-first:`. */
    readonly inBlockComments: readonly number[];
}

const blank = /^[ \t\r\f\v]+/;
const directive = /^[ \t\r]*migrate-first:/i;

/** The header's directives, as the runner reads them. */
export function readHeader(sql: string): Header {
    const lines = sql.replace(/^\uFEFF/, "").split("\n");
    const directives: HeaderDirective[] = [];
    const inBlockComments: number[] = [];
    let depth = 0;
    for (const [index, text] of lines.entries()) {
        let rest = text;
        while (rest !== "") {
            if (depth > 0) {
                const next = /\/\*|\*\//.exec(rest);
                const inside = next === null ? rest : rest.slice(0, next.index);
                if (/migrate-first:/i.test(inside) && !inBlockComments.includes(index + 1))
                    inBlockComments.push(index + 1);
                if (next === null) break;
                depth += next[0] === "/*" ? 1 : -1;
                rest = rest.slice(next.index + 2);
            } else if (blank.test(rest)) {
                rest = rest.replace(blank, "");
            } else if (rest.startsWith("--")) {
                const comment = rest.slice(2);
                if (directive.test(comment))
                    directives.push({
                        line: index + 1,
                        text: comment.replace(/^[ \t\r]*[^:]*:[ \t\r]*/, "").replace(/[ \t\r]+$/, ""),
                    });
                break;
            } else if (rest.startsWith("/*")) {
                depth = 1;
                rest = rest.slice(2);
            } else {
                return { directives, inBlockComments };
            }
        }
    }
    return { directives, inBlockComments };
}
