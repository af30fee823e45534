create or replace function autoexec_private.own_limit_hold(a autoexec.actions, s autoexec.settings, t autoexec.action_types)
returns table (held_until timestamptz, held_by text)
language sql stable
set search_path = pg_catalog
as $$
  -- For the forecast: until when an action in line cannot run because of a limit of its own, counting
  -- the window's executions and the actions ahead of it in line that use the same limit: its
  -- rate_limit_key's (automatic executions) or its type's daily cap (every live execution), whichever
  -- is later. No rows: neither holds it. The cost is the line's actions with its key or type.
  with ahead as (
    select count(*) filter (where l.rate_limit_key = a.rate_limit_key) as same_key,
      count(*) filter (where l.type = a.type) as same_type
    from autoexec.actions l
    where l.wait_kind = 'line' and l.id <> a.id
      and (l.rate_limit_key = a.rate_limit_key or (t.daily_cap is not null and l.type = a.type))
      and (l.expected_value > a.expected_value
           or (l.expected_value = a.expected_value and (l.created_at, l.id) < (a.created_at, a.id)))
  ), holds as (
    select autoexec_private.limit_frees_at(autoexec_private.limit_uses(s, a.rate_limit_key, null),
        (ahead.same_key + 1)::integer, s.rate_limit_key_limit, s.rate_limit_key_window) as until,
      'the limit for ' || a.rate_limit_key || ' allows ' || s.rate_limit_key_limit || ' per '
        || autoexec_private.format_interval(s.rate_limit_key_window) as why
    from ahead where a.rate_limit_key is not null
    union all
    select autoexec_private.limit_frees_at(autoexec_private.limit_uses(s, null, a.type),
        (ahead.same_type + 1)::integer, t.daily_cap, interval '24 hours'),
      'the daily cap for ' || a.type || ' allows ' || t.daily_cap || ' per rolling 24 hours'
    from ahead where t.daily_cap is not null
  )
  select h.until, h.why from holds h where h.until is not null order by h.until desc limit 1;
$$;
comment on function autoexec_private.own_limit_hold(autoexec.actions, autoexec.settings, autoexec.action_types) is
  'For the forecast: until when an action in line waits for its own key''s limit or its type''s daily cap.';
