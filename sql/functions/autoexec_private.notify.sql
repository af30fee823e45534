create or replace function autoexec_private.notify(
  p_kind text, p_severity text, p_message text, p_payload jsonb default '{}'
) returns bigint
language sql volatile
set search_path = pg_catalog
as $$
  insert into autoexec.notifications (kind, severity, message, payload)
  values (p_kind, p_severity, p_message, p_payload)
  returning id;
$$;
comment on function autoexec_private.notify(text, text, text, jsonb) is 'Records an alert or notice for admins.';
