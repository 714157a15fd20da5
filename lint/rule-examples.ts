// The safe way of each rule whose advice is SQL, as a file Postgres parses and the linter
// passes (test/lint-peer-parsing.test.ts holds both): advice a reader can run. Headers are
// part of the example where the safe way needs one.
const noTx = "-- migrate-first: no-transaction\n";
const contract = "-- migrate-first: contract completes 7\n";

export const ruleExamples: Readonly<Record<string, string>> = {
    "require-concurrent-index-creation": `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);`,
    "require-concurrent-index-deletion": `${noTx}DROP INDEX CONCURRENTLY IF EXISTS users_email;`,
    "require-concurrent-reindex": `${noTx}REINDEX INDEX CONCURRENTLY users_email;`,
    "require-concurrent-partition-detach": `${noTx}ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;`,
    "adding-foreign-key-constraint":
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
    "constraint-missing-not-valid":
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;",
    "validate-in-same-transaction": "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
    "disallowed-unique-constraint":
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
    "adding-primary-key-constraint":
        "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_key;",
    "adding-field-with-default":
        "ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();",
    "adding-stored-generated-column":
        "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) VIRTUAL;",
    "adding-serial-primary-key-field": "ALTER TABLE users ADD COLUMN seq bigint;",
    "changing-column-type": "ALTER TABLE users ADD COLUMN age_big bigint;",
    "adding-not-nullable-field":
        "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;",
    "ban-vacuum-full": `${noTx}VACUUM (ANALYZE) users;`,
    "require-concurrent-refresh": "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;",
    "ban-alter-domain-with-add-constraint":
        "ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0) NOT VALID;",
    "ban-create-domain-with-constraint":
        "ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0) NOT VALID;",
    "ban-drop-column": `${contract}ALTER TABLE users DROP COLUMN is_email_confirmed;`,
    "ban-drop-table": `${contract}DROP TABLE legacy_sessions;`,
    "ban-drop-schema-object": `${contract}DROP SEQUENCE legacy_ids;`,
    "ban-drop-constraint": `${contract}ALTER TABLE users DROP CONSTRAINT users_legacy_check;`,
    "renaming-column": "ALTER TABLE users ADD COLUMN full_name text;",
    "renaming-table": "CREATE VIEW customers AS SELECT * FROM users;",
    "ban-drop-not-null": `${contract}ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;`,
    "ban-drop-default": `${contract}ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;`,
    "adding-required-field": "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
    "ban-truncate": `${contract}DELETE FROM sessions WHERE created_at < now() - interval '90 days';`,
    "transaction-nesting": "CREATE TABLE IF NOT EXISTS audit (id bigint);",
    "ban-concurrent-index-creation-in-transaction": `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);`,
    "prefer-robust-stmts": `${noTx}CREATE TABLE IF NOT EXISTS audit (id bigint);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);\nALTER TABLE users ADD COLUMN IF NOT EXISTS note text;\nALTER TABLE users DROP CONSTRAINT IF EXISTS users_note_check;\nALTER TABLE users ADD CONSTRAINT users_note_check CHECK (length(note) < 100) NOT VALID;\nCREATE OR REPLACE VIEW active_users AS SELECT * FROM users;\nDROP INDEX CONCURRENTLY IF EXISTS users_old;`,
    "require-enum-value-ordering": "ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';",
    "prefer-bigint-over-int": "CREATE TABLE accounts (id bigint);",
    "prefer-bigint-over-smallint": "CREATE TABLE accounts (rank bigint);",
    "prefer-identity": "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY);",
    "prefer-text-field": "CREATE TABLE accounts (name text CHECK (length(name) <= 20));",
    "prefer-timestamptz": "CREATE TABLE accounts (created_at timestamptz);",
    "ban-char-field": "CREATE TABLE accounts (code text);",
    "prefer-jsonb": "CREATE TABLE accounts (doc jsonb);",
    "index-too-many-columns": `${noTx}CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_lookup ON orders (customer_id, created_at, status);`,
    "require-lock-timeout": "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN note text;",
    "require-statement-timeout": "SET statement_timeout = '5min';\nALTER TABLE users ADD COLUMN note text;",
    "require-table-schema": "ALTER TABLE public.users ADD COLUMN note text;",
    "ban-duplicate-column-assignments": "UPDATE users SET plan = 'free', note = NULL WHERE id = 1;",
    "contract-without-expand": `${contract}ALTER TABLE users DROP COLUMN legacy;`,
};
