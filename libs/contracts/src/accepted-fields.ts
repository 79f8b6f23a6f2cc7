/**
 * The field schemas of the services' answers: what a command's `accepted` schema (the shape of its
 * accepted result's `data`) is written with. A file of their own, imported by the contracts of
 * wallet, payments and identity, because `wallet.ts` cannot be imported by a file it imports.
 *
 * Answers are checked more loosely than payloads: an object lists the fields a client may rely on
 * and lets a service add others (a newer version's fields must not break an older client), and an
 * instant is any ISO-8601 instant with an offset, as the services write them.
 */
import { Type, type TProperties } from '@sinclair/typebox';

/** A non-negative whole number of fen as a decimal string (balances, what a capture gave back). */
export const Minor = Type.String({ pattern: '^(0|[1-9][0-9]{0,17})$', description: 'amount in fen, as a decimal string' });
/** A positive whole number of fen as a decimal string: the amount of a payment, a hold or a credit. */
export const PositiveMinor = Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'positive amount in fen, as a decimal string' });
/** A signed amount of fen as it appears in postings ("-100": what the account gives). */
export const SignedMinor = Type.String({ pattern: '^(0|-?[1-9][0-9]{0,17})$' });
/** An ISO-8601 instant with an offset (`2026-11-22T10:00:00.000Z`). */
export const AnsweredInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
});
/** A whole number as a decimal string (a stream revision). */
export const Count = Type.String({ pattern: '^(0|[1-9][0-9]*)$' });

/** One double-entry posting of a money movement: what the account gains. */
export const Posting = Type.Object({ account: Type.String(), amountMinor: SignedMinor }, { additionalProperties: true });

/** An answer's object: the fields listed are there; a service may add others, which a client ignores. */
export const answer = <T extends TProperties>(properties: T) => Type.Object(properties, { additionalProperties: true });
