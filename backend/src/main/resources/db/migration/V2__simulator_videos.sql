-- Videos accepted by the built-in OpenAI Videos simulator (dev.reelay.simulator). A row holds only what was
-- asked for and the outcome decided at create time; status and progress are computed from created_at and
-- generation_ms on every read, so nothing runs in the background and a restart loses nothing.
-- Rows are never removed: the table doubles as the ledger of creates a real provider would have billed.
CREATE TABLE simulator_videos (
    id              text        PRIMARY KEY,
    -- Insertion order; list pagination uses it so that paging stays stable when tests move the clock.
    seq             bigserial   NOT NULL UNIQUE,
    -- SHA-256 of the bearer key: each key stands in for one OpenAI project, which is what scopes videos.
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

CREATE INDEX simulator_videos_by_project ON simulator_videos (project, seq);
