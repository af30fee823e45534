create or replace function autoexec_private.require_reason(p_reason text, p_what text) returns void
language plpgsql immutable
set search_path = pg_catalog
as $$
-- The admin functions that need a reason refuse a missing or blank one in the same words and code.
begin
  if coalesce(btrim(p_reason), '') = '' then
    raise exception 'a reason is required %', p_what using errcode = 'AE002';
  end if;
end;
$$;
comment on function autoexec_private.require_reason(text, text) is
  'Refuses a missing or blank reason (AE002): "a reason is required <p_what>".';
