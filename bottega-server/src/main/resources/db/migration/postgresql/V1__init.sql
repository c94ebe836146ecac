-- Bottega store, PostgreSQL dialect. Keep equivalent to ../sqlite/V1__init.sql: same tables, columns,
-- constraints and indexes; only the type names differ.
-- Times are epoch seconds, 0 meaning "not yet". JSON columns are opaque text to the store.

CREATE TABLE jobs (
    id              BIGINT  NOT NULL PRIMARY KEY,
    array_job_id    BIGINT  NOT NULL,
    array_task_id   INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    user_name       TEXT    NOT NULL,
    uid             INTEGER NOT NULL,
    gid             INTEGER NOT NULL,
    account         TEXT    NOT NULL,
    partition_name  TEXT    NOT NULL,
    qos             TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    exit_code       INTEGER NOT NULL,
    exit_signal     INTEGER NOT NULL,
    submit_time     BIGINT  NOT NULL,
    eligible_time   BIGINT  NOT NULL,
    start_time      BIGINT  NOT NULL,
    end_time        BIGINT  NOT NULL,
    time_limit      BIGINT  NOT NULL,
    priority        BIGINT  NOT NULL,
    hold            TEXT    NOT NULL,
    dependency      TEXT    NOT NULL,
    request_json    TEXT    NOT NULL,
    allocation_json TEXT    NOT NULL,
    node_list       TEXT    NOT NULL,
    requeue_count   INTEGER NOT NULL,
    work_dir        TEXT    NOT NULL,
    stdout_path     TEXT    NOT NULL,
    stderr_path     TEXT    NOT NULL,
    comment         TEXT    NOT NULL
);

CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_user_name ON jobs (user_name);
CREATE INDEX jobs_array_job_id ON jobs (array_job_id);
CREATE INDEX jobs_end_time ON jobs (end_time);

CREATE TABLE job_scripts (
    job_id   BIGINT NOT NULL PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    script   TEXT   NOT NULL,
    env_json TEXT   NOT NULL
);

-- seq keeps the order in which events were appended.
CREATE TABLE job_events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id     BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    event_time BIGINT NOT NULL,
    state      TEXT   NOT NULL,
    detail     TEXT   NOT NULL
);

CREATE INDEX job_events_job_id ON job_events (job_id, seq);

CREATE TABLE nodes (
    name           TEXT   NOT NULL PRIMARY KEY,
    admin_state    TEXT   NOT NULL,
    reason         TEXT   NOT NULL,
    reason_time    BIGINT NOT NULL,
    reason_user    TEXT   NOT NULL,
    resources_json TEXT   NOT NULL,
    last_seen      BIGINT NOT NULL
);

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- Id counters: next_id is the next id to hand out. Advanced in the same transaction that reserves, so an
-- id is never handed out twice, across restarts too (a sequence could not hand out a block of consecutive
-- ids atomically). Job ids start at 1.
CREATE TABLE id_counters (
    name    TEXT   NOT NULL PRIMARY KEY,
    next_id BIGINT NOT NULL CHECK (next_id >= 1)
);

INSERT INTO id_counters (name, next_id) VALUES ('job', 1);
