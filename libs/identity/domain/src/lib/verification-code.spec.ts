import fc from 'fast-check';
import { fold } from '@ledger/util';
import { at, givenWhenThen, HOUR, MINUTE, SECOND } from '../test/given-when-then';
import { IDENTITY_EVENT, type VerificationCodeEvent, type VerificationPurpose } from './events';
import { InvalidIdentityCommand } from './codes';
import {
  codeProofFrom,
  verificationCodeDecider,
  verificationCodeStreamId,
  type ConsumeVerificationCode,
  type RequestVerificationCode,
} from './verification-code';

const PHONE = 'k1.phone-under-test';
const given = givenWhenThen(verificationCodeDecider);

function request(ms: number, codeId: string, purpose: VerificationPurpose = 'registration'): RequestVerificationCode {
  return { type: 'RequestVerificationCode', phoneHash: PHONE, purpose, codeId, codeHash: `hash-of-${codeId}`, now: at(ms) };
}
function consume(ms: number, matches: boolean, purpose: VerificationPurpose = 'registration'): ConsumeVerificationCode {
  return { type: 'ConsumeVerificationCode', phoneHash: PHONE, purpose, matches, now: at(ms) };
}
function issued(
  ms: number,
  codeId: string,
  purpose: VerificationPurpose = 'registration',
  replacesCodeId: string | null = null,
): VerificationCodeEvent {
  return {
    type: IDENTITY_EVENT.VerificationCodeIssued,
    data: {
      phoneHash: PHONE,
      purpose,
      codeId,
      codeHash: `hash-of-${codeId}`,
      issuedAt: at(ms),
      expiresAt: at(ms + 5 * MINUTE),
      resendAllowedAt: at(ms + 60 * SECOND),
      replacesCodeId,
    },
  };
}
function failed(ms: number, codeId: string, failedAttempts: number): VerificationCodeEvent {
  return {
    type: IDENTITY_EVENT.VerificationCodeAttemptFailed,
    data: { phoneHash: PHONE, purpose: 'registration', codeId, failedAttempts, attemptsLeft: 5 - failedAttempts, at: at(ms) },
  };
}

describe('VerificationCode: RequestVerificationCode', () => {
  it('issues a code that expires in 5 minutes and may be resent after 60 s', () => {
    const result = given([]).when(request(0, 'c1'));
    expect(result.rejection).toBeUndefined();
    expect(result.events).toEqual([issued(0, 'c1')]);
    expect(verificationCodeStreamId(PHONE)).toBe(`sms-${PHONE}`);
  });

  it('refuses a resend before the cooldown with RESEND_TOO_SOON and the retry time', () => {
    const result = given([issued(0, 'c1')]).when(request(60 * SECOND - 1, 'c2'));
    expect(result.code).toBe('RESEND_TOO_SOON');
    expect(result.details).toEqual({ retryAt: at(60 * SECOND), retryAfterMs: 1 });
    expect(result.events).toEqual([]);
  });

  it('resends at the cooldown boundary; the new code replaces the old one', () => {
    const result = given([issued(0, 'c1')]).when(request(60 * SECOND, 'c2'));
    expect(result.events).toEqual([issued(60 * SECOND, 'c2', 'registration', 'c1')]);
    // The old code is gone: only the new one can be consumed.
    expect(result.state.kind === 'tracked' && result.state.slots.registration?.codeId).toBe('c2');
  });

  it('does not carry wrong tries of a replaced code over to its replacement', () => {
    const result = given([
      issued(0, 'c1'),
      failed(SECOND, 'c1', 1),
      failed(2 * SECOND, 'c1', 2),
      issued(MINUTE, 'c2', 'registration', 'c1'),
    ]).when(consume(MINUTE + 1, false));
    expect(result.details).toEqual({ attemptsLeft: 4 });
  });

  it('keeps purposes apart: another purpose is not blocked by the cooldown', () => {
    const result = given([issued(0, 'c1')]).when(request(SECOND, 'c2', 'unfreeze'));
    expect(result.events).toHaveLength(1);
  });

  it('caps a phone at 5 codes per rolling hour across purposes with TOO_MANY_CODES', () => {
    const history = [
      issued(0, 'a'),
      issued(MINUTE, 'b'),
      issued(2 * MINUTE, 'c'),
      issued(3 * MINUTE, 'd', 'unfreeze'),
      issued(4 * MINUTE, 'e', 'login_step_up'),
    ];
    const result = given(history).when(request(10 * MINUTE, 'f', 'payment_password_reset'));
    expect(result.code).toBe('TOO_MANY_CODES');
    expect(result.details).toEqual({ retryAt: at(HOUR), retryAfterMs: 50 * MINUTE, maxCodesPerWindow: 5 });
  });

  it('frees the cap exactly one hour after the oldest code in the window', () => {
    const history = [issued(0, 'a'), issued(MINUTE, 'b'), issued(2 * MINUTE, 'c'), issued(3 * MINUTE, 'd'), issued(4 * MINUTE, 'e')];
    expect(given(history).when(request(HOUR - 1, 'f')).code).toBe('TOO_MANY_CODES');
    expect(given(history).when(request(HOUR, 'f')).code).toBeUndefined();
    // …and the next one is blocked until the second-oldest leaves the window.
    const after = given(history).when(request(HOUR, 'f')).history;
    expect(given(after).when(request(HOUR + MINUTE - 1, 'g', 'unfreeze')).details).toMatchObject({ retryAt: at(HOUR + MINUTE) });
  });

  it('throws for invalid input', () => {
    expect(() => given([]).when({ ...request(0, 'c1'), codeHash: '' })).toThrow(InvalidIdentityCommand);
    expect(() => given([]).when({ ...request(0, 'c1'), purpose: 'bogus' as VerificationPurpose })).toThrow(InvalidIdentityCommand);
    expect(() => given([issued(0, 'c1')]).when({ ...request(MINUTE, 'c2'), phoneHash: 'k1.other' })).toThrow(InvalidIdentityCommand);
  });
});

describe('VerificationCode: ConsumeVerificationCode', () => {
  it('consumes a matching code and yields a proof for the user aggregate', () => {
    const result = given([issued(0, 'c1')]).when(consume(MINUTE, true));
    expect(result.rejection).toBeUndefined();
    const consumed = result.events[0]!;
    expect(consumed).toEqual({
      type: IDENTITY_EVENT.VerificationCodeConsumed,
      data: { phoneHash: PHONE, purpose: 'registration', codeId: 'c1', consumedAt: at(MINUTE) },
    });
    if (consumed.type !== IDENTITY_EVENT.VerificationCodeConsumed) throw new Error('unexpected');
    expect(codeProofFrom(consumed)).toEqual({ codeId: 'c1', purpose: 'registration', phoneHash: PHONE });
  });

  it('refuses a used code with CODE_ALREADY_USED', () => {
    const used = given([issued(0, 'c1')]).when(consume(MINUTE, true)).history;
    expect(given(used).when(consume(2 * MINUTE, true)).code).toBe('CODE_ALREADY_USED');
  });

  it('refuses when no code was requested for the purpose with CODE_NOT_REQUESTED', () => {
    expect(given([]).when(consume(0, true)).code).toBe('CODE_NOT_REQUESTED');
    expect(given([issued(0, 'c1')]).when(consume(0, true, 'unfreeze')).code).toBe('CODE_NOT_REQUESTED');
  });

  it('accepts a code 1 ms before expiry and refuses it at expiry with CODE_EXPIRED', () => {
    expect(given([issued(0, 'c1')]).when(consume(5 * MINUTE - 1, true)).code).toBeUndefined();
    const expired = given([issued(0, 'c1')]).when(consume(5 * MINUTE, true));
    expect(expired.code).toBe('CODE_EXPIRED');
    expect(expired.details).toEqual({ expiredAt: at(5 * MINUTE) });
    expect(expired.events).toEqual([]);
  });

  it('records a wrong try and answers INVALID_CODE with the attempts left', () => {
    const result = given([issued(0, 'c1')]).when(consume(SECOND, false));
    expect(result.events).toEqual([failed(SECOND, 'c1', 1)]);
    expect(result.code).toBe('INVALID_CODE');
    expect(result.details).toEqual({ attemptsLeft: 4 });
  });

  it('kills the code on the fifth wrong try (INVALID_CODE, 0 left), then answers CODE_ATTEMPTS_EXHAUSTED even to the right code', () => {
    const four = [issued(0, 'c1'), failed(1, 'c1', 1), failed(2, 'c1', 2), failed(3, 'c1', 3), failed(4, 'c1', 4)];
    const fifth = given(four).when(consume(5, false));
    expect(fifth.code).toBe('INVALID_CODE');
    expect(fifth.details).toEqual({ attemptsLeft: 0 });
    expect(given(fifth.history).when(consume(6, true)).code).toBe('CODE_ATTEMPTS_EXHAUSTED');
  });

  it('lets a fresh code work after exhaustion', () => {
    const dead = [issued(0, 'c1'), failed(1, 'c1', 1), failed(2, 'c1', 2), failed(3, 'c1', 3), failed(4, 'c1', 4), failed(5, 'c1', 5)];
    const renewed = given(dead).when(request(MINUTE, 'c2')).history;
    expect(given(renewed).when(consume(MINUTE + 1, true)).events[0]).toMatchObject({ data: { codeId: 'c2' } });
  });
});

describe('VerificationCode properties', () => {
  type Step =
    | { kind: 'request'; purpose: VerificationPurpose; gapMs: number }
    | { kind: 'consume'; purpose: VerificationPurpose; matches: boolean; gapMs: number };
  const purpose = fc.constantFrom<VerificationPurpose>('registration', 'unfreeze');
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('request' as const), purpose, gapMs: fc.integer({ min: 0, max: 20 * MINUTE }) }),
    fc.record({ kind: fc.constant('consume' as const), purpose, matches: fc.boolean(), gapMs: fc.integer({ min: 0, max: 2 * MINUTE }) }),
  );

  it('never goes below 0 attempts, never exceeds the caps, and replay rebuilds the same state', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let now = 0;
        let history: VerificationCodeEvent[] = [];
        let state = verificationCodeDecider.initialState();
        steps.forEach((s, index) => {
          now += s.gapMs;
          const command = s.kind === 'request' ? request(now, `code-${index}`, s.purpose) : consume(now, s.matches, s.purpose);
          const result = given(history).when(command);
          history = result.history;
          state = result.state;
        });
        expect(fold(verificationCodeDecider, history)).toEqual(state);
        const failures = history.filter((e) => e.type === IDENTITY_EVENT.VerificationCodeAttemptFailed);
        for (const failure of failures) {
          if (failure.type !== IDENTITY_EVENT.VerificationCodeAttemptFailed) continue;
          expect(failure.data.attemptsLeft).toBeGreaterThanOrEqual(0);
          expect(failure.data.failedAttempts).toBeLessThanOrEqual(5);
        }
        const issues = history.flatMap((e) => (e.type === IDENTITY_EVENT.VerificationCodeIssued ? [Date.parse(e.data.issuedAt)] : []));
        for (const issuedAt of issues)
          expect(issues.filter((other) => other > issuedAt - HOUR && other <= issuedAt).length).toBeLessThanOrEqual(5);
        const consumedIds = history.flatMap((e) => (e.type === IDENTITY_EVENT.VerificationCodeConsumed ? [e.data.codeId] : []));
        expect(new Set(consumedIds).size).toBe(consumedIds.length);
      }),
      { numRuns: 300 },
    );
  });
});
