-- The SQL release 1's code runs: writes both columns, reads either.
INSERT INTO users (email, is_email_confirmed, email_verified) VALUES ('r1-' || gen_random_uuid() || '@example.test', true, true);
SELECT id, email FROM users WHERE coalesce(email_verified, is_email_confirmed) ORDER BY id LIMIT 10;
