create or replace function autoexec_private.current_actor() returns text
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- The API puts the signed-in user in jwt.claims.sub; a DBA in psql is recorded by login name.
  select coalesce(nullif(current_setting('jwt.claims.sub', true), ''), session_user::text);
$$;
comment on function autoexec_private.current_actor() is 'Who is acting: the API user (JWT subject) or the database login.';
