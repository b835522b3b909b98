import { z } from 'zod';
import { type AudienceExpression, audienceDepth } from './audience.js';

/** How deep an expression may nest; deeper ones are refused as INVALID_INPUT. */
export const MAX_AUDIENCE_DEPTH = 8;
/** Operands of one AND / OR. */
export const MAX_AUDIENCE_OPERANDS = 50;

const text = z.string().trim().min(1).max(100);
const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
const attributeKey = z.string().min(1).max(64);

const attributePredicate = z.union([
  z.strictObject({ key: attributeKey, op: z.literal('exists') }),
  z.strictObject({ key: attributeKey, op: z.literal('eq'), value: scalar }),
  z.strictObject({ key: attributeKey, op: z.literal('in'), values: z.array(scalar).min(1).max(500) }),
  z.strictObject({
    key: attributeKey,
    op: z.enum(['gt', 'gte', 'lt', 'lte']),
    value: z.number().finite(),
  }),
]);

const region = z
  .strictObject({ province: text.optional(), city: text.optional(), district: text.optional() })
  .refine((r) => r.province !== undefined || r.city !== undefined || r.district !== undefined, {
    message: 'a region names a province, a city or a district',
  });

const node: z.ZodType<AudienceExpression> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ tag: z.string().min(1).max(32) }),
    z.strictObject({ tagUnder: z.string().min(1).max(32) }),
    z.strictObject({ region }),
    z.strictObject({ device: text }),
    z.strictObject({ activeWithinDays: z.number().int().min(0).max(3650) }),
    z.strictObject({ attribute: attributePredicate }),
    z.strictObject({
      groups: z.strictObject({
        owners: z
          .array(z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'owners are userids'))
          .min(1)
          .max(500)
          .optional(),
        nameContains: text.optional(),
      }),
    }),
    z.strictObject({ and: z.array(node).max(MAX_AUDIENCE_OPERANDS) }),
    z.strictObject({ or: z.array(node).max(MAX_AUDIENCE_OPERANDS) }),
    z.strictObject({ not: node }),
  ]),
) as z.ZodType<AudienceExpression>;

/** Exactly one shape per node, nested at most MAX_AUDIENCE_DEPTH deep. */
export const audienceExpressionSchema: z.ZodType<AudienceExpression> = node.refine(
  (e) => audienceDepth(e) <= MAX_AUDIENCE_DEPTH,
  { message: `an audience nests at most ${MAX_AUDIENCE_DEPTH} levels` },
) as z.ZodType<AudienceExpression>;
