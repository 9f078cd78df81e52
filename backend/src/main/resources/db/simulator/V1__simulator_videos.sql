-- Videos accepted by the built-in OpenAI Videos simulator (dev.reelay.simulator), in the simulator's own history
-- (simulator_schema_history, see SimulatorSchema). A row holds only what was asked for and the outcome decided at
-- create time; status and progress are computed from created_at and generation_ms on every read, so nothing runs in
-- the background and a restart loses nothing. Rows are never removed: the table doubles as the ledger of creates a
-- real provider would have billed.
-- IF NOT EXISTS: a database from before holds this very table, made by the application's V2 and left in place by its
-- V180 because it held videos; it is adopted as it is, so jobs in flight still find their videos.
CREATE TABLE IF NOT EXISTS simulator_videos (
    id              text        PRIMARY KEY,
    -- Insertion order; list pagination uses it so that paging stays stable when tests move the clock.
    seq             bigserial   NOT NULL UNIQUE,
    -- SHA-256 of the OpenAI-Project header (Projects): each project sees only its own videos.
    project         text        NOT NULL,
    model           text        NOT NULL,
    prompt          text        NOT NULL,
    size            text        NOT NULL,
    seconds         text        NOT NULL,
    input_reference boolean     NOT NULL DEFAULT false,
    remixed_from    text        REFERENCES simulator_videos (id),
    created_at      timestamptz NOT NULL,
    generation_ms   bigint      NOT NULL CHECK (generation_ms > 0),
    outcome         text        NOT NULL CHECK (outcome IN ('completed', 'failed', 'moderation_blocked')),
    deleted         boolean     NOT NULL DEFAULT false
);

CREATE INDEX IF NOT EXISTS simulator_videos_by_project ON simulator_videos (project, seq);
