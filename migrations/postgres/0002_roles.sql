-- Two roles, NOLOGIN until an operator grants LOGIN and a password (see docs/operations.md):
--   paved_app    the orchestrator (bot) and executor: everything except changing history;
--   paved_audit  the audit worker: reads audit requests, publishes verdicts, signs checkpoints.
-- Roles belong to the whole cluster, so several paved databases on one server share them; creating
-- one that already exists (or that a concurrent migration is creating) is not an error.
DO $$
BEGIN
    CREATE ROLE paved_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
DO $$
BEGIN
    CREATE ROLE paved_audit NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO paved_app, paved_audit;

-- The application: full use of working state; history (plans, verdicts, trail, checkpoints) can
-- only be added to.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    requests, intents, approvals, deployments, deployment_events, inventory, ipam_allocations, queue
    TO paved_app;
GRANT SELECT, INSERT ON plan_versions, verdicts, audit_trail, trail_checkpoints TO paved_app;
REVOKE UPDATE, DELETE, TRUNCATE ON plan_versions, verdicts, audit_trail, trail_checkpoints FROM paved_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO paved_app;

-- The audit worker: the queue only (row security below narrows it to audit requests and its own
-- verdicts), and the trail read-only so that it can sign checkpoints of it.
GRANT SELECT, INSERT, UPDATE ON queue TO paved_audit;
GRANT USAGE, SELECT ON SEQUENCE queue_id_seq TO paved_audit;
GRANT SELECT ON audit_trail TO paved_audit;
GRANT SELECT, INSERT ON trail_checkpoints TO paved_audit;

ALTER TABLE queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY queue_app ON queue TO paved_app USING (true) WITH CHECK (true);
-- It may also see the verdict messages it published: PostgreSQL checks an INSERT ... ON CONFLICT
-- (how a verdict is published only once) against the SELECT policy too.
CREATE POLICY queue_audit_reads ON queue FOR SELECT TO paved_audit
    USING (topic = 'audit' OR (topic = 'orchestrator' AND kind = 'audit.verdict.v1'));
CREATE POLICY queue_audit_claims ON queue FOR UPDATE TO paved_audit
    USING (topic = 'audit') WITH CHECK (topic = 'audit');
CREATE POLICY queue_audit_publishes ON queue FOR INSERT TO paved_audit
    WITH CHECK (topic = 'orchestrator' AND kind = 'audit.verdict.v1');
