-- paved's state on SQLite: requests and their plans, verdicts, approvals, deployments, the
-- resource inventory, IPAM, the message queue and the append-only audit trail.
-- Times are milliseconds since the Unix epoch (UTC) unless a column says otherwise.

CREATE TABLE requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    requester   TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- Request ids read like `req-10001`: start numbering at 10001.
INSERT INTO sqlite_sequence (name, seq) VALUES ('requests', 10000);

CREATE TABLE intents (
    request_id  INTEGER NOT NULL REFERENCES requests (id),
    version     INTEGER NOT NULL,
    intent      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (request_id, version)
);

-- Plans are immutable: a Modify makes a new version.
CREATE TABLE plan_versions (
    request_id  INTEGER NOT NULL REFERENCES requests (id),
    version     INTEGER NOT NULL,
    plan        TEXT    NOT NULL,
    plan_hash   TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (request_id, version)
);
CREATE TRIGGER plan_versions_no_update BEFORE UPDATE ON plan_versions
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable: make a new version instead'); END;
CREATE TRIGGER plan_versions_no_delete BEFORE DELETE ON plan_versions
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable: make a new version instead'); END;

-- One accepted, signature-checked verdict per plan version.
CREATE TABLE verdicts (
    request_id          INTEGER NOT NULL REFERENCES requests (id),
    plan_version        INTEGER NOT NULL,
    decision            TEXT    NOT NULL,
    plan_hash           TEXT    NOT NULL,
    approved_plan_hash  TEXT    NOT NULL,
    verdict             TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    PRIMARY KEY (request_id, plan_version),
    FOREIGN KEY (request_id, plan_version) REFERENCES plan_versions (request_id, version)
);

CREATE TABLE approvals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id    INTEGER NOT NULL REFERENCES requests (id),
    plan_version  INTEGER NOT NULL,
    approver      TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    decision      TEXT    NOT NULL CHECK (decision IN ('approve', 'reject')),
    created_at    INTEGER NOT NULL,
    UNIQUE (request_id, plan_version, approver, role)
);

CREATE TABLE deployments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id    INTEGER NOT NULL REFERENCES requests (id),
    plan_version  INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    summary       TEXT,
    UNIQUE (request_id, plan_version)
);

CREATE TABLE deployment_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id  INTEGER NOT NULL REFERENCES deployments (id),
    address        TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    message        TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX deployment_events_by_deployment ON deployment_events (deployment_id, id);

-- What exists in the cloud, as paved created it.
CREATE TABLE inventory (
    address       TEXT    PRIMARY KEY,
    environment   TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    request_id    INTEGER REFERENCES requests (id),
    resource      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE ipam_allocations (
    cidr        TEXT    PRIMARY KEY,
    segment     TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    request_id  INTEGER REFERENCES requests (id),
    created_at  INTEGER NOT NULL
);

-- The durable queue. `attempts` doubles as the lease's fencing token: each delivery increments it,
-- so a consumer whose lease expired and was handed to another cannot complete the message.
CREATE TABLE queue (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    topic         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    dedup_key     TEXT    UNIQUE,
    status        TEXT    NOT NULL CHECK (status IN ('ready', 'leased', 'done', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    available_at  INTEGER NOT NULL,
    leased_until  INTEGER,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
);
CREATE INDEX queue_ready ON queue (topic, status, available_at, id);

-- The audit trail: append-only, hash-chained.
CREATE TABLE audit_trail (
    seq         INTEGER PRIMARY KEY,
    time        TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    request_id  TEXT,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_trail_by_request ON audit_trail (request_id, seq);
CREATE INDEX audit_trail_by_actor ON audit_trail (actor, seq);
CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: records cannot be changed'); END;
CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: records cannot be removed'); END;

CREATE TABLE trail_checkpoints (
    seq        INTEGER PRIMARY KEY,
    head_hash  TEXT    NOT NULL,
    time       TEXT    NOT NULL,
    signature  TEXT    NOT NULL
);
CREATE TRIGGER trail_checkpoints_no_update BEFORE UPDATE ON trail_checkpoints
BEGIN SELECT RAISE(ABORT, 'trail checkpoints are append-only'); END;
CREATE TRIGGER trail_checkpoints_no_delete BEFORE DELETE ON trail_checkpoints
BEGIN SELECT RAISE(ABORT, 'trail checkpoints are append-only'); END;
