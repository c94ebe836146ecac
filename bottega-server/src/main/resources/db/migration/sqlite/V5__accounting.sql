-- Accounting: billed usage of every job run (a preempted and requeued job is charged for each run),
-- and advance reservations.
CREATE TABLE usage (
    job_id        INTEGER NOT NULL,
    end_time      INTEGER NOT NULL,
    account       TEXT    NOT NULL,
    user_name     TEXT    NOT NULL,
    qos           TEXT    NOT NULL,
    partition_name TEXT   NOT NULL,
    period        TEXT    NOT NULL,
    billed        REAL    NOT NULL,
    core_seconds  REAL    NOT NULL,
    gpu_seconds   REAL    NOT NULL,
    energy_j      REAL    NOT NULL,
    PRIMARY KEY (job_id, end_time)
);
CREATE INDEX usage_period ON usage (period, account);
CREATE INDEX usage_end ON usage (end_time);

CREATE TABLE reservations (
    name        TEXT    PRIMARY KEY,
    nodes       TEXT    NOT NULL,
    start_time  INTEGER NOT NULL,
    end_time    INTEGER NOT NULL,
    users       TEXT    NOT NULL,
    accounts    TEXT    NOT NULL,
    maintenance INTEGER NOT NULL
);
