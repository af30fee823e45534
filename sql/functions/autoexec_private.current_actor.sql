create or replace function autoexec_private.current_actor() returns text
language sql stable
set search_path = pg_catalog
as $$
  -- The API puts the signed-in user in jwt.claims.sub; a DBA in psql is recorded by login name.
  select coalesce(nullif(current_setting('jwt.claims.sub', true), ''), session_user::text);
$$;
comment on function autoexec_private.current_actor() is 'Who is acting: the API user (JWT subject) or the database login.';
