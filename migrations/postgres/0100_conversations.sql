-- The conversation engine's state: one document per request, changed only by compare-and-set on
-- its revision, so that double clicks and retries cannot move a request twice.
CREATE TABLE conversations (
    request_id   TEXT    PRIMARY KEY,
    revision     BIGINT  NOT NULL,
    stage        TEXT    NOT NULL,
    platform     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    thread       TEXT    NOT NULL,
    expires_at   BIGINT,
    doc          TEXT    NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX conversations_by_thread ON conversations (platform, channel, thread);
CREATE INDEX conversations_by_stage ON conversations (stage, expires_at);

-- One change at a time per service and environment.
CREATE TABLE change_locks (
    lock_key    TEXT    PRIMARY KEY,
    request_id  TEXT    NOT NULL,
    holder      TEXT    NOT NULL,
    taken_at    BIGINT  NOT NULL
);

-- What each deployment created, as the executor recorded it (its ledger): the source for
-- resuming, verifying and rolling back a request.
CREATE TABLE deployed_resources (
    request_id   TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    physical_id  TEXT    NOT NULL,
    attributes   TEXT    NOT NULL,
    depends_on   TEXT    NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (request_id, address)
);

-- Deliveries from chat platforms already handled (Slack event ids, Discord interaction ids).
CREATE TABLE seen_deliveries (
    id          TEXT    PRIMARY KEY,
    seen_at     BIGINT  NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON conversations, change_locks, deployed_resources, seen_deliveries TO paved_app;
