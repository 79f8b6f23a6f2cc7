/**
 * Risk rules before money moves, as a pure decider over one stream per user, `risk-<userId>`.
 *
 * Every payment that takes money out of a wallet (merchant, transfer, withdrawal, bill) is assessed
 * before it starts. Per-payment and daily limits are the wallet's; the rules here are:
 * - **velocity**: more than `velocityPerMinute` admitted payments in the last 60 s →
 *   `RISK_VELOCITY_EXCEEDED`;
 * - **new device**: the first payment from a device this user has never paid from, above
 *   `newDeviceThresholdMinor`, needs an SMS step-up → `STEP_UP_REQUIRED` unless `stepUpVerified`.
 *   A device becomes known with its first admitted payment, which records that it was new
 *   (`newDevice`), so the payment can ask identity for the second factor without another read.
 *
 * A hit is recorded as `RiskAlertRaised` (the service forwards it to identity as a risk alert) and
 * the payment is refused without being started. The user's stream serializes assessments (expected
 * revision), so a burst of concurrent payments cannot slip past the velocity rule. The state is
 * bounded: the window keeps only the last minute, the device list the newest `knownDevicesKept`.
 */
import { assertNever, plusMs, type Decider, type Instant } from '@ledger/util';
import { PAYMENT_ERROR } from './codes';
import type { MinorString } from './payment-types';

export interface RiskPolicy {
  velocityPerMinute: number;
  /** Above this amount a payment from a new device needs step-up (fen). */
  newDeviceThresholdMinor: bigint;
  knownDevicesKept: number;
}

export const DEFAULT_RISK_POLICY: Readonly<RiskPolicy> = { velocityPerMinute: 10, newDeviceThresholdMinor: 50_000n, knownDevicesKept: 20 };

export type RiskRule = 'velocity' | 'new_device';
const WINDOW_MS = 60_000;

export type RiskCommand =
  | {
      type: 'AssessPayment';
      userId: string;
      paymentId: string;
      amountMinor: bigint;
      deviceId: string;
      /** The caller verified an SMS step-up for this payment. */
      stepUpVerified: boolean;
      now: Instant;
    }
  /**
   * The first payment from a device was refused for the user's second factor: the device stays
   * new, so the next payment from it is asked for the dynamic code again (a stolen phone does not
   * become known by being refused once).
   */
  | { type: 'ForgetDevice'; userId: string; paymentId: string; deviceId: string; now: Instant };

export type RiskEvent =
  | {
      type: 'PaymentAdmitted';
      data: {
        userId: string;
        paymentId: string;
        deviceId: string;
        amountMinor: MinorString;
        admittedAt: string;
        /** The user had never paid from this device before (absent in events recorded before it was kept). */
        newDevice?: boolean;
      };
    }
  | { type: 'DeviceForgotten'; data: { userId: string; paymentId: string; deviceId: string; forgottenAt: string } }
  | {
      type: 'RiskAlertRaised';
      data: {
        userId: string;
        paymentId: string;
        rule: RiskRule;
        code: string;
        deviceId: string;
        amountMinor: MinorString;
        description: string;
        raisedAt: string;
        /** Velocity: when the oldest payment of the window leaves it, so one more may be admitted. */
        retryAt?: Instant;
      };
    };

export interface RiskState {
  /** Admitted payments of the last minute (oldest first). */
  recent: Array<{ paymentId: string; at: string }>;
  /** Devices this user has paid from (newest last). */
  knownDevices: string[];
}

/**
 * What the service makes of a decision: admitted (also for a payment already admitted), or refused
 * with a code. An admission says whether the device was new to the user's payments; `newDevice` is
 * undefined when that is not known (a payment admitted by an earlier command, or before it was recorded).
 */
export function riskVerdict(
  events: readonly RiskEvent[],
): { admitted: true; newDevice?: boolean } | { admitted: false; rule: RiskRule; code: string; message: string; retryAt?: Instant } {
  const hit = events.find((event): event is Extract<RiskEvent, { type: 'RiskAlertRaised' }> => event.type === 'RiskAlertRaised');
  if (hit === undefined) {
    const admitted = events.find((event): event is Extract<RiskEvent, { type: 'PaymentAdmitted' }> => event.type === 'PaymentAdmitted');
    const newDevice = admitted?.data.newDevice;
    return newDevice === undefined ? { admitted: true } : { admitted: true, newDevice };
  }
  const { rule, code, description, retryAt } = hit.data;
  return { admitted: false, rule, code, message: description, ...(retryAt === undefined ? {} : { retryAt }) };
}

export function createRiskDecider(policy: Readonly<RiskPolicy> = DEFAULT_RISK_POLICY): Decider<RiskCommand, RiskEvent, RiskState> {
  const decide = (command: RiskCommand, state: RiskState): RiskEvent[] => {
    switch (command.type) {
      case 'AssessPayment': {
        // A payment already admitted (a client retry, a second instance) is admitted again, without counting twice.
        if (state.recent.some((entry) => entry.paymentId === command.paymentId)) return [];
        const { userId, paymentId, deviceId, amountMinor, now } = command;
        const since = Date.parse(now) - WINDOW_MS;
        const inWindow = state.recent.filter((entry) => Date.parse(entry.at) > since);
        const alert = (rule: RiskRule, code: string, description: string, retryAt?: Instant): RiskEvent[] => [
          {
            type: 'RiskAlertRaised',
            data: {
              userId,
              paymentId,
              rule,
              code,
              deviceId,
              amountMinor: amountMinor.toString(),
              description,
              raisedAt: now,
              ...(retryAt === undefined ? {} : { retryAt }),
            },
          },
        ];
        if (inWindow.length >= policy.velocityPerMinute) {
          return alert(
            'velocity',
            PAYMENT_ERROR.RISK_VELOCITY_EXCEEDED,
            `more than ${policy.velocityPerMinute} payments within a minute`,
            plusMs(inWindow[0]!.at, WINDOW_MS),
          );
        }
        const newDevice = !state.knownDevices.includes(deviceId);
        if (newDevice && amountMinor > policy.newDeviceThresholdMinor && !command.stepUpVerified) {
          return alert(
            'new_device',
            PAYMENT_ERROR.STEP_UP_REQUIRED,
            `first payment from a new device above ${policy.newDeviceThresholdMinor.toString()} fen needs an SMS step-up`,
          );
        }
        return [
          {
            type: 'PaymentAdmitted',
            data: { userId, paymentId, deviceId, amountMinor: amountMinor.toString(), admittedAt: now, newDevice },
          },
        ];
      }
      case 'ForgetDevice': {
        const { userId, paymentId, deviceId, now } = command;
        if (!state.knownDevices.includes(deviceId)) return [];
        return [{ type: 'DeviceForgotten', data: { userId, paymentId, deviceId, forgottenAt: now } }];
      }
      default:
        return assertNever(command, 'risk command');
    }
  };

  const evolve = (state: RiskState, event: RiskEvent): RiskState => {
    switch (event.type) {
      case 'PaymentAdmitted': {
        const since = Date.parse(event.data.admittedAt) - WINDOW_MS;
        const recent = [
          ...state.recent.filter((entry) => Date.parse(entry.at) > since),
          { paymentId: event.data.paymentId, at: event.data.admittedAt },
        ];
        const knownDevices = [...state.knownDevices.filter((device) => device !== event.data.deviceId), event.data.deviceId].slice(
          -policy.knownDevicesKept,
        );
        return { recent, knownDevices };
      }
      case 'DeviceForgotten':
        return { ...state, knownDevices: state.knownDevices.filter((device) => device !== event.data.deviceId) };
      case 'RiskAlertRaised':
        return state;
      default:
        return assertNever(event, 'risk event');
    }
  };

  return { initialState: () => ({ recent: [], knownDevices: [] }), decide, evolve };
}

export const riskStreamOf = (userId: string): string => `risk-${userId}`;
