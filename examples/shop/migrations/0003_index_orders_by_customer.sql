-- migrate-first: no-transaction
-- Built without blocking writes to orders. IF NOT EXISTS makes a retry after a
-- successful build a no-op (Argo CD re-runs the hook on every sync retry).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id ON orders (customer_id);
