-- API bearer tokens, and the client address of each sign-in attempt.
-- A token is shown once when it is issued; only its SHA-256 is stored, so a copy of the
-- database cannot be used to call the API. Tokens are revoked, never deleted.
-- Sign-in attempts gain the client address, so that many failures from one address are
-- throttled as well as many failures for one account.
-- Keep in step with ../../sqlite/migrations/0010_api_tokens.sql (a test checks the columns).

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users (id),
    label         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

ALTER TABLE sign_in_attempts ADD COLUMN address TEXT;
CREATE INDEX sign_in_attempts_by_address ON sign_in_attempts (address, at);
