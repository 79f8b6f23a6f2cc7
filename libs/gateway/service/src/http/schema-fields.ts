/**
 * The pieces the HTTP schemas of every area share: the object builders (`strict` for requests,
 * `loose` for documented responses), the phone, the payment password, instants, amounts, the user id
 * in a path and the query of a paged list.
 */
import { MOBILE_PHONE_PATTERN } from '@ledger/contracts';
import { Type } from '@sinclair/typebox';

export const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description === undefined ? {} : { description }) });

export const Phone = Type.String({
  maxLength: 40,
  pattern: MOBILE_PHONE_PATTERN,
  description: 'mainland mobile number, e.g. 13812345678',
  examples: ['13812345678'],
});
export const PaymentPassword = (description: string) => Type.String({ pattern: '^[0-9]{6}$', description });

export const UserIdParam = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });

export const loose = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });
export const Instant = Type.String({ description: 'ISO-8601 instant' });
export const Amount = Type.String({
  pattern: '^(0|-?[1-9][0-9]*)$',
  description: 'amount in fen as a decimal string ("12345" = 123.45 CNY)',
});

export const ListPaymentsQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|100)$', description: '1..100, default 20' })),
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
