-- The queue filtered by type and sorted (issue 14 part 4): without these, a type sorted by confidence
-- walked the whole confidence index and skipped the other types' rows (83 ms at a million actions).
-- The status filter has its own (migration 060); NEWEST and OLDEST of a type use actions_type_id_idx.
create index actions_type_id_idx on autoexec.actions (type, id);
create index actions_type_confidence_idx on autoexec.actions (type, confidence, id);
create index actions_type_impact_idx on autoexec.actions (type, estimated_revenue_impact, id);
create index actions_type_value_idx on autoexec.actions (type, (confidence * estimated_revenue_impact), id);
