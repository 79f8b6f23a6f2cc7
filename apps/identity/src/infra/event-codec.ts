import type { EventCodec, RecordedEvent } from '@ledger/event-store';
import { IDENTITY_EVENT_TYPES, type IdentityEvent } from '@ledger/identity-domain';

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
 * Fields that stay inside the identity service even though they are only hashes or ciphertexts:
 * no other context needs them, and a hash on a shared topic is one more copy to protect.
 */
const PRIVATE_FIELDS = ['loginPasswordHash', 'paymentPasswordHash', 'idNumberCiphertext', 'secretCiphertext', 'verificationCodeId'] as const;

/** The public form of an event published on `identity.events`: the private fields removed. */
export function toPublishedEvent(event: RecordedEvent): RecordedEvent {
  const data: Record<string, unknown> = { ...event.data };
  for (const field of PRIVATE_FIELDS) delete data[field];
  return { ...event, data };
}
