import { at, givenWhenThen, MINUTE } from '../test/given-when-then';
import { InvalidIdentityCommand } from './codes';
import { IDENTITY_EVENT, type PhoneReservationEvent } from './events';
import { phoneReservationDecider, phoneReservationStreamId } from './phone-reservation';

const PHONE = 'k1.abc';
const given = givenWhenThen(phoneReservationDecider);
const reserved = (userId: string): PhoneReservationEvent => ({
  type: IDENTITY_EVENT.PhoneReserved,
  data: { phoneHash: PHONE, userId, reservedAt: at(0) },
});

describe('PhoneReservation', () => {
  it('reserves a free phone for a user (stream phone-<hmac>)', () => {
    expect(given([]).when({ type: 'ReservePhone', phoneHash: PHONE, userId: 'u1', now: at(0) }).events).toEqual([reserved('u1')]);
    expect(phoneReservationStreamId(PHONE)).toBe('phone-k1.abc');
  });

  it('refuses another user with PHONE_ALREADY_REGISTERED', () => {
    const result = given([reserved('u1')]).when({ type: 'ReservePhone', phoneHash: PHONE, userId: 'u2', now: at(MINUTE) });
    expect(result.code).toBe('PHONE_ALREADY_REGISTERED');
    expect(result.events).toEqual([]);
  });

  it('treats the same user reserving again as a retry (no events, no rejection)', () => {
    const result = given([reserved('u1')]).when({ type: 'ReservePhone', phoneHash: PHONE, userId: 'u1', now: at(MINUTE) });
    expect(result.rejection).toBeUndefined();
    expect(result.events).toEqual([]);
  });

  it('releases an abandoned reservation so the phone can register again', () => {
    const released = given([reserved('u1')]).when({
      type: 'ReleasePhoneReservation',
      phoneHash: PHONE,
      userId: 'u1',
      reason: 'registration_abandoned',
      now: at(MINUTE),
    });
    expect(released.events).toEqual([
      {
        type: IDENTITY_EVENT.PhoneReservationReleased,
        data: { phoneHash: PHONE, userId: 'u1', reason: 'registration_abandoned', releasedAt: at(MINUTE) },
      },
    ]);
    expect(given(released.history).when({ type: 'ReservePhone', phoneHash: PHONE, userId: 'u2', now: at(2 * MINUTE) }).events).toHaveLength(
      1,
    );
  });

  it('releasing a free phone changes nothing; only the holder may release', () => {
    expect(given([]).when({ type: 'ReleasePhoneReservation', phoneHash: PHONE, userId: 'u1', reason: 'x', now: at(0) }).events).toEqual([]);
    expect(() =>
      given([reserved('u1')]).when({ type: 'ReleasePhoneReservation', phoneHash: PHONE, userId: 'u2', reason: 'x', now: at(0) }),
    ).toThrow(InvalidIdentityCommand);
    expect(() => given([]).when({ type: 'ReservePhone', phoneHash: '', userId: 'u1', now: at(0) })).toThrow(InvalidIdentityCommand);
  });
});
