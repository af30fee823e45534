/**
 * Keeps `id` columns as `id` in GraphQL. The Amber preset renames them `rowId` to leave `id` to Relay's
 * global object ids; this API has no Relay node interface (NodePlugin is off), so the database's ids
 * are the API's ids.
 */
export const KeepIdPlugin: GraphileConfig.Plugin = {
  name: "AutoexecKeepIdPlugin",
  version: "1.0.0",
  inflection: {
    replace: {
      _attributeName(previous, _options, details) {
        return previous ? previous({ ...details, skipRowId: true }) : details.attributeName;
      },
    },
  },
};
