import type { Rule } from "../rule";
import { rule } from "../rule";

/** Style: schema choices that hurt later. */
export const styleRules: readonly Rule[] = [
    rule(
        "prefer-bigint-over-int",
        "warning",
        "style",
        "squawk",
        "a 32-bit integer key runs out at 2.1 billion, and widening it later rewrites the table",
        "bigint",
    ),
    rule(
        "prefer-bigint-over-smallint",
        "warning",
        "style",
        "squawk",
        "a smallint runs out at 32767, and widening it later rewrites the table",
        "bigint",
    ),
    rule(
        "prefer-identity",
        "warning",
        "style",
        "squawk",
        "serial types make ownership and permissions of the sequence awkward",
        "bigint GENERATED ALWAYS AS IDENTITY",
    ),
    rule(
        "prefer-text-field",
        "warning",
        "style",
        "squawk",
        "changing a varchar(n) limit later takes an ACCESS EXCLUSIVE lock",
        "text with a CHECK (length(col) <= n) constraint",
    ),
    rule(
        "prefer-timestamptz",
        "warning",
        "style",
        "squawk",
        "timestamp without time zone silently drops the offset",
        "timestamptz",
    ),
    rule(
        "ban-char-field",
        "warning",
        "style",
        "squawk",
        "char(n) pads with spaces and is no faster",
        "text or varchar",
    ),
    rule(
        "prefer-jsonb",
        "warning",
        "style",
        "strong_migrations: adding a json column",
        "json has no equality operator: SELECT DISTINCT and some queries on the table fail",
        "jsonb",
    ),
    rule(
        "index-too-many-columns",
        "warning",
        "style",
        "strong_migrations: keep non-unique indexes to three columns or fewer",
        "wide non-unique indexes are large and rarely used beyond their first columns",
        "index at most three columns, most selective first",
    ),
];
