// ALTER TABLE forms that rewrite (or copy) every row under ACCESS EXCLUSIVE, beyond the ones
// other rules own (ADD COLUMN with a volatile default or STORED, ALTER COLUMN TYPE): the
// AT_REWRITE_* reasons of Postgres's tablecmds.c, and SET TABLESPACE, which copies every block.
import type { Node } from "./parse";
import { str } from "./tree";

const forms: Readonly<Record<string, (cmd: Node) => string>> = {
    AT_SetLogged: () => "SET LOGGED rewrites the table into the WAL",
    AT_SetUnLogged: () => "SET UNLOGGED rewrites the table",
    AT_SetAccessMethod: (cmd) => `SET ACCESS METHOD ${str(cmd.name) || "DEFAULT"} rewrites the table`,
    AT_SetExpression: (cmd) => `ALTER COLUMN ${str(cmd.name)} SET EXPRESSION recomputes a stored column in every row`,
    AT_SetTableSpace: (cmd) => `SET TABLESPACE ${str(cmd.name)} copies every block of the table`,
};

/** What a rewriting ALTER TABLE command does, or undefined when it is not one of these forms. */
export function rewriteForm(cmd: Node): string | undefined {
    return forms[str(cmd.subtype)]?.(cmd);
}
