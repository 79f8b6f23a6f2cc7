import { reject, type Decider } from '@ledger/util';
import { IDENTITY_ERROR, type IdentityRejection } from './codes';
import { IDENTITY_EVENT, type StaffEvent, type StaffLoginFailure } from './events';
import type { IdentityPolicy } from './policy';
import { instant, isBefore, plusMs, within, type Instant } from './time';

/**
 * A staff member's logins, one stream per agent (`staff-<agentId>`, never published). The staff
 * registry (password hash, role, authenticator secret) is configuration; this stream holds what
 * every identity instance behind every gateway must agree on: the failures that lock the login,
 * the lock, and the time step of the last authenticator code accepted (a code opens one session
 * only, RFC 6238 §5.2). Staff logins lock as users' do (`maxLoginFailures` within
 * `loginFailureWindowMs` lock it for `loginLockMs`), and every attempt is on the record.
 */
export const staffStreamId = (agentId: string): string => `staff-${agentId}`;

/**
 * One login attempt, checked by the service: the password against the registry's hash, the code
 * against the agent's authenticator (`codeTimeStep` is the time step of a valid code, null when the
 * code is wrong or stale).
 */
export interface StaffLogIn {
  type: 'StaffLogIn';
  agentId: string;
  role: string;
  passwordValid: boolean;
  codeTimeStep: number | null;
  now: Instant;
}

export interface StaffLoginState {
  /** When the failures counting toward the lock happened (at most `maxLoginFailures` kept). */
  failures: readonly Instant[];
  lockedUntil: Instant | null;
  lastCodeTimeStep: number;
}

export type StaffLoginDecider = Decider<StaffLogIn, StaffEvent, StaffLoginState, IdentityRejection>;

type StaffPolicy = Pick<IdentityPolicy, 'maxLoginFailures' | 'loginFailureWindowMs' | 'loginLockMs'>;

export function createStaffLoginDecider(policy: StaffPolicy): StaffLoginDecider {
  return {
    initialState: () => ({ failures: [], lockedUntil: null, lastCodeTimeStep: -1 }),
    decide: (command, state) => {
      if (isBefore(command.now, state.lockedUntil))
        return reject(IDENTITY_ERROR.LOGIN_LOCKED, 'login is locked after repeated failures', { until: state.lockedUntil });
      const at = instant(command.now);
      const failure: StaffLoginFailure | undefined = !command.passwordValid
        ? 'password'
        : command.codeTimeStep === null
          ? 'code'
          : command.codeTimeStep <= state.lastCodeTimeStep
            ? 'code_reused'
            : undefined;
      if (failure === undefined)
        return [
          {
            type: IDENTITY_EVENT.StaffLoggedIn,
            data: { agentId: command.agentId, role: command.role, codeTimeStep: command.codeTimeStep as number, at },
          },
        ];
      const failuresInWindow = within(state.failures, command.now, policy.loginFailureWindowMs).length + 1;
      const failed: StaffEvent = {
        type: IDENTITY_EVENT.StaffLoginFailed,
        data: { agentId: command.agentId, reason: failure, failuresInWindow, at },
      };
      if (failuresInWindow < policy.maxLoginFailures) return [failed];
      return [
        failed,
        {
          type: IDENTITY_EVENT.StaffLoginLocked,
          data: { agentId: command.agentId, lockedUntil: plusMs(command.now, policy.loginLockMs), at },
        },
      ];
    },
    evolve: (state, event) => {
      switch (event.type) {
        case IDENTITY_EVENT.StaffLoggedIn:
          return { failures: [], lockedUntil: null, lastCodeTimeStep: event.data.codeTimeStep };
        case IDENTITY_EVENT.StaffLoginFailed:
          return { ...state, failures: [...state.failures, event.data.at].slice(-policy.maxLoginFailures) };
        case IDENTITY_EVENT.StaffLoginLocked:
          return { ...state, failures: [], lockedUntil: event.data.lockedUntil };
        default:
          return state;
      }
    },
  };
}
