-- The SQL release 2's code runs: the new column only.
INSERT INTO users (email, email_verified) VALUES ('r2-' || gen_random_uuid() || '@example.test', true);
SELECT id, email FROM users WHERE email_verified ORDER BY id LIMIT 10;
