-- The payments team's migrations, as its checkout image ships them at /app/migrations.
-- The platform's gate lints them before the environment is created or rendered.
CREATE TABLE payments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_ref text NOT NULL,
    amount_cents bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
