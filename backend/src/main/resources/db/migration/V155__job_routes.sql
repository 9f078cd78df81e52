-- Routes (README "Routes and failover"): a job's provider is the route it is on now and, once accepted, the one that
-- served it. route_attempts counts the creates sent to each route ({"kie": 1, "evolink": 1}); route_cost is what
-- the job costs on its route (its estimate at the dearest route is what the budget reserved).
ALTER TABLE jobs ADD COLUMN route_attempts jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE jobs ADD COLUMN route_cost numeric(14, 6);
