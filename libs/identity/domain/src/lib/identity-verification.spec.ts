import { at, givenWhenThen } from '../test/given-when-then';
import { IDENTITY_ERROR } from './codes';
import { IDENTITY_EVENT, type UserEvent } from './events';
import { userDecider, type UserCommand } from './user';

/** 实名认证 after registration: a basic account becomes verified once, with its ID number kept encrypted. */
const USER = 'u-1';
const given = givenWhenThen(userDecider);
const registered = (identityLevel: 'basic' | 'verified'): UserEvent => ({
  type: IDENTITY_EVENT.UserRegistered,
  data: {
    userId: USER,
    phoneHash: 'k1.phone',
    maskedPhone: '138****5678',
    name: '张三',
    idNumberCiphertext: identityLevel === 'verified' ? 'enc:v1:k1:id-at-registration' : null,
    identityLevel,
    loginPasswordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    verificationCodeId: 'code-reg',
    deviceId: 'phone-A',
    registeredAt: at(0),
  },
});
const verify: UserCommand = { type: 'VerifyIdentity', userId: USER, idNumberCiphertext: 'enc:v1:k1:id-later', now: at(1_000) };

describe('User: identity verification', () => {
  it('given a basic account, when the user verifies an ID number, then the account is verified with the number encrypted', () => {
    const then = given([registered('basic')]).when(verify);
    expect(then.events).toEqual([
      {
        type: IDENTITY_EVENT.IdentityVerified,
        data: { userId: USER, identityLevel: 'verified', idNumberCiphertext: 'enc:v1:k1:id-later', at: at(1_000) },
      },
    ]);
    expect(then.state).toMatchObject({ identityLevel: 'verified', idNumberCiphertext: 'enc:v1:k1:id-later' });
  });

  it('given a verified account (at registration or since), when it is verified again, then IDENTITY_ALREADY_VERIFIED and nothing changes', () => {
    expect(given([registered('verified')]).when(verify)).toMatchObject({ events: [], code: IDENTITY_ERROR.IDENTITY_ALREADY_VERIFIED });
    const verified = given([registered('basic')]).when(verify);
    expect(given(verified.history).when(verify)).toMatchObject({ events: [], code: IDENTITY_ERROR.IDENTITY_ALREADY_VERIFIED });
  });

  it('given no user, when an identity is verified, then USER_NOT_FOUND', () => {
    expect(given([]).when(verify).code).toBe(IDENTITY_ERROR.USER_NOT_FOUND);
  });
});
