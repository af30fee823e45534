create or replace function autoexec_private.expiry_reason(a autoexec.actions) returns text
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  select case
    when a.status = 'APPROVED' then 'approved at ' || autoexec_private.format_time(a.reviewed_at)
      || ' but not executed by ' || autoexec_private.format_time(a.expires_at) || '; the approval expired'
    else 'expired at ' || autoexec_private.format_time(a.expires_at) || ' before it could run'
  end;
$$;
comment on function autoexec_private.expiry_reason(autoexec.actions) is 'Why an action ended EXPIRED, in words.';
