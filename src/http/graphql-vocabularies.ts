import "./graphile-env.ts";
import { enumCodec, type PgCodec, TYPES, withPgClientFromPgService } from "postgraphile/@dataplan/pg";

/** The tiers' table (093): smallint keys, which PostGraphile's `@enum` tables cannot take. */
const TIER_TABLE = "execution_tiers";
/** Who ran an execution, as the executedByKind filters take it (no table: executed_by holds user ids too). */
const EXECUTED_BY_KINDS = "executed_by_kinds";

declare global {
  namespace GraphileConfig {
    interface GatherHelpers {
      autoexecVocabularies: Record<string, never>;
    }
  }
}

interface State {
  /** The enum codec of each vocabulary, by its table's name in autoexec (EXECUTED_BY_KINDS: none). */
  codecs: Map<string, PgCodec>;
}

/** `@vocabulary <table>` on a column; `@vocabulary <argument> <table>` (repeated) on a function. */
function vocabularyTags(tags: Record<string, unknown>): string[] {
  const value = tags.vocabulary;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function codecFor(state: State, vocabulary: string, where: string): PgCodec {
  const codec = state.codecs.get(vocabulary);
  if (!codec) throw new Error(`${where}: @vocabulary ${vocabulary} names no vocabulary`);
  return codec;
}

/**
 * GraphQL enums for every vocabulary wherever it appears: the tiers (enum Tier, TIER_1 to TIER_3, from
 * autoexec.execution_tiers; SQL and REST keep the numbers) and who ran an execution (ExecutedByKind);
 * and the enum tables' enums (084) for function arguments, which carry no foreign key: a column or
 * argument tagged `@vocabulary` gets that vocabulary's enum codec, so the output fields, conditions,
 * orderings and arguments all take the enum and refuse any other value before SQL runs.
 */
export const VocabulariesPlugin: GraphileConfig.Plugin = {
  name: "AutoexecVocabulariesPlugin",
  version: "1.0.0",
  after: ["PgEnumTablesPlugin"],
  inflection: {
    replace: {
      enumValue(previous, _options, value, codec) {
        // TIER_1 rather than _1: a GraphQL name cannot start with a digit, and "Tier 1" is the PRD's word.
        if (codec?.name === "tier") return `TIER_${value}`;
        return previous ? previous(value, codec) : value;
      },
    },
  },
  gather: {
    namespace: "autoexecVocabularies",
    initialState: (): State => ({ codecs: new Map() }),
    hooks: {
      async pgIntrospection_introspection(info, event) {
        const state = info.state as State;
        const { introspection, serviceName } = event;
        for (const pgClass of introspection.classes) {
          if (pgClass.getNamespace()?.nspname !== "autoexec") continue;
          const primaryKey = pgClass.getConstraints().find((constraint) => constraint.contype === "p");
          const tableCodec = primaryKey && info.helpers.pgEnumTables.enumCodecForConstraint(primaryKey);
          if (tableCodec) state.codecs.set(pgClass.relname, tableCodec);
        }
        const pgService = info.resolvedPreset.pgServices?.find((service) => service.name === serviceName);
        if (!pgService) throw new Error(`no pgService ${serviceName}`);
        const { rows } = await withPgClientFromPgService(pgService, null, (client) =>
          client.query<{ tier: string; description: string }>({
            text: `select tier::text as tier, description from autoexec.${TIER_TABLE} order by tier`,
          }),
        );
        state.codecs.set(
          TIER_TABLE,
          enumCodec({
            name: "tier",
            identifier: TYPES.int2.sqlType,
            values: rows.map((row) => ({ value: row.tier, description: row.description })),
            description: "A risk tier (autoexec.execution_tiers); REST and SQL speak its number.",
            extensions: { tags: { name: "Tier" } },
          }),
        );
        state.codecs.set(
          EXECUTED_BY_KINDS,
          enumCodec({
            name: "executedByKind",
            identifier: TYPES.text.sqlType,
            values: [
              { value: "AUTO", description: "The engine, on its own (Tier 1)." },
              { value: "APPROVED", description: "The engine, after an admin approved the action." },
              { value: "MANUAL", description: "A user, by hand (a forced execution)." },
            ],
            description: "Who ran an execution.",
            extensions: { tags: { name: "ExecutedByKind" } },
          }),
        );
      },
      pgCodecs_attribute(info, event) {
        const [vocabulary] = vocabularyTags(event.pgAttribute.getTags());
        if (vocabulary) {
          event.attribute.codec = codecFor(info.state as State, vocabulary, event.pgAttribute.attname);
        }
      },
      pgProcedures_PgResourceOptions(info, event) {
        const where = `function ${event.pgProc.proname}`;
        for (const tag of vocabularyTags(event.pgProc.getTags())) {
          const [argument, vocabulary] = tag.split(/\s+/);
          const parameters = event.resourceOptions.parameters as Array<{
            name: string | null;
            codec: PgCodec;
          }>;
          const parameter = parameters.find((candidate) => candidate.name === argument);
          if (!parameter || !vocabulary) throw new Error(`${where}: @vocabulary ${tag} names no argument`);
          parameter.codec = codecFor(info.state as State, vocabulary, where);
        }
      },
      pgRegistry_PgRegistryBuilder_pgCodecs(info, event) {
        for (const codec of (info.state as State).codecs.values()) event.registryBuilder.addCodec(codec);
      },
    },
  },
};
