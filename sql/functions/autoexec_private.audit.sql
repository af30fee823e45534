create or replace function autoexec_private.audit(
  p_action text, p_subject_type text, p_subject_id text,
  p_old jsonb default null, p_new jsonb default null, p_note text default null,
  p_actor text default null
) returns void
language sql volatile
set search_path = pg_catalog
as $$
  insert into autoexec.audit_events (actor, action, subject_type, subject_id, old_values, new_values, note)
  select coalesce(p_actor, autoexec_private.current_actor()), p_action, p_subject_type, p_subject_id, p_old, p_new,
    coalesce(p_note, nullif(current_setting('autoexec.audit_note', true), ''))
  -- Inside autoexec.decide_actions the per-action decisions are folded into its one batch event.
  where not (p_subject_type = 'action' and p_action in ('action.approved', 'action.rejected', 'action.retried')
    and coalesce(current_setting('autoexec.audit_batch', true), '') = 'on');
$$;
comment on function autoexec_private.audit(text, text, text, jsonb, jsonb, text, text) is
  'Appends an audit event; the actor defaults to the current API user or database login, the note to the '
  'transaction''s autoexec.audit_note (the reason given for a settings change).';
