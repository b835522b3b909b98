-- An import writes contacts and identities in many small statements inside one transaction,
-- before any statistics exist for what it wrote: the checks' planner then chose a hash join
-- over a sequential scan of every contact, once per statement (quadratic: 42 µs of backend
-- CPU a row at 200,000). Index lookups cost in proportion to the statement's own rows.
ALTER FUNCTION "qf_identities_contact_check"() SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION "qf_contacts_delete_identities"() SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off;
