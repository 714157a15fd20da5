-- migrate-first: contract completes 2
-- Release 2 contracts: no running code reads is_email_confirmed any more. The runner
-- applies this only after the release that applied 0002 was deployed and verified.
ALTER TABLE users DROP COLUMN IF EXISTS is_email_confirmed;
