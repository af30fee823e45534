-- Roles are cluster-wide, so they are created only when missing; privileges are granted per database.
do $$
begin
  if not exists (select from pg_roles where rolname = 'autoexec_agent') then
    -- The monetization agent logs in as this role (set a password for it in production).
    create role autoexec_agent login;
  end if;
  if not exists (select from pg_roles where rolname = 'autoexec_viewer') then
    create role autoexec_viewer nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'autoexec_admin') then
    create role autoexec_admin nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'autoexec_auditor') then
    create role autoexec_auditor nologin;
  end if;
end
$$;

create schema autoexec;
comment on schema autoexec is
  'The auto-execution engine: what the agent writes, what the admin API exposes and what DBAs audit.';

-- autoexec_private is created by the migration runner (it keeps its bookkeeping there).
revoke all on schema autoexec_private from public;
comment on schema autoexec_private is 'Engine internals: not exposed to the agent, the API or DBAs.';

create schema content;
comment on schema content is 'Stand-in for the site''s own tables: the only tables action handlers change.';

revoke all on schema autoexec, content from public;
grant usage on schema autoexec to autoexec_agent, autoexec_viewer, autoexec_admin, autoexec_auditor;
