import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { SafeError } from "postgraphile/grafast";
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from "postgraphile/graphql";
import { type Config, loadConfig } from "../config.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./graphql-plugins.ts";

/**
 * What one GraphQL request may cost (issue 12): a read-only token must not be able to take the server
 * down. The document is measured before anything runs; what it reads from the database and what its
 * answer would hold are metered while it runs, and the request is stopped at the first byte over.
 */
export interface RequestBudget {
  /** Fields nested in fields (fragments count where they are spread). */
  maxDepth: number;
  /** Aliased fields in the whole document, after fragments are spread. */
  maxAliases: number;
  /** Fields in the whole document, after fragments are spread. */
  maxFields: number;
  /** Estimated nodes of the answer: each connection multiplies what it holds by its page size. */
  maxCost: number;
  /** Items in one list, in the document or in the variables. */
  maxListLength: number;
  /** Bytes the request may read from the database, and bytes its answer may hold. */
  maxResponseBytes: number;
  /** Milliseconds the request may run, all its SQL statements together. */
  maxMs: number;
}

/** The budget the configuration sets (GRAPHQL_MAX_* environment variables). */
export function requestBudget(config: Config): RequestBudget {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxFields: config.GRAPHQL_MAX_FIELDS,
    maxCost: config.GRAPHQL_MAX_COST,
    maxListLength: config.GRAPHQL_MAX_LIST_LENGTH,
    maxResponseBytes: config.GRAPHQL_MAX_RESPONSE_BYTES,
    maxMs: config.GRAPHQL_TIMEOUT_MS,
  };
}

/** The defaults of those variables (src/config.ts holds them). */
export const DEFAULT_REQUEST_BUDGET: RequestBudget = requestBudget(loadConfig({}));

/** The parser stops after this many tokens (a 100 kB document of short names is ~30,000). */
export const MAX_DOCUMENT_TOKENS = 20_000;
/** Nesting in the document (introspection's `ofType`s included) may be this many times the depth budget. */
const MAX_NESTING_FACTOR = 3;
/** Introspection lists (types, fields, arguments) count as this many items each: the schema bounds them. */
const INTROSPECTION_LIST_SIZE = 10;
/** Variables are ids, texts and small input objects; deeper JSON is refused before it is read further. */
export const MAX_VARIABLES_DEPTH = 32;

interface Measures {
  depth: number;
  fields: number;
  aliases: number;
  cost: number;
}

/**
 * Measures `document` against the budget (the operation to run, fragments spread). Returns the first
 * limit it goes over, or undefined. Fragment cycles are reported here too: graphql-js would refuse
 * them later, but measuring one must not loop.
 */
export function checkDocument(
  document: DocumentNode,
  schema: GraphQLSchema,
  budget: RequestBudget,
): string | undefined {
  const longList = findLongList(document, budget.maxListLength);
  if (longList) return longList;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measurer = new DocumentMeasurer(schema, fragments, budget);
  const total: Measures = { depth: 0, fields: 0, aliases: 0, cost: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root =
      definition.operation === "query"
        ? schema.getQueryType()
        : definition.operation === "mutation"
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    const measures = measurer.selectionSet(definition.selectionSet, root ?? undefined, 0, 0);
    if (measurer.problem) return measurer.problem;
    total.depth = Math.max(total.depth, measures.depth);
    total.fields += measures.fields;
    total.aliases += measures.aliases;
    total.cost += measures.cost;
  }
  return overLimit(total, budget);
}

function overLimit(measures: Measures, budget: RequestBudget): string | undefined {
  if (measures.depth > budget.maxDepth) return tooDeep(String(measures.depth), budget);
  if (measures.aliases > budget.maxAliases) {
    return `the query has ${measures.aliases} aliases; at most ${budget.maxAliases} (GRAPHQL_MAX_ALIASES)`;
  }
  if (measures.fields > budget.maxFields) {
    return `the query has ${measures.fields} fields once its fragments are spread; at most ${budget.maxFields} (GRAPHQL_MAX_FIELDS)`;
  }
  if (measures.cost > budget.maxCost) {
    return `the query could return about ${formatCount(measures.cost)} nodes (page sizes multiplied through its nesting); at most ${budget.maxCost} (GRAPHQL_MAX_COST)`;
  }
  return undefined;
}

function formatCount(count: number): string {
  return count >= 1e6 ? count.toExponential(1).replace("e+", "e") : String(Math.round(count));
}

/** Walks selection sets with their schema types; fragments are measured once and reused. */
class DocumentMeasurer {
  problem: string | undefined;
  private readonly fragmentMeasures = new Map<string, Measures>();
  private readonly spreading = new Set<string>();

  private readonly schema: GraphQLSchema;
  private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  private readonly budget: RequestBudget;

  constructor(
    schema: GraphQLSchema,
    fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    budget: RequestBudget,
  ) {
    this.schema = schema;
    this.fragments = fragments;
    this.budget = budget;
  }

  /**
   * `depth` is how deep this selection set is (what the budget counts), `nesting` how deep it is in the
   * document; past the budget the walk stops (and the problem is reported).
   */
  selectionSet(
    set: SelectionSetNode,
    type: GraphQLNamedType | undefined,
    depth: number,
    nesting: number,
  ): Measures {
    const sum: Measures = { depth: 0, fields: 0, aliases: 0, cost: 0 };
    const add = (part: Measures) => {
      sum.depth = Math.max(sum.depth, part.depth);
      sum.fields += part.fields;
      sum.aliases += part.aliases;
      sum.cost += part.cost;
    };
    for (const selection of set.selections) {
      if (this.problem) break;
      if (selection.kind === Kind.FIELD) add(this.field(selection, type, depth, nesting));
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? this.schema.getType(selection.typeCondition.name.value)
          : type;
        add(this.selectionSet(selection.selectionSet, condition ?? undefined, depth, nesting));
      } else add(this.fragment(selection.name.value, depth, nesting));
    }
    return sum;
  }

  private fragment(name: string, depth: number, nesting: number): Measures {
    const known = this.fragmentMeasures.get(name);
    if (known) return known; // a fragment measures the same wherever it is spread
    const fragment = this.fragments.get(name);
    if (!fragment) return { depth: 0, fields: 0, aliases: 0, cost: 0 }; // graphql-js reports it
    if (this.spreading.has(name)) {
      this.problem = `fragment ${name} spreads itself (a fragment cycle)`;
      return { depth: 0, fields: 0, aliases: 0, cost: 0 };
    }
    this.spreading.add(name);
    const type = this.schema.getType(fragment.typeCondition.name.value) ?? undefined;
    // Measured from the depth of its first spread, so that the walk below stops within the budget.
    const measures = this.selectionSet(fragment.selectionSet, type, depth, nesting);
    this.spreading.delete(name);
    this.fragmentMeasures.set(name, measures);
    return measures;
  }

  private field(
    node: FieldNode,
    parent: GraphQLNamedType | undefined,
    depth: number,
    nesting: number,
  ): Measures {
    const alias = node.alias ? 1 : 0;
    if (!node.selectionSet) return { depth: 1, fields: 1, aliases: alias, cost: 1 };
    // Introspection spells a wrapped type as nested `ofType`s (GraphiQL asks for 9): they follow the
    // schema's wrappers and end in null, so they do not count as depth, only as nesting.
    const nests = !(parent?.name === "__Type" && node.name.value === "ofType");
    const childDepth = depth + (nests ? 1 : 0);
    if (childDepth + 1 > this.budget.maxDepth || nesting + 1 > MAX_NESTING_FACTOR * this.budget.maxDepth) {
      // Its children would be deeper than the budget: stop here rather than walk a hostile depth.
      this.problem = tooDeep(`more than ${this.budget.maxDepth}`, this.budget);
      return { depth: 1, fields: 1, aliases: alias, cost: 1 };
    }
    const definition = fieldsOf(parent)?.[node.name.value];
    const type = definition ? getNamedType(definition.type) : undefined;
    const children = this.selectionSet(node.selectionSet, type, childDepth, nesting + 1);
    // A connection's page size counts once, on the connection, not again on its nodes or edges.
    const inPage = parent?.name.endsWith("Connection") ?? false;
    const perItem = definition && !inPage ? itemsPerValue(definition.type, type, node) : 1;
    return {
      depth: children.depth + (nests ? 1 : 0),
      fields: children.fields + 1,
      aliases: children.aliases + alias,
      cost: 1 + perItem * children.cost,
    };
  }
}

function tooDeep(depth: string, budget: RequestBudget): string {
  return `the query is nested ${depth} fields deep; at most ${budget.maxDepth} (GRAPHQL_MAX_DEPTH)`;
}

function fieldsOf(type: GraphQLNamedType | undefined) {
  if (!type || !isCompositeType(type)) return undefined;
  const composite = type as GraphQLCompositeType;
  return isObjectType(composite) || isInterfaceType(composite) ? composite.getFields() : undefined;
}

/**
 * How many values one occurrence of a field can stand for: a connection's page size (its `first` or
 * `last`, the page cap when that is a variable, the default page without either), the page cap for
 * a plain list of objects, else 1. The page count is put on the connection, so its totalCount and
 * pageInfo count as often as its nodes: an overestimate, never an underestimate.
 */
function itemsPerValue(
  outputType: Parameters<typeof getNamedType>[0],
  named: GraphQLNamedType | undefined,
  node: FieldNode,
): number {
  if (named?.name.endsWith("Connection")) {
    const sizes = (node.arguments ?? [])
      .filter((argument) => argument.name.value === "first" || argument.name.value === "last")
      .map((argument) => (argument.value.kind === Kind.INT ? Number(argument.value.value) : MAX_PAGE_SIZE));
    return sizes.length ? Math.max(0, Math.min(...sizes)) : DEFAULT_PAGE_SIZE;
  }
  const unwrapped = isNonNullType(outputType) ? outputType.ofType : outputType;
  if (!isListType(unwrapped)) return 1;
  return named?.name.startsWith("__") ? INTROSPECTION_LIST_SIZE : MAX_PAGE_SIZE;
}

function findLongList(document: DocumentNode, maxLength: number): string | undefined {
  let found: string | undefined;
  visit(document, {
    ListValue(node: { values: readonly ValueNode[] }) {
      if (!found && node.values.length > maxLength) {
        found = listMessage(node.values.length, maxLength);
      }
    },
  });
  return found;
}

function listMessage(length: number, maxLength: number): string {
  return `a list of ${length} items; at most ${maxLength} per list (GRAPHQL_MAX_LIST_LENGTH)`;
}

/** Checks the variables' nesting and list lengths without recursion (a hostile body may be deep). */
export function checkVariables(variables: unknown, budget: RequestBudget): string | undefined {
  const stack: [unknown, number][] = [[variables, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_VARIABLES_DEPTH) {
      return `the variables are nested more than ${MAX_VARIABLES_DEPTH} levels deep`;
    }
    const children = Array.isArray(value) ? value : Object.values(value);
    if (Array.isArray(value) && value.length > budget.maxListLength) {
      return `variables: ${listMessage(value.length, budget.maxListLength)}`;
    }
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}

/**
 * What one request has read from the database, decoded and would answer, and whether it ran out of
 * time. It lives in an AsyncLocalStorage for the request, so the database clients can charge the
 * request that uses them, and a request over budget can have its statements stopped.
 */
export class ResponseMeter {
  private readBytes = 0;
  private answerBytes = 0;
  private decodedBytes = 0;
  exceeded = false;
  timedOut = false;
  readonly maxBytes: number;
  readonly maxMs: number;
  /** Clients this request has queried on (each may since serve another request: see cut()). */
  readonly clients = new Set<MeteredPoolClient>();

  constructor(budget: Pick<RequestBudget, "maxResponseBytes" | "maxMs">) {
    this.maxBytes = budget.maxResponseBytes;
    this.maxMs = budget.maxMs;
  }

  /** Adds bytes received from the database; false once the request is over its budget. */
  chargeRead(bytes: number): boolean {
    this.readBytes += bytes;
    return this.check(this.readBytes);
  }

  /** Adds bytes of JSON decoded for the answer; false once the request is over its budget. */
  chargeDecoded(bytes: number): boolean {
    this.decodedBytes += bytes;
    return this.check(this.decodedBytes);
  }

  /** Adds bytes of the answer; false once the request is over its budget. */
  chargeAnswer(bytes: number): boolean {
    this.answerBytes += bytes;
    return this.check(this.answerBytes);
  }

  /** Out of time: the statement running for this request is cancelled and its connection cut. */
  timeOut(): void {
    if (this.exceeded) return;
    this.exceeded = true;
    this.timedOut = true;
    for (const client of this.clients) cut(client, this);
  }

  private check(bytes: number): boolean {
    if (bytes > this.maxBytes) this.exceeded = true;
    return !this.exceeded;
  }

  get message(): string {
    return this.timedOut
      ? `the request ran longer than ${this.maxMs} ms (GRAPHQL_TIMEOUT_MS) and was stopped; ask for less`
      : `the answer would be larger than ${this.maxBytes} bytes (GRAPHQL_MAX_RESPONSE_BYTES); ask for fewer rows or fields`;
  }
}

export const responseMeters = new AsyncLocalStorage<ResponseMeter>();

const meteredClient = Symbol("autoexec.meteredClient");
const currentMeter = Symbol("autoexec.currentMeter");
const meteredCodec = Symbol("autoexec.meteredCodec");

type MeteredPoolClient = pg.PoolClient & {
  [meteredClient]?: true;
  [currentMeter]?: ResponseMeter;
  connection?: {
    on(event: "dataRow", listener: (message: { fields: unknown[] }) => void): void;
    stream?: { destroy(): void };
  };
  _activeQuery?: unknown;
  processID?: number;
  secretKey?: number;
  host?: string;
  port?: number;
};

/**
 * Stops what `client` is doing for `meter`'s request, if it still works for that request: asks the
 * server to cancel the running statement (a cut socket alone leaves a long statement running until
 * it next sends a row), then cuts the connection so no more rows arrive and no more statements run.
 */
function cut(client: MeteredPoolClient, meter: ResponseMeter): void {
  if (client[currentMeter] !== meter) return;
  if (client._activeQuery) {
    // A cancel request, as pg sends one, on a connection of its own (best effort: the cut stops the
    // request anyway).
    const canceller = new pg.Connection() as pg.Connection & {
      connect(port: number | string, host?: string): void;
      cancel(processID: number, secretKey: number): void;
    };
    canceller.on("error", () => undefined);
    canceller.on("connect", () => canceller.cancel(client.processID as number, client.secretKey as number));
    const socketPath = client.host?.startsWith("/") ? `${client.host}/.s.PGSQL.${client.port}` : undefined;
    if (socketPath) canceller.connect(socketPath);
    else canceller.connect(client.port ?? 5432, client.host);
  }
  client.connection?.stream?.destroy();
}

/**
 * Charges every row a client of `pool` receives to the request running the query (if any). A request
 * over its budget loses its connection at once (see cut()): the rows stop arriving instead of piling
 * up in memory, its queries fail, and the pool replaces the connection.
 */
export function meterPool(pool: pg.Pool): void {
  // On every checkout, not on connect: the pool may hold clients opened before this was called.
  pool.on("acquire", (client) => {
    const metered = client as MeteredPoolClient;
    if (metered[meteredClient]) return;
    metered[meteredClient] = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const meter = responseMeters.getStore();
      metered[currentMeter] = meter;
      meter?.clients.add(metered);
      return query(...args);
    };
    metered.connection?.on("dataRow", (message) => {
      const meter = metered[currentMeter];
      if (!meter) return;
      if (!meter.exceeded) {
        let bytes = 0;
        for (const field of message.fields) bytes += field == null ? 0 : (field as string).length;
        meter.chargeRead(bytes);
      }
      // Over budget (by these rows or otherwise): whatever else is on its way is not wanted.
      if (meter.exceeded) cut(metered, meter);
    });
  });
}

/**
 * Charges the JSON a request decodes to its meter, and stops it once over. PostGraphile decodes a
 * json/jsonb value each time the answer shows it, so 60 aliases of one page of large rows read the rows
 * once but decode them 60 times: this is where such a request would run out of memory. The codecs are
 * shared objects; they are wrapped once, and do nothing more outside a metered request.
 */
export function meterJsonDecoding(codecs: readonly { fromPg: (value: string) => unknown }[]): void {
  for (const codec of codecs) {
    const decode = codec.fromPg;
    if ((decode as { [meteredCodec]?: true })[meteredCodec]) continue;
    const metered = (value: string) => {
      const meter = responseMeters.getStore();
      if (meter && !meter.chargeDecoded(value.length)) throw new SafeError(meter.message);
      return decode(value);
    };
    (metered as { [meteredCodec]?: true })[meteredCodec] = true;
    codec.fromPg = metered;
  }
}

/**
 * Charges the size of an answer's data to the meter (shared values count each time they appear, as
 * they would in JSON), without recursion and stopping at the first byte over. Only JSON-like data:
 * not errors, whose AST nodes link back and forth.
 */
export function measureAnswer(meter: ResponseMeter, value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === "string") {
      if (!meter.chargeAnswer(item.length + 2)) return false;
    } else if (item === null || typeof item !== "object") {
      if (!meter.chargeAnswer(8)) return false;
    } else if (Array.isArray(item)) {
      if (!meter.chargeAnswer(item.length + 2)) return false;
      for (const child of item) stack.push(child);
    } else {
      for (const [key, child] of Object.entries(item)) {
        if (!meter.chargeAnswer(key.length + 4)) return false;
        stack.push(child);
      }
    }
  }
  return true;
}

/** The GraphQL error for a request stopped by its meter. */
export function overBudgetError(meter: ResponseMeter): GraphQLError {
  return new GraphQLError(meter.message, { extensions: { code: "RESPONSE_TOO_LARGE" } });
}
