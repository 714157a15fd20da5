// psql reads the lines after `COPY ... FROM STDIN;` as data, up to a line `\.`, and the runner's
// scanner (scan_program in runtime/lib.sh) does the same. The Postgres parser would read them as
// SQL and fail: they are blanked out, newlines kept, so every position after them stays put.

/** The text with COPY ... FROM STDIN data (and its `\.` line) replaced by spaces. */
export function blankCopyData(sql: string): string {
    // Most files have no COPY at all: skip the scan.
    if (!/copy/i.test(sql) || !/stdin/i.test(sql)) return sql;
    const out: string[] = [];
    let words: string[] = [];
    let paren = 0;
    let copying = false;
    let i = 0;
    const n = sql.length;
    const skipTo = (end: number) => {
        out.push(sql.slice(i, end));
        i = end;
    };
    while (i < n) {
        const c = sql[i] ?? "";
        if (c === "\n") {
            skipTo(i + 1);
            if (!copying) continue;
            copying = false;
            // Data lines, blanked, up to and with the `\.` line (or to the end, as psql reads it).
            for (;;) {
                if (i >= n) break;
                const newline = sql.indexOf("\n", i);
                const end = newline === -1 ? n : newline;
                const line = sql.slice(i, end);
                out.push(line.replace(/[^\r]/g, " "));
                i = end;
                if (/^\\\.\r?$/.test(line)) break;
                if (newline !== -1) skipTo(i + 1);
            }
            continue;
        }
        if (sql.startsWith("--", i)) {
            const end = sql.indexOf("\n", i);
            skipTo(end === -1 ? n : end);
        } else if (sql.startsWith("/*", i)) {
            let depth = 0;
            let j = i;
            while (j < n) {
                if (sql.startsWith("/*", j)) {
                    depth++;
                    j += 2;
                } else if (sql.startsWith("*/", j)) {
                    j += 2;
                    if (--depth === 0) break;
                } else j++;
            }
            skipTo(j);
        } else if (c === "'" || c === '"') {
            // A backslash escapes the quote only in E'...' strings.
            const escapes = c === "'" && /(?:^|[^\w$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i));
            let j = i + 1;
            while (j < n) {
                if (escapes && sql[j] === "\\") j += 2;
                else if (sql[j] === c && sql[j + 1] === c) j += 2;
                else if (sql[j] === c) break;
                else j++;
            }
            skipTo(Math.min(n, j + 1));
        } else if (c === "$" && /^\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/.test(sql.slice(i, i + 64))) {
            const tag = /^\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i, i + 64))?.[0] ?? "$$";
            const end = sql.indexOf(tag, i + tag.length);
            skipTo(end === -1 ? n : end + tag.length);
        } else if (c === "(" || c === ")") {
            paren = Math.max(0, paren + (c === "(" ? 1 : -1));
            skipTo(i + 1);
        } else if (c === ";") {
            if (paren === 0) {
                const upper = words.map((w) => w.toUpperCase());
                copying ||= upper[0] === "COPY" && upper.some((w, k) => w === "FROM" && upper[k + 1] === "STDIN");
                words = [];
            }
            skipTo(i + 1);
        } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
            const word = /^[A-Za-z_\u0080-\uffff][A-Za-z_0-9$\u0080-\uffff]*/.exec(sql.slice(i, i + 256))?.[0] ?? c;
            if (paren === 0 && words.length < 12) words.push(word);
            skipTo(i + word.length);
        } else skipTo(i + 1);
    }
    return out.join("");
}
