-- The JSON Schema of each action type's action_data, generated from its handler's zod schema
-- (src/handlers/json-schema.ts, files in sql/action-data-schemas/) and loaded by every migrate.
alter table autoexec.action_types add column data_schema jsonb;
comment on column autoexec.action_types.data_schema is
  'JSON Schema (draft 2020-12) of this type''s action_data, generated from the handler''s own schema: validate a '
  'proposal against it before INSERT, or use it as a tool''s input schema. Null for types without a handler (Tier 3).';

-- One way to each singleton in GraphQL: currentSettings and circuitBreaker (the functions), not also
-- a connection, a list and a by-id lookup of a table that has exactly one row. The smart tag goes
-- first in the comment; the text after it is what the GraphQL docs show.
comment on table autoexec.settings is
  E'@behavior -connection -list -single\nThe engine''s switches and thresholds: exactly one row (GraphQL: currentSettings).';
comment on table autoexec.engine_state is
  E'@behavior -connection -list -single\nCircuit breaker and cooldown state, shared by every worker: exactly one row (GraphQL: circuitBreaker).';
