-- The SQL release 0's code runs.
INSERT INTO users (email, is_email_confirmed) VALUES ('r0-' || gen_random_uuid() || '@example.test', true);
SELECT id, email FROM users WHERE is_email_confirmed ORDER BY id LIMIT 10;
UPDATE users SET is_email_confirmed = false WHERE email LIKE 'nobody-%';
