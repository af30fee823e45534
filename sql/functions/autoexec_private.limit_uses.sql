create or replace function autoexec_private.limit_uses(s autoexec.settings, p_rate_limit_key text, p_type text)
returns timestamptz[]
language plpgsql stable
set search_path = pg_catalog
as $$
-- For the forecast: the executions (oldest first) that a limit of an action's own counts now, as
-- claim_execution_slot counts them: with p_rate_limit_key, that key's automatic executions in its
-- window (settings.rate_limit_key_window); otherwise p_type's live executions of the last 24 hours
-- (its daily cap). Two queries, so that each reads its own index.
begin
  if p_rate_limit_key is not null then
    return array(
      select x.executed_at from autoexec.execution_logs x
      where x.rate_limit_key = p_rate_limit_key and x.executed_at > now() - s.rate_limit_key_window
        and x.success and x.mode = 'live' and x.executed_by = 'auto'
      order by x.executed_at);
  end if;
  return array(
    select x.executed_at from autoexec.execution_logs x
    where x.action_type = p_type and x.executed_at > now() - interval '24 hours' and x.success and x.mode = 'live'
    order by x.executed_at);
end;
$$;
comment on function autoexec_private.limit_uses(autoexec.settings, text, text) is
  'For the forecast: the executions a per-key limit or a type''s daily cap counts now.';
