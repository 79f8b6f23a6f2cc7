import type { EventCodec, RecordedEvent } from '@ledger/event-store';
import { CARDS_EVENT, isCardsEventType, type CardsEvent } from '@ledger/cards-domain';

/**
 * Cards events are stored as their versioned type name and their data object unchanged: the
 * domain already keeps the card number out of them (token, last four, fingerprint, masked name).
 */
export function cardsCodec<Event extends CardsEvent>(): EventCodec<Event> {
  return {
    encode: (event) => ({ type: event.type, data: event.data as unknown as Record<string, unknown> }),
    decode: (record) => {
      if (!isCardsEventType(record.type)) throw new Error(`unknown cards event type ${record.type}`);
      return { type: record.type, data: record.data } as unknown as Event;
    },
  };
}

/**
 * Fields that stay inside the cards service although they reveal no number: the keyed fingerprint
 * (a stable identifier of the card across users) and the issuer's token (what a charge needs;
 * payments get it from CheckCard right before use). A copy on a shared topic is one more to protect.
 */
const PRIVATE_FIELDS = ['fingerprint', 'cardToken'] as const;

const PUBLISHED_TYPES: ReadonlySet<string> = new Set([
  CARDS_EVENT.CardBound,
  CARDS_EVENT.CardUnbound,
  CARDS_EVENT.DefaultCardChanged,
  CARDS_EVENT.CardSuspended,
  CARDS_EVENT.CardReinstated,
]);

/**
 * What the relay publishes on `cards.events`: the user-cards events without their private fields.
 * Fingerprint reservations (`cardfp-…`) are internal bookkeeping and are never published.
 */
export function publishedView(event: RecordedEvent): RecordedEvent | undefined {
  if (!PUBLISHED_TYPES.has(event.type)) return undefined;
  const data: Record<string, unknown> = { ...event.data };
  for (const field of PRIVATE_FIELDS) delete data[field];
  return { ...event, data };
}
