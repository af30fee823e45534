create or replace function autoexec_private.audit(
  p_action text, p_subject_type text, p_subject_id text,
  p_old jsonb default null, p_new jsonb default null, p_note text default null,
  p_actor text default null
) returns void
language sql volatile
set search_path = pg_catalog
as $$
  insert into autoexec.audit_events (actor, action, subject_type, subject_id, old_values, new_values, note)
  values (coalesce(p_actor, autoexec_private.current_actor()), p_action, p_subject_type, p_subject_id, p_old, p_new,
    p_note);
$$;
comment on function autoexec_private.audit(text, text, text, jsonb, jsonb, text, text) is
  'Appends an audit event; the actor defaults to the current API user or database login.';
