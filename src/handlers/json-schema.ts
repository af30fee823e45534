import { z } from "zod";
import type { ActionHandler } from "./types.ts";

/**
 * The JSON Schema (draft 2020-12) of an action type's `action_data`, generated from its handler's
 * zod schema, the one the executor parses with: what the agent can validate a proposal against
 * before its INSERT, and reuse as a tool's input schema. It describes the data as the agent sends
 * it (`io: "input"`: defaults make a property optional). Whitespace trimming is the one thing it
 * cannot express: a string padded with spaces past its maximum length is refused by the schema
 * and accepted (trimmed) by the handler, never the other way round.
 */
export function actionDataJsonSchema(handler: ActionHandler): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://autoexec.invalid/schemas/action-data/${handler.type}.schema.json`,
    title: `${handler.type} action_data`,
    description: `What autoexec.actions.action_data must hold for an action of type ${handler.type} (Tier ${handler.tier}).`,
    ...withoutDraft(z.toJSONSchema(handler.schema, { io: "input", target: "draft-2020-12" })),
  };
}

function withoutDraft({ $schema: _draft, ...schema }: Record<string, unknown>): Record<string, unknown> {
  return schema;
}
