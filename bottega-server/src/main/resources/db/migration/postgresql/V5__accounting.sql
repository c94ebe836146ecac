-- Accounting: billed usage of every job run (a preempted and requeued job is charged for each run),
-- and advance reservations.
CREATE TABLE usage (
    job_id         BIGINT           NOT NULL,
    end_time       BIGINT           NOT NULL,
    account        TEXT             NOT NULL,
    user_name      TEXT             NOT NULL,
    qos            TEXT             NOT NULL,
    partition_name TEXT             NOT NULL,
    period         TEXT             NOT NULL,
    billed         DOUBLE PRECISION NOT NULL,
    core_seconds   DOUBLE PRECISION NOT NULL,
    gpu_seconds    DOUBLE PRECISION NOT NULL,
    energy_j       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (job_id, end_time)
);
CREATE INDEX usage_period ON usage (period, account);
CREATE INDEX usage_end ON usage (end_time);

CREATE TABLE reservations (
    name        TEXT    PRIMARY KEY,
    nodes       TEXT    NOT NULL,
    start_time  BIGINT  NOT NULL,
    end_time    BIGINT  NOT NULL,
    users       TEXT    NOT NULL,
    accounts    TEXT    NOT NULL,
    maintenance BOOLEAN NOT NULL
);
