import { z } from "zod";

// The rules every handler field follows (docs/agent.md, "Limits and content rules"). The database
// applies the generic ones at INSERT (sql/functions/autoexec_private.canonical_id.sql and
// refuse_bad_text.sql); the schemas here repeat them so a handler never acts on data that broke them,
// and add each field's own rule. test/agent-input.test.ts checks that both sides agree.

/**
 * A content id (mod, collection): a whole number from 1 to 2^53 - 1. The INSERT rewrites any spelling
 * of such a number (4.0, 40e-1) as the integer and refuses other numbers, so this accepts exactly what
 * the database stores.
 */
export const contentId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * Characters that can hide or reorder what a person reads: C0 controls but tab, newline and carriage
 * return, DEL, C1 controls (with U+0085), U+2028/U+2029 and the bidirectional marks, embeddings,
 * overrides and isolates. The same set as autoexec_private.refuse_bad_text.
 */
export const HIDDEN_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

// The content rules as patterns a whole value must match (not refinements), so the JSON Schema
// generated from these schemas (json-schema.ts) carries them too; JSON Schema patterns have no
// flags, so letter case is spelt out.
/** At least one character that is not white space: `.trim().min(1)`, as a pattern. */
const NOT_BLANK = /\S/;
// Markup a browser or a Markdown renderer would act on: the start of a tag, comment or processing
// instruction (closed or not: an unclosed one ends at the page's next ">"), a character reference
// (a renderer decodes "&#106;avascript:" into a link), and a Markdown link to a script URL
// ("[x](javascript:...)", "[x]: javascript:...").
const NO_MARKUP =
  /^(?![\s\S]*(?:<[A-Za-z!?/]|&(?:#\d|#[xX][\dA-Fa-f]|[A-Za-z][A-Za-z\d]*;)|\]\s*[(:]\s*(?:[jJ][aA][vV][aA]|[vV][bB])[sS][cC][rR][iI][pP][tT]\s*:))/;
const NO_HIDDEN_CHARACTER = new RegExp(`^[^${HIDDEN_CHARACTERS.source.slice(1, -1)}]*$`);
const ONE_LINE = /^[^\t\n\r]*$/;

/**
 * Plain text for a page: trimmed, `min` to `max` characters, no markup (HTML tags, character
 * references, javascript: or vbscript: links), none of HIDDEN_CHARACTERS,
 * and unless `multiline`, no tab or line break either.
 */
export function plainText(field: string, options: { min?: number; max: number; multiline?: boolean }) {
  const { min = 0, max, multiline = false } = options;
  let text = z.string().trim();
  if (min === 1) text = text.regex(NOT_BLANK, `${field} must not be empty`);
  else if (min > 1) text = text.min(min, `${field} must be at least ${min} characters`);
  text = text
    .max(max, `${field} must be at most ${max} characters`)
    .regex(NO_MARKUP, `${field} must be plain text, without HTML tags, character references or script links`)
    .regex(NO_HIDDEN_CHARACTER, `${field} must not contain control or bidirectional characters`);
  return multiline ? text : text.regex(ONE_LINE, `${field} must be one line of plain text`);
}
