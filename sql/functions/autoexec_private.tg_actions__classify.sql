create or replace function autoexec_private.tg_actions__classify() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
declare
  v_type autoexec.action_types;
  v_size integer;
begin
  -- Every text the agent writes has a limit, checked before it is used (docs/agent.md, "Limits").
  perform autoexec_private.refuse_bad_text('type', new.type, 64);
  select * into v_type from autoexec.action_types where type = new.type;
  if not found then
    raise exception 'unknown action type "%"; known types: %', new.type,
      (select string_agg(type, ', ' order by tier, type) from autoexec.action_types)
      using errcode = 'AE001', hint = 'See autoexec.action_types.';
  end if;
  -- NaN would pass every comparison (it sorts above every number), infinity every threshold.
  if new.confidence in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'confidence must be a finite number between 0 and 1, got %', new.confidence using errcode = 'AE001';
  end if;
  if new.estimated_revenue_impact in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'estimated_revenue_impact must be a finite number (USD per month), got %',
      new.estimated_revenue_impact using errcode = 'AE001';
  end if;
  if new.confidence is null or new.confidence < 0 or new.confidence > 1 then
    raise exception 'confidence must be between 0 and 1, got %', coalesce(new.confidence::text, 'null')
      using errcode = 'AE001';
  end if;
  if new.estimated_revenue_impact is null or new.estimated_revenue_impact < 0 then
    raise exception 'estimated_revenue_impact must be zero or more (USD per month), got %',
      coalesce(new.estimated_revenue_impact::text, 'null')
      using errcode = 'AE001';
  end if;
  if new.expires_at in ('infinity', '-infinity') then
    raise exception 'expires_at must be a point in time (or null for never), got %', new.expires_at
      using errcode = 'AE001';
  end if;
  if new.rate_limit_key is not null then
    perform autoexec_private.refuse_bad_text('rate_limit_key', new.rate_limit_key, 200);
  end if;
  if new.idempotency_key is not null then
    perform autoexec_private.refuse_bad_text('idempotency_key', new.idempotency_key, 200);
  end if;
  if new.action_data is null or jsonb_typeof(new.action_data) <> 'object' then
    raise exception 'action_data must be a JSON object, got %', coalesce(jsonb_typeof(new.action_data), 'null')
      using errcode = 'AE001';
  end if;
  v_size := octet_length(new.action_data::text);
  if v_size > 65536 then
    raise exception 'action_data is % bytes; the limit is 65536 (64 KiB)', v_size using errcode = 'AE001';
  end if;
  -- Parse once into canonical values: the ids first (their refusals name the id), then every member.
  new.action_data := autoexec_private.canonical_action_data(v_type.action_data_ids, new.action_data);
  perform autoexec_private.check_action_data(new.action_data);
  new.mod_id := case when v_type.action_data_ids ? 'modId' and jsonb_typeof(new.action_data -> 'modId') = 'number'
    then (new.action_data ->> 'modId')::bigint end;

  -- Whatever the inserting role supplied, the catalogue decides the tier (auto_executable is generated
  -- from it), and every action starts its life pending and unexecuted.
  new.execution_tier := v_type.tier;
  new.status := 'PENDING';
  new.status_reason := case v_type.tier
    when 2 then 'waiting for an admin''s approval'
    when 3 then 'manual only: an admin implements Tier 3 actions by hand'
  end;
  new.executed_at := null;
  new.execution_result := null;
  new.execution_attempts := 0;
  new.last_attempt_at := null;
  new.deferred_until := null;
  new.wait_kind := null;
  new.proposed_by := current_user;
  new.created_at := now();
  new.updated_at := now();
  return new;
end;
$$;
comment on function autoexec_private.tg_actions__classify() is
  'Refuses impossible actions with a readable error, canonicalises their ids and derives tier and status from the catalogue.';

create or replace trigger _100_classify before insert on autoexec.actions
  for each row execute function autoexec_private.tg_actions__classify();
