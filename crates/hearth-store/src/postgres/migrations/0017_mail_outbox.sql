-- E-mail notification of urgent items (issue 6). A row says only whom to tell and why (a reason
-- code); the address is read from the person's account when the mail is sent, and the words
-- come from fixed texts, so no clinical detail is ever stored here or sent. A node claims a row
-- before sending it (claimed_at), so several nodes do not send the same mail; a failed attempt
-- is retried, up to five attempts.
-- Keep in step with ../../sqlite/migrations/0017_mail_outbox.sql (a test checks the columns).
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    practitioner_id TEXT NOT NULL REFERENCES practitioners (id),
    reason          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    claimed_at      BIGINT,
    sent_at         BIGINT,
    attempts        BIGINT NOT NULL,
    last_error      TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (created_at) WHERE sent_at IS NULL;
