import type { EventCodec, RecordedEvent } from '@ledger/event-store';
import { IDENTITY_EVENT_TYPES, IDENTITY_EVENT, type IdentityEvent } from '@ledger/identity-domain';
import { maskPersonName } from '@ledger/util';

/**
 * Identity events are stored as their versioned type name and their data object unchanged: the
 * domain already keeps secrets out of them (hashes and ciphertexts only).
 */
export function identityCodec<Event extends IdentityEvent>(): EventCodec<Event> {
  return {
    encode: (event) => ({ type: event.type, data: event.data as unknown as Record<string, unknown> }),
    decode: (record) => {
      if (!(IDENTITY_EVENT_TYPES as readonly string[]).includes(record.type)) throw new Error(`unknown identity event type ${record.type}`);
      return { type: record.type, data: record.data } as unknown as Event;
    },
  };
}

/**
 * Fields that stay inside the identity service: hashes and ciphertexts, which no other context needs
 * (a hash on a shared topic is one more copy to protect), and the user's name, which is personal
 * data and never travels on the bus in clear (its masked form does).
 */
const PRIVATE_FIELDS = [
  'loginPasswordHash',
  'paymentPasswordHash',
  'idNumberCiphertext',
  'secretCiphertext',
  'recoveryCodeHashes',
  'codeHash',
  'verificationCodeId',
  'name',
] as const;

/** The public form of an event published on `identity.events`: the private fields removed, a registration's name masked (`张三` → `*三`). */
export function toPublishedEvent(event: RecordedEvent): RecordedEvent {
  const data: Record<string, unknown> = { ...event.data };
  if (event.type === IDENTITY_EVENT.UserRegistered && typeof data['name'] === 'string' && data['name'].trim() !== '')
    data['maskedName'] = maskPersonName(data['name']);
  for (const field of PRIVATE_FIELDS) delete data[field];
  return { ...event, data };
}
