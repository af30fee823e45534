create or replace function autoexec_private.line_times_with_holds(
  s autoexec.settings, p_allowance text, p_slot_times timestamptz[]
) returns timestamptz[]
language sql stable
set search_path = pg_catalog
as $$
  -- The whole line's forecast times (one allowance's part of it, in line order), when some actions in
  -- line are held by a limit of their own: the k-th action runs at the k-th slot (p_slot_times) or
  -- when its key's limit or type's daily cap allows it (limit_frees_at, counting those ahead of it in
  -- the whole line that share the limit), whichever is later; sorted, so that element k is when k of
  -- them will have run. One pass over the line, plus one read of the window's executions per key and
  -- per capped type.
  with line as (
    select a.id, a.confidence, a.rate_limit_key, a.type, t.daily_cap,
      row_number() over (partition by a.rate_limit_key order by a.expected_value desc, a.created_at, a.id) as key_rank,
      row_number() over (partition by a.type order by a.expected_value desc, a.created_at, a.id) as type_rank,
      a.expected_value, a.created_at
    from autoexec.actions a join autoexec.action_types t on t.type = a.type
    where a.wait_kind = 'line'
  ), own as (
    select l.*, row_number() over (order by l.expected_value desc, l.created_at, l.id) as place
    from line l
    where autoexec_private.allowance_of(l.confidence, s) is not distinct from p_allowance
  ), key_uses as (
    select k.rate_limit_key, autoexec_private.limit_uses(s, k.rate_limit_key, null) as uses
    from (select distinct rate_limit_key from own where rate_limit_key is not null) k
  ), type_uses as (
    select c.type, autoexec_private.limit_uses(s, null, c.type) as uses
    from (select distinct type from own where daily_cap is not null) c
  )
  select array_agg(x.at order by x.at)
  from (
    select greatest(p_slot_times[o.place],
      case when o.rate_limit_key is not null then autoexec_private.limit_frees_at(ku.uses, o.key_rank::integer,
        s.rate_limit_key_limit, s.rate_limit_key_window) end,
      case when o.daily_cap is not null then autoexec_private.limit_frees_at(tu.uses, o.type_rank::integer,
        o.daily_cap, interval '24 hours') end) as at
    from own o
    left join key_uses ku on ku.rate_limit_key = o.rate_limit_key
    left join type_uses tu on tu.type = o.type
  ) x;
$$;
comment on function autoexec_private.line_times_with_holds(autoexec.settings, text, timestamptz[]) is
  'The line''s forecast times when some actions wait for their own key''s limit or type''s daily cap.';
