-- Bottega store, SQLite dialect. Keep equivalent to ../postgresql/V1__init.sql: same tables, columns,
-- constraints and indexes; only the type names differ (SQLite STRICT tables: INTEGER is 64-bit).
-- Times are epoch seconds, 0 meaning "not yet". JSON columns are opaque text to the store.

CREATE TABLE jobs (
    id              INTEGER NOT NULL PRIMARY KEY,
    array_job_id    INTEGER NOT NULL,
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
    submit_time     INTEGER NOT NULL,
    eligible_time   INTEGER NOT NULL,
    start_time      INTEGER NOT NULL,
    end_time        INTEGER NOT NULL,
    time_limit      INTEGER NOT NULL,
    priority        INTEGER NOT NULL,
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
) STRICT;

CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_user_name ON jobs (user_name);
CREATE INDEX jobs_array_job_id ON jobs (array_job_id);
CREATE INDEX jobs_end_time ON jobs (end_time);

CREATE TABLE job_scripts (
    job_id   INTEGER NOT NULL PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    script   TEXT    NOT NULL,
    env_json TEXT    NOT NULL
) STRICT;

-- seq keeps the order in which events were appended.
CREATE TABLE job_events (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    event_time INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    detail     TEXT    NOT NULL
) STRICT;

CREATE INDEX job_events_job_id ON job_events (job_id, seq);

CREATE TABLE nodes (
    name           TEXT    NOT NULL PRIMARY KEY,
    admin_state    TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    reason_time    INTEGER NOT NULL,
    reason_user    TEXT    NOT NULL,
    resources_json TEXT    NOT NULL,
    last_seen      INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Id counters: next_id is the next id to hand out. Advanced in the same transaction that reserves, so an
-- id is never handed out twice, across restarts too. Job ids start at 1.
CREATE TABLE id_counters (
    name    TEXT    NOT NULL PRIMARY KEY,
    next_id INTEGER NOT NULL CHECK (next_id >= 1)
) STRICT;

INSERT INTO id_counters (name, next_id) VALUES ('job', 1);
