-- Talking together about a patient (issue 6): conversations addressed to people, roles or
-- services of the care team; messages with urgency and a reply-by time; a read receipt per
-- recipient (a person, or a whole service whose first reader reads for it); and "let's talk"
-- requests that become scheduled calls. Rows are never deleted: a call is cancelled, not removed.
-- Keep in step with ../../postgres/migrations/0014_conversations.sql (a test checks the columns).
CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    topic           TEXT NOT NULL,
    started_by      TEXT NOT NULL REFERENCES practitioners (id),
    addressed_to    TEXT NOT NULL,
    started_at      BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL
);
CREATE INDEX conversations_by_patient ON conversations (patient_id, last_message_at);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    author_id       TEXT NOT NULL REFERENCES practitioners (id),
    body            TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    reply_by        BIGINT,
    section         TEXT,
    sent_at         BIGINT NOT NULL,
    escalated_at    BIGINT
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, sent_at);
CREATE INDEX messages_awaiting_reply ON messages (reply_by)
    WHERE reply_by IS NOT NULL AND escalated_at IS NULL;

-- recipient_kind is 'practitioner' or 'service' (recipient_id an organisation).
CREATE TABLE message_receipts (
    message_id      TEXT NOT NULL REFERENCES messages (id),
    recipient_kind  TEXT NOT NULL,
    recipient_id    TEXT NOT NULL,
    read_at         BIGINT,
    read_by         TEXT REFERENCES practitioners (id),
    PRIMARY KEY (message_id, recipient_kind, recipient_id)
);
CREATE INDEX message_receipts_by_recipient ON message_receipts (recipient_id, recipient_kind, read_at);

-- proposed holds the proposed times as milliseconds, comma-separated, earliest first.
CREATE TABLE talk_requests (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    requested_by    TEXT NOT NULL REFERENCES practitioners (id),
    mode            TEXT NOT NULL,
    proposed        TEXT NOT NULL,
    state           TEXT NOT NULL,
    scheduled_at    BIGINT,
    agreed_by       TEXT REFERENCES practitioners (id),
    outcome         TEXT,
    outcome_by      TEXT REFERENCES practitioners (id),
    created_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX talk_requests_by_conversation ON talk_requests (conversation_id);
CREATE INDEX talk_requests_by_time ON talk_requests (scheduled_at);
