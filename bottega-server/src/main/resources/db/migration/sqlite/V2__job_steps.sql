-- Job steps (srun inside an allocation, and the batch script as step -2 "batch"), for sacct's 123.0 and
-- 123.batch lines. Keep equivalent to ../postgresql/V2__job_steps.sql. Times are epoch seconds, 0 meaning
-- "not yet". A row is written when the step starts and replaced when it ends. layout_json: where its tasks
-- run (cores and GPUs per node), for a restarted controller to know what the running steps hold.

CREATE TABLE job_steps (
    job_id         INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step_id        INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    node_list      TEXT    NOT NULL,
    node_count     INTEGER NOT NULL,
    ntasks         INTEGER NOT NULL,
    tasks_per_node TEXT    NOT NULL,
    cpus           INTEGER NOT NULL,
    gpus           INTEGER NOT NULL,
    start_time     INTEGER NOT NULL,
    end_time       INTEGER NOT NULL,
    exit_code      INTEGER NOT NULL,
    exit_signal    INTEGER NOT NULL,
    reason         TEXT    NOT NULL,
    layout_json    TEXT    NOT NULL,
    PRIMARY KEY (job_id, step_id)
) STRICT;
