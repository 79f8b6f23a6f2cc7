import { assertNever, reject, type Decider } from '@ledger/util';
import { IDENTITY_ERROR, InvalidIdentityCommand, type IdentityRejection } from './codes';
import {
  IDENTITY_EVENT,
  VERIFICATION_PURPOSES,
  type VerificationCodeConsumed,
  type VerificationCodeEvent,
  type VerificationPurpose,
} from './events';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './policy';
import { instant, instantMs, isBefore, plusMs, within, type Instant } from './time';

/**
 * SMS verification codes, one aggregate per phone (stream `sms-<phoneHash>`), holding one code slot
 * per purpose.
 *
 * Why per phone and not per (phone, purpose): the hourly cap counts every code sent to a phone,
 * whatever the purpose, and an SMS bomber simply rotates purposes. Keeping all of a phone's codes in
 * one stream makes that cap a plain invariant under optimistic concurrency, with no cross-stream
 * race. The contention cost is nil: one phone gets a handful of codes an hour.
 *
 * Exhaustion: the wrong try that uses up the last attempt answers `INVALID_CODE` with
 * `attemptsLeft: 0` (the caller learns the code just died); every later try, even with the right
 * digits, answers `CODE_ATTEMPTS_EXHAUSTED`.
 */
export type VerificationCodeCommand = RequestVerificationCode | ConsumeVerificationCode;

/** Issues a code. The service generates the code and its id, sends it by SMS, and passes only the keyed hash. */
export interface RequestVerificationCode {
  type: 'RequestVerificationCode';
  phoneHash: string;
  purpose: VerificationPurpose;
  codeId: string;
  codeHash: string;
  now: Instant;
}

/**
 * Uses the current code of a purpose. `matches` is the service's constant-time comparison of the
 * submitted code with the current slot's `codeHash` (it folds the same state before deciding, and
 * the append's expected revision guarantees the slot did not change in between).
 */
export interface ConsumeVerificationCode {
  type: 'ConsumeVerificationCode';
  phoneHash: string;
  purpose: VerificationPurpose;
  matches: boolean;
  now: Instant;
}

export type CodeSlot =
  | {
      status: 'active';
      codeId: string;
      codeHash: string;
      issuedAt: Instant;
      expiresAt: Instant;
      resendAllowedAt: Instant;
      failedAttempts: number;
    }
  | { status: 'used'; codeId: string; issuedAt: Instant; resendAllowedAt: Instant; usedAt: Instant }
  | { status: 'exhausted'; codeId: string; issuedAt: Instant; resendAllowedAt: Instant; failedAttempts: number };

export type VerificationCodeState =
  | { kind: 'none' }
  | {
      kind: 'tracked';
      phoneHash: string;
      /** Issue instants, newest last, trimmed to the cap: only the last `maxCodesPerWindow` can matter. */
      recentIssues: Instant[];
      slots: Partial<Record<VerificationPurpose, CodeSlot>>;
    };

/** Proof that a code was consumed; commands on the user aggregate require it. */
export interface CodeProof {
  codeId: string;
  purpose: VerificationPurpose;
  phoneHash: string;
}

export function codeProofFrom(event: VerificationCodeConsumed): CodeProof {
  return { codeId: event.data.codeId, purpose: event.data.purpose, phoneHash: event.data.phoneHash };
}

/** The stream of a phone's codes. */
export function verificationCodeStreamId(phoneHash: string): string {
  return `sms-${phoneHash}`;
}

export type VerificationCodeDecider = Decider<VerificationCodeCommand, VerificationCodeEvent, VerificationCodeState, IdentityRejection>;

export function createVerificationCodeDecider(policy: Readonly<IdentityPolicy> = DEFAULT_IDENTITY_POLICY): VerificationCodeDecider {
  function request(command: RequestVerificationCode, state: VerificationCodeState): VerificationCodeEvent[] | IdentityRejection {
    if (command.codeId.trim() === '' || command.codeHash.trim() === '')
      throw new InvalidIdentityCommand('codeId and codeHash are required');
    const slot = state.kind === 'tracked' ? state.slots[command.purpose] : undefined;
    if (slot !== undefined && isBefore(command.now, slot.resendAllowedAt)) {
      return reject(IDENTITY_ERROR.RESEND_TOO_SOON, 'a code was sent moments ago; wait before asking again', {
        retryAt: slot.resendAllowedAt,
        retryAfterMs: instantMs(slot.resendAllowedAt) - instantMs(command.now),
      });
    }
    const inWindow = state.kind === 'tracked' ? within(state.recentIssues, command.now, policy.codeWindowMs) : [];
    if (inWindow.length >= policy.maxCodesPerWindow) {
      // The cap frees up when the oldest issue that keeps it full leaves the window.
      const blocking = inWindow[inWindow.length - policy.maxCodesPerWindow] ?? inWindow[0];
      const retryAtMs = instantMs(blocking ?? instant(command.now)) + policy.codeWindowMs;
      return reject(IDENTITY_ERROR.TOO_MANY_CODES, 'too many codes for this phone; try again later', {
        retryAt: new Date(retryAtMs).toISOString(),
        retryAfterMs: retryAtMs - instantMs(command.now),
        maxCodesPerWindow: policy.maxCodesPerWindow,
      });
    }
    return [
      {
        type: IDENTITY_EVENT.VerificationCodeIssued,
        data: {
          phoneHash: command.phoneHash,
          purpose: command.purpose,
          codeId: command.codeId,
          codeHash: command.codeHash,
          issuedAt: instant(command.now),
          expiresAt: plusMs(command.now, policy.codeTtlMs),
          resendAllowedAt: plusMs(command.now, policy.codeResendCooldownMs),
          replacesCodeId: slot?.status === 'active' ? slot.codeId : null,
        },
      },
    ];
  }

  function consume(command: ConsumeVerificationCode, state: VerificationCodeState): VerificationCodeEvent[] | IdentityRejection {
    const slot = state.kind === 'tracked' ? state.slots[command.purpose] : undefined;
    if (slot === undefined)
      return reject(IDENTITY_ERROR.CODE_NOT_REQUESTED, 'no code was sent for this purpose; ask for one', { purpose: command.purpose });
    switch (slot.status) {
      case 'used':
        return reject(IDENTITY_ERROR.CODE_ALREADY_USED, 'this code was already used; ask for a new one', { usedAt: slot.usedAt });
      case 'exhausted':
        return reject(IDENTITY_ERROR.CODE_ATTEMPTS_EXHAUSTED, 'too many wrong tries; ask for a new code', {
          maxAttempts: policy.maxCodeAttempts,
        });
      case 'active': {
        if (!isBefore(command.now, slot.expiresAt))
          return reject(IDENTITY_ERROR.CODE_EXPIRED, 'the code has expired; ask for a new one', { expiredAt: slot.expiresAt });
        const base = { phoneHash: command.phoneHash, purpose: command.purpose, codeId: slot.codeId };
        if (!command.matches) {
          const failedAttempts = slot.failedAttempts + 1;
          return [
            {
              type: IDENTITY_EVENT.VerificationCodeAttemptFailed,
              data: {
                ...base,
                failedAttempts,
                attemptsLeft: Math.max(0, policy.maxCodeAttempts - failedAttempts),
                at: instant(command.now),
              },
            },
          ];
        }
        return [{ type: IDENTITY_EVENT.VerificationCodeConsumed, data: { ...base, consumedAt: instant(command.now) } }];
      }
      default:
        return assertNever(slot, 'code slot');
    }
  }

  return {
    initialState: () => ({ kind: 'none' }),

    decide(command, state) {
      if (!VERIFICATION_PURPOSES.includes(command.purpose))
        throw new InvalidIdentityCommand(`unknown purpose ${JSON.stringify(command.purpose)}`);
      if (command.phoneHash.trim() === '') throw new InvalidIdentityCommand('phoneHash is required');
      if (state.kind === 'tracked' && state.phoneHash !== command.phoneHash)
        throw new InvalidIdentityCommand('command is for another phone than this stream');
      switch (command.type) {
        case 'RequestVerificationCode':
          return request(command, state);
        case 'ConsumeVerificationCode':
          return consume(command, state);
        default:
          return assertNever(command, 'verification code command');
      }
    },

    evolve(state, event) {
      const tracked =
        state.kind === 'tracked' ? state : { kind: 'tracked' as const, phoneHash: event.data.phoneHash, recentIssues: [], slots: {} };
      switch (event.type) {
        case IDENTITY_EVENT.VerificationCodeIssued: {
          const { purpose, codeId, codeHash, issuedAt, expiresAt, resendAllowedAt } = event.data;
          return {
            ...tracked,
            recentIssues: [...tracked.recentIssues, issuedAt].slice(-policy.maxCodesPerWindow),
            slots: {
              ...tracked.slots,
              [purpose]: { status: 'active', codeId, codeHash, issuedAt, expiresAt, resendAllowedAt, failedAttempts: 0 },
            },
          };
        }
        case IDENTITY_EVENT.VerificationCodeAttemptFailed: {
          const slot = tracked.slots[event.data.purpose];
          if (slot === undefined || slot.codeId !== event.data.codeId) return tracked;
          const failedAttempts = event.data.failedAttempts;
          const next: CodeSlot =
            event.data.attemptsLeft <= 0
              ? { status: 'exhausted', codeId: slot.codeId, issuedAt: slot.issuedAt, resendAllowedAt: slot.resendAllowedAt, failedAttempts }
              : slot.status === 'active'
                ? { ...slot, failedAttempts }
                : slot;
          return { ...tracked, slots: { ...tracked.slots, [event.data.purpose]: next } };
        }
        case IDENTITY_EVENT.VerificationCodeConsumed: {
          const slot = tracked.slots[event.data.purpose];
          if (slot === undefined || slot.codeId !== event.data.codeId) return tracked;
          return {
            ...tracked,
            slots: {
              ...tracked.slots,
              [event.data.purpose]: {
                status: 'used',
                codeId: slot.codeId,
                issuedAt: slot.issuedAt,
                resendAllowedAt: slot.resendAllowedAt,
                usedAt: event.data.consumedAt,
              },
            },
          };
        }
        default:
          return assertNever(event, 'verification code event');
      }
    },
  };
}

export const verificationCodeDecider = createVerificationCodeDecider();
