import type { RecordedEvent } from '@ledger/event-store';
import { IDENTITY_EVENT } from '@ledger/identity-domain';
import { toPublishedEvent } from './event-codec';

const registered = (data: Record<string, unknown>): RecordedEvent =>
  ({
    id: 'e-1',
    stream: 'user-u-1',
    revision: 0n,
    position: 1n,
    type: IDENTITY_EVENT.UserRegistered,
    data,
    metadata: {},
    recordedAt: new Date(),
  }) as unknown as RecordedEvent;

describe('identity events as published on identity.events', () => {
  it('given a registration, when published, then the name is masked and no hash or ciphertext leaves the service', () => {
    const published = toPublishedEvent(
      registered({
        userId: 'u-1',
        phoneHash: 'hs256:p1:abc',
        maskedPhone: '138****5678',
        name: '欧阳娜娜',
        idNumberCiphertext: 'enc:v1:x',
        loginPasswordHash: '$argon2id$…',
        verificationCodeId: 'c-1',
        identityLevel: 'verified',
      }),
    );
    expect(published.data).toEqual({
      userId: 'u-1',
      phoneHash: 'hs256:p1:abc',
      maskedPhone: '138****5678',
      maskedName: '***娜',
      identityLevel: 'verified',
    });
  });

  it('given another event, when published, then only its private fields go', () => {
    const frozen = {
      ...registered({ userId: 'u-1', reason: 'lost phone', name: 'not a registration' }),
      type: IDENTITY_EVENT.AccountFrozen,
    };
    expect(toPublishedEvent(frozen).data).toEqual({ userId: 'u-1', reason: 'lost phone' });
  });
});
