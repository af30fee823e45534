-- The functions sql/functions defined at the last migrate, so the next one can drop those whose file
-- was removed or whose signature changed (CREATE OR REPLACE cannot change argument types: it makes a
-- second overload, and PostGraphile would go on exposing the stale one).
create table autoexec_private.managed_functions (
  signature text primary key
);
comment on table autoexec_private.managed_functions is
  'Functions (regprocedure text) that the files in sql/functions created at the last migrate; maintained by src/db/migrate.ts.';
comment on column autoexec_private.managed_functions.signature is
  'The function''s schema-qualified name and argument types, as regprocedure prints them.';
