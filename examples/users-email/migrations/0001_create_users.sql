-- Release 0: the schema the old code was written for.
CREATE TABLE IF NOT EXISTS users (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text NOT NULL UNIQUE,
    is_email_confirmed boolean NOT NULL DEFAULT false
);
