-- The agent is untrusted input: its ids are parsed once, at INSERT, into canonical integers that every
-- later step (guards, locks, handlers) reads (issue 12). The catalogue says which action_data fields of
-- each type name a content row by id; test/agent-input.test.ts checks it against the handlers' schemas.
alter table autoexec.action_types
  add column action_data_ids jsonb not null default '{}' check (jsonb_typeof(action_data_ids) = 'object');
comment on column autoexec.action_types.action_data_ids is
  'The action_data fields that hold content ids: {"field": "one"} for an id, {"field": "list"} for a list of '
  'ids. The INSERT rewrites each to a canonical integer, or refuses the row.';
update autoexec.action_types set action_data_ids = case type
  when 'ADD_TO_COLLECTION' then '{"modId": "one", "collectionId": "one"}'
  when 'CREATE_COLLECTION_PAGE' then '{"modIds": "list"}'
  else '{"modId": "one"}'
end::jsonb
where tier < 3;

alter table autoexec.actions add column mod_id bigint;
comment on column autoexec.actions.mod_id is
  'The mod action_data.modId names, as the canonical integer the INSERT read; the engine locks and guards '
  'this mod, and the handler must act on the same one.';
-- Actions still waiting keep the mod the engine read for them before (an integer spelt plainly); any
-- other spelling leaves mod_id empty and the executor then ends the action INVALID.
update autoexec.actions set mod_id = (action_data ->> 'modId')::bigint
where status in ('PENDING', 'APPROVED') and jsonb_typeof(action_data -> 'modId') = 'number'
  and (action_data ->> 'modId') ~ '^\d{1,15}$';

-- The classify trigger runs as the inserting role and calls the checking functions in
-- autoexec_private; each of those files grants the agent EXECUTE on itself (they only read their
-- arguments).
grant usage on schema autoexec_private to autoexec_agent;

-- ADD_AFFILIATE_LINK's affiliateType is the network of the link's host, not free text (issue 12,
-- point 9: '<script>' was stored as a link's type).
alter table autoexec.affiliate_hosts add column network text check (network ~ '^[a-z][a-z0-9-]{0,39}$');
comment on column autoexec.affiliate_hosts.network is
  'The affiliate network of links to this host; ADD_AFFILIATE_LINK''s affiliateType must equal it (null: any network name).';
update autoexec.affiliate_hosts set network = case
  when host like '%amazon.com' then 'amazon'
  when host like '%patreon.com' then 'patreon'
  when host = 'store.steampowered.com' then 'steam'
  when host like '%ea.com' then 'ea'
end;
