import { Keyring } from '@ledger/crypto';
import { CARDS_EVENT, containsCardNumberLikeRun } from '@ledger/cards-domain';
import type { RecordedEvent } from '@ledger/event-store';
import { loadCardsConfig } from './config';
import { actorMayActFor, parseActor } from './infra/actor';
import { publishedView } from './infra/event-codec';
import { cardIdFor, derivedId } from './infra/ids';

function recorded(type: string, data: Record<string, unknown>): RecordedEvent {
  return {
    id: '00000000-0000-8000-8000-000000000000',
    stream: 'cards-u1',
    revision: 0n,
    position: 1n,
    cursor: 'c',
    type,
    data,
    metadata: { correlationId: 'c', causationId: 'c', actor: 'user:u1', occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion: 1 },
    recordedAt: new Date(0),
    hash: 'h',
  };
}

describe('cards service adapters (pure)', () => {
  it('derives card ids from the command id: stable, distinct, and never digit runs', () => {
    expect(cardIdFor('cmd-1')).toBe(cardIdFor('cmd-1'));
    expect(cardIdFor('cmd-1')).not.toBe(cardIdFor('cmd-2'));
    for (let index = 0; index < 500; index += 1) {
      const id = cardIdFor(`command-${index}`);
      expect(id).toMatch(/^card_[a-z]{20}$/);
      expect(containsCardNumberLikeRun(id)).toBe(false);
    }
    expect(derivedId('cmd-1', 'release')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedId('cmd-1', 'release')).not.toBe(derivedId('cmd-1', 'verify-payment-password'));
  });

  it('publishes user-card events without fingerprint and token, and keeps reservations internal', () => {
    const bound = publishedView(
      recorded(CARDS_EVENT.CardBound, { userId: 'u1', cardId: 'card_a', fingerprint: 'k1.ab', cardToken: 'tok', last4: '1234' }),
    );
    expect(bound?.data).toEqual({ userId: 'u1', cardId: 'card_a', last4: '1234' });
    expect(publishedView(recorded(CARDS_EVENT.CardUnbound, { userId: 'u1', cardId: 'card_a', fingerprint: 'k1.ab' }))?.data).toEqual({
      userId: 'u1',
      cardId: 'card_a',
    });
    expect(
      publishedView(recorded(CARDS_EVENT.CardFingerprintReserved, { userId: 'u1', cardId: 'card_a', fingerprint: 'k1.ab' })),
    ).toBeUndefined();
    expect(
      publishedView(recorded(CARDS_EVENT.CardFingerprintReleased, { userId: 'u1', cardId: 'card_a', fingerprint: 'k1.ab' })),
    ).toBeUndefined();
  });

  it('lets the owner act, and support or systems only where a command allows them', () => {
    expect(actorMayActFor(parseActor('user:u1'), 'u1')).toBe(true);
    expect(actorMayActFor(parseActor('user:u2'), 'u1', ['support', 'system'])).toBe(false);
    expect(actorMayActFor(parseActor('system:payments'), 'u1')).toBe(false);
    expect(actorMayActFor(parseActor('system:payments'), 'u1', ['system'])).toBe(true);
    expect(actorMayActFor(parseActor('support:agent'), 'u1', ['system'])).toBe(false);
    expect(actorMayActFor(parseActor('anonymous'), 'u1', ['support', 'system'])).toBe(false);
    expect(parseActor('risk:rule-1')).toEqual({ kind: 'anonymous' });
  });

  it("refuses to run without the issuer's URL and key, or on development keys, unless development mode is asked for", () => {
    expect(() => loadCardsConfig({}, { DATABASE_URL: 'postgres://x/y' })).toThrow(/LEDGER_DEV_MODE=1/);
    expect(() => loadCardsConfig({}, { NODE_ENV: 'staging', DATABASE_URL: 'postgres://x/y' })).toThrow(/LEDGER_DEV_MODE=1/);
    expect(() => loadCardsConfig({}, { LEDGER_DEV_MODE: '1' })).toThrow(/DATABASE_URL/);
    const config = loadCardsConfig(
      { fieldKeyring: Keyring.generate(['f1']) },
      { LEDGER_DEV_MODE: '1', DATABASE_URL: 'postgres://x/y', KAFKA_TOPIC_PREFIX: 'p.' },
    );
    expect(config).toMatchObject({
      topicPrefix: 'p.',
      eventStoreUrl: 'postgres://x/y',
      issuer: { baseUrl: 'http://127.0.0.1:4400/issuer', allowSimulator: true },
    });
    expect(config.pepperKeyring.isDevelopmentKeyring).toBe(true);
  });
});
