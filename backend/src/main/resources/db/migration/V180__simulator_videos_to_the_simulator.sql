-- The built-in simulator (dev.reelay.simulator) now creates its own table with its own Flyway history
-- (db/simulator, simulator_schema_history), after these migrations and only where it runs. The simulator_videos
-- that V2 made here is dropped when it holds no video: then nothing can be waiting on it, and an installation that
-- never ran the simulator, or runs a build without it, keeps no simulator table. A table holding videos stays as it
-- is: jobs in flight may still poll them and the rows are the ledger of what the simulator billed; the simulator's
-- first migration adopts it (CREATE TABLE IF NOT EXISTS).
DO $$
BEGIN
    -- Already the simulator's (its history exists): not this migration's to touch.
    IF to_regclass('simulator_videos') IS NULL OR to_regclass('simulator_schema_history') IS NOT NULL THEN
        RETURN;
    END IF;
    -- Taken first, so a create still arriving at an older instance cannot land between the check and the drop.
    LOCK TABLE simulator_videos IN ACCESS EXCLUSIVE MODE;
    IF NOT EXISTS (SELECT 1 FROM simulator_videos) THEN
        DROP TABLE simulator_videos;
    END IF;
END $$;
