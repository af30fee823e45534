create or replace function autoexec_private.threshold_reason(a autoexec.actions, s autoexec.settings) returns text
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path): it runs for
  -- every execution, and a SQL function that is not inlined is planned again on every call.
  -- Why a pending action needs an admin (its confidence or impact is not above the minimum), or null.
  select case
    when a.status <> 'PENDING' then null
    when a.confidence <= s.min_confidence then
      'confidence ' || a.confidence || ' is not above the minimum ' || s.min_confidence || '; needs an admin'
    when a.estimated_revenue_impact <= s.min_revenue_impact then
      'estimated revenue impact $' || a.estimated_revenue_impact || '/month is not above the minimum $'
        || s.min_revenue_impact || '/month; needs an admin'
  end;
$$;
comment on function autoexec_private.threshold_reason(autoexec.actions, autoexec.settings) is
  'Why a pending action waits for an admin (thresholds), or null.';
