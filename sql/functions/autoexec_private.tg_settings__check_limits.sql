create or replace function autoexec_private.tg_settings__check_limits() returns trigger
language plpgsql stable
set search_path = pg_catalog
as $$
-- Checks every setting against its row of autoexec.setting_limits, so a refusal names the setting and
-- its bound (the column's CHECK constraint alone would only name a constraint). Only the values
-- that changed are checked.
declare
  v_new jsonb := to_jsonb(new);
  v_old jsonb := case when tg_op = 'UPDATE' then to_jsonb(old) else '{}' end;
  v_limit autoexec.setting_limits;
  v_value jsonb;
  v_amount numeric;
begin
  for v_limit in select * from autoexec.setting_limits loop
    v_value := v_new -> v_limit.name;
    continue when v_value is null or v_value = 'null' or v_value = v_old -> v_limit.name;
    if v_limit.pattern is not null then
      if v_value #>> '{}' !~ v_limit.pattern then
        raise exception 'settings refused: % must be %', v_limit.name, v_limit.pattern_in_words
          using errcode = 'AE001', column = v_limit.name;
      end if;
      continue;
    end if;
    v_amount := case jsonb_typeof(v_value)
      when 'number' then (v_value #>> '{}')::numeric
      else extract(epoch from (v_value #>> '{}')::interval) end;
    if v_amount < v_limit.minimum or (v_limit.minimum_exclusive and v_amount = v_limit.minimum)
        or v_amount > v_limit.maximum then
      raise exception 'settings refused: % must be %', v_limit.name, autoexec_private.limit_text(v_limit)
        using errcode = 'AE001', column = v_limit.name;
    end if;
  end loop;
  return new;
end;
$$;
comment on function autoexec_private.tg_settings__check_limits() is
  'Refuses a setting outside its bounds in autoexec.setting_limits, naming the setting.';

create or replace trigger _100_check_limits before insert or update on autoexec.settings
  for each row execute function autoexec_private.tg_settings__check_limits();
