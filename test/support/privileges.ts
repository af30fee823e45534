import type pg from "pg";

/** The schemas whose objects the privilege matrix covers. */
export const MATRIX_SCHEMAS = ["autoexec", "autoexec_private", "content", "graphile_worker"];

/**
 * Every privilege granted on the schemas above and on every table, view, sequence, column and function
 * in them, to anyone but the object's owner (PUBLIC included), their row-level security policies, plus
 * the app roles' memberships and attributes: one sorted line each, `grantee<TAB>object<TAB>privileges`.
 */
export async function privilegeMatrix(db: Pick<pg.Pool, "query">): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(
    `
    with acl as (
      select 'schema ' || n.nspname as object, e.grantee, e.privilege_type, n.nspowner as owner
      from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) e
      where n.nspname = any($1)
      union all
      select case c.relkind when 'v' then 'view ' when 'S' then 'sequence ' else 'table ' end
          || n.nspname || '.' || c.relname, e.grantee, e.privilege_type, c.relowner
      from pg_class c join pg_namespace n on n.oid = c.relnamespace,
        aclexplode(coalesce(c.relacl, acldefault(case when c.relkind = 'S' then 's' else 'r' end::"char", c.relowner))) e
      where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'S')
      union all
      select 'column ' || n.nspname || '.' || c.relname || '.' || a.attname, e.grantee, e.privilege_type, c.relowner
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace,
        aclexplode(a.attacl) e
      where n.nspname = any($1) and a.attnum > 0 and not a.attisdropped and a.attacl is not null
      union all
      select 'function ' || p.oid::regprocedure::text, e.grantee, e.privilege_type, p.proowner
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace,
        aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) e
      where n.nspname = any($1)
    )
    select case when grantee = 0 then 'PUBLIC' else grantee::regrole::text end || E'\\t' || object || E'\\t'
        || string_agg(privilege_type, ',' order by privilege_type) as line
    from acl
    where grantee <> owner
    group by grantee, object
    union all
    select array_to_string(p.roles, ',') || E'\\tpolicy ' || p.policyname || ' on ' || p.schemaname || '.' || p.tablename
        || E'\\t' || p.cmd || ' using ' || coalesce(p.qual, '-') || ' check ' || coalesce(p.with_check, '-')
    from pg_policies p where p.schemaname = any($1)
    union all
    select distinct r.rolname || E'\\tmember of ' || g.rolname || E'\\t' as line
    from pg_auth_members m join pg_roles r on r.oid = m.member join pg_roles g on g.oid = m.roleid
    where r.rolname like 'autoexec\\_%' or g.rolname like 'autoexec\\_%'
    union all
    select r.rolname || E'\\tattributes\\t' || concat_ws(',',
        case when r.rolcanlogin then 'LOGIN' else 'NOLOGIN' end,
        case when r.rolinherit then 'INHERIT' else 'NOINHERIT' end,
        case when r.rolsuper then 'SUPERUSER' end,
        case when r.rolcreaterole then 'CREATEROLE' end,
        case when r.rolcreatedb then 'CREATEDB' end,
        case when r.rolreplication then 'REPLICATION' end,
        case when r.rolbypassrls then 'BYPASSRLS' end)
    from pg_roles r where r.rolname like 'autoexec\\_%'
    order by 1`,
    [MATRIX_SCHEMAS],
  );
  return rows.map((row) => row.line);
}
