-- Release 1 expands: a new column with a constant default (no table rewrite), filled from
-- the old one. The code of release 1 writes both and reads either, so release 0's code
-- still works against this schema.
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified boolean DEFAULT false;
UPDATE users SET email_verified = is_email_confirmed WHERE email_verified IS DISTINCT FROM is_email_confirmed;
