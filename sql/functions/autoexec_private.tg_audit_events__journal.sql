create or replace function autoexec_private.tg_audit_events__journal() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
begin
  insert into autoexec_private.rollup_journal (kind, subject_id) values ('decided', new.id);
  return null;
end;
$$;
comment on function autoexec_private.tg_audit_events__journal() is
  'Journals an admin''s approval or rejection for the review-time rollups.';

create or replace trigger _300_journal after insert on autoexec.audit_events
  for each row when (new.action = any(autoexec_private.decision_actions()))
  execute function autoexec_private.tg_audit_events__journal();
