import { fold } from '@ledger/util';
import { givenWhenThen } from '@ledger/util/testing';
import { createRiskDecider, riskVerdict, type RiskCommand, type RiskEvent } from './risk';

const decider = createRiskDecider({ velocityPerMinute: 3, newDeviceThresholdMinor: 10_000n, knownDevicesKept: 2 });
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, seconds)).toISOString();
const assess = (paymentId: string, overrides: Partial<Extract<RiskCommand, { type: 'AssessPayment' }>> = {}): RiskCommand => ({
  type: 'AssessPayment',
  userId: 'u1',
  paymentId,
  amountMinor: 100n,
  deviceId: 'd1',
  stepUpVerified: false,
  now: at(0),
  ...overrides,
});
const admitted = (paymentId: string, seconds: number, deviceId = 'd1'): RiskEvent => ({
  type: 'PaymentAdmitted',
  data: { userId: 'u1', paymentId, deviceId, amountMinor: '100', admittedAt: at(seconds) },
});

/** given(events) → when(command) → then(events). */
const spec = givenWhenThen(decider);
const when = (given: RiskEvent[], command: RiskCommand) => spec.given(given).when(command).result as RiskEvent[];

describe('risk rules before money moves', () => {
  it('forgets a device whose first payment the second factor refused: the next payment from it is new again; an unknown device changes nothing', () => {
    const forget: RiskCommand = { type: 'ForgetDevice', userId: 'u1', paymentId: 'p1', deviceId: 'd1', now: at(1) };
    const forgotten = when([admitted('p1', 0)], forget);
    expect(forgotten).toEqual([{ type: 'DeviceForgotten', data: { userId: 'u1', paymentId: 'p1', deviceId: 'd1', forgottenAt: at(1) } }]);
    expect(riskVerdict(when([admitted('p1', 0), ...forgotten], assess('p2', { now: at(2) })))).toEqual({ admitted: true, newDevice: true });
    expect(when([admitted('p1', 0, 'd2')], forget)).toEqual([]);
  });

  it('admits a payment within the rules, and records the device', () => {
    const events = when([], assess('p1'));
    expect(events).toMatchObject([{ type: 'PaymentAdmitted', data: { paymentId: 'p1', deviceId: 'd1', newDevice: true } }]);
    expect(riskVerdict(events)).toEqual({ admitted: true, newDevice: true });
    expect(fold(decider, events).knownDevices).toEqual(['d1']);
  });

  it('says whether the device was new to the payments of the user, so identity can ask for the second factor', () => {
    const fromKnown = when([admitted('p1', 0, 'd1')], assess('p2', { now: at(5) }));
    expect(fromKnown).toMatchObject([{ type: 'PaymentAdmitted', data: { deviceId: 'd1', newDevice: false } }]);
    expect(riskVerdict(fromKnown)).toEqual({ admitted: true, newDevice: false });
    // Below the step-up threshold a new device is admitted, and still reported new.
    expect(riskVerdict(when([admitted('p1', 0, 'd1')], assess('p2', { deviceId: 'd2', now: at(5) })))).toEqual({
      admitted: true,
      newDevice: true,
    });
    // An admission recorded before the field existed says nothing either way.
    expect(riskVerdict([admitted('p1', 0)])).toEqual({ admitted: true });
  });

  it('velocity: the payment after N within a minute is refused RISK_VELOCITY_EXCEEDED and raises an alert', () => {
    const given = [admitted('p1', 0), admitted('p2', 10), admitted('p3', 20)];
    const events = when(given, assess('p4', { now: at(30) }));
    expect(events).toMatchObject([
      { type: 'RiskAlertRaised', data: { rule: 'velocity', code: 'RISK_VELOCITY_EXCEEDED', paymentId: 'p4' } },
    ]);
    // It says when the oldest of the window leaves it: one minute after p1.
    const retryAt = new Date(Date.parse(at(0)) + 60_000).toISOString();
    expect(riskVerdict(events)).toMatchObject({ admitted: false, code: 'RISK_VELOCITY_EXCEEDED', retryAt });
    expect(when(given, assess('p5', { now: retryAt }))).toMatchObject([{ type: 'PaymentAdmitted' }]);
  });

  it('velocity: payments older than a minute no longer count', () => {
    const given = [admitted('p1', 0), admitted('p2', 10), admitted('p3', 20)];
    expect(when(given, assess('p4', { now: new Date(Date.parse(at(0)) + 60_001).toISOString() }))).toMatchObject([
      { type: 'PaymentAdmitted' },
    ]);
  });

  it('a payment already admitted is admitted again without counting twice (client retry)', () => {
    const given = [admitted('p1', 0), admitted('p2', 10), admitted('p3', 20)];
    expect(when(given, assess('p3', { now: at(30) }))).toEqual([]);
    expect(riskVerdict([])).toEqual({ admitted: true });
  });

  it('new device: the first payment above the threshold is refused STEP_UP_REQUIRED and raises an alert', () => {
    const events = when([admitted('p1', 0, 'd1')], assess('p2', { deviceId: 'd2', amountMinor: 10_001n }));
    expect(events).toMatchObject([
      { type: 'RiskAlertRaised', data: { rule: 'new_device', code: 'STEP_UP_REQUIRED', deviceId: 'd2', amountMinor: '10001' } },
    ]);
    // The refusal does not make the device known.
    expect(fold(decider, [admitted('p1', 0, 'd1'), ...events]).knownDevices).toEqual(['d1']);
  });

  it('new device: at the threshold, with a verified step-up, or from a known device the payment is admitted', () => {
    expect(when([], assess('p1', { deviceId: 'd2', amountMinor: 10_000n }))).toMatchObject([{ type: 'PaymentAdmitted' }]);
    expect(when([], assess('p1', { deviceId: 'd2', amountMinor: 50_000n, stepUpVerified: true }))).toMatchObject([
      { type: 'PaymentAdmitted' },
    ]);
    expect(when([admitted('p0', 0, 'd2')], assess('p1', { deviceId: 'd2', amountMinor: 50_000n, now: at(5) }))).toMatchObject([
      { type: 'PaymentAdmitted' },
    ]);
  });

  it('keeps only the newest devices (bounded state)', () => {
    const state = fold(decider, [admitted('p1', 0, 'd1'), admitted('p2', 1, 'd2'), admitted('p3', 2, 'd3'), admitted('p4', 3, 'd2')]);
    expect(state.knownDevices).toEqual(['d3', 'd2']);
  });
});
