// Schemas of grammar files (device files: src/devices/schema.ts). Unknown keys are errors (a typo
// must not pass silently), except `metadata`, which hassil files carry and hark ignores.
import { z } from "zod";

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const contextConstraint = z.union([scalar, z.array(scalar), z.strictObject({ slot: z.literal(true) })]);
export const ident = z.string().regex(/^[\w.-]+$/, "names may contain letters, digits, '_', '.', '-'");

/** A value of a value list (grammar files; device files extend lists with it). */
export const listValue = z.union([
  z.string(),
  z.number(),
  z.strictObject({
    in: z.union([z.string(), z.number()]),
    out: scalar.optional(),
    context: z.record(z.string(), scalar).optional(),
    metadata: z.unknown().optional(),
  }),
]);

export const listSchema = z.union([
  z.strictObject({ values: z.array(listValue), multiple: z.boolean().optional(), metadata: z.unknown().optional() }),
  z.strictObject({
    range: z.strictObject({
      from: z.number(),
      to: z.number(),
      step: z.number().positive().optional(),
      type: z.enum(["number", "percentage", "temperature"]).optional(),
      fractions: z.enum(["halves", "tenths"]).optional(),
      multiplier: z.number().optional(),
      digits: z.boolean().optional(),
      words: z.boolean().optional(),
    }),
    metadata: z.unknown().optional(),
  }),
  z.strictObject({
    wildcard: z.literal(true),
    max_words: z.number().int().positive().optional(),
    examples: z.array(z.string()).optional(),
    metadata: z.unknown().optional(),
  }),
]);

const dataBlock = z.strictObject({
  sentences: z.array(z.string()).min(1, "a data block needs at least one sentence"),
  slots: z.record(z.string(), scalar).optional(),
  requires_context: z.record(z.string(), contextConstraint).optional(),
  excludes_context: z.record(z.string(), contextConstraint).optional(),
  response: z.string().optional(),
  expansion_rules: z.record(z.string(), z.string()).optional(),
  metadata: z.unknown().optional(),
});

const slotDecl = z
  .strictObject({
    list: ident.optional(),
    required: z.boolean().optional(),
    description: z.string().optional(),
    prompt: z.string().optional(),
  })
  .nullable();

const intent = z.strictObject({
  description: z.string().optional(),
  domain: z.string().optional(),
  confirm: z.boolean().optional(),
  slots: z.record(ident, slotDecl).optional(),
  responses: z.record(z.string(), z.string()).optional(),
  data: z.array(dataBlock).optional(),
  metadata: z.unknown().optional(),
});

export const grammarFileSchema = z.strictObject({
  language: z.string().min(1),
  intents: z.record(ident, intent).optional(),
  lists: z.record(ident, listSchema).optional(),
  expansion_rules: z.record(ident, z.string()).optional(),
  skip_words: z.array(z.string()).optional(),
  /** Words read when typed but not listened for: the grammar ASR leaves out every sentence with one. */
  unheard_words: z.array(z.string()).optional(),
  responses: z.unknown().optional(),
  metadata: z.unknown().optional(),
});
export type GrammarFile = z.infer<typeof grammarFileSchema>;
export type ListSpec = z.infer<typeof listSchema>;
