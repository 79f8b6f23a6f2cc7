/**
 * The faults a schedule may inject, and how likely each is in one schedule. Every seed draws its own
 * profile (swarm testing: some kinds off, the others at different rates), so one run covers quiet
 * schedules, schedules that are all crashes, and everything between.
 */
import type { Random } from './random';

export const FAULT_KINDS = [
  /** Ready events run in random order; events due close together are made ready together. */
  'reorder',
  /** A message takes seconds instead of milliseconds (longer than the caller's timeout, sometimes). */
  'delay',
  /** A command is delivered again (a consumer's re-delivery), a result is sent twice. */
  'duplicate',
  /** A result never reaches the caller (it times out and resends), a command is lost on the way. */
  'drop',
  /** A payments or wallet instance crashes and restarts later, losing everything in memory. */
  'crash',
  /** Identity or cards does not consume for a while (their commands wait in the topic). */
  'outage',
  /** Timers fire before they are due: sleeps, command timeouts, polls; payment timers claimed early. */
  'early',
  /** A partner (acquirer, issuer, biller) does not answer, or answers and the answer is lost. */
  'partner',
  /** An event store operation fails, before it took effect or after (a lost acknowledgement). */
  'store',
  /** Sending a command fails outright (the producer cannot reach the broker). */
  'producer',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultProfile {
  /** Events due within this many ms are made ready together. */
  windowMs: number;
  /** A message's latency is drawn up to this (ms); `delayChance` of them take 1–20 s instead. */
  latencyMs: number;
  delayChance: number;
  duplicateCommandChance: number;
  duplicateReplyChance: number;
  dropReplyChance: number;
  dropCommandChance: number;
  /** Per event, the chance that some instance crashes now. */
  crashChance: number;
  /** Per event, the chance that identity or cards stops consuming for a while. */
  outageChance: number;
  /** Per event, the chance that an early-able future event fires now. */
  earlyChance: number;
  /** Per poll, the chance the payment timers are claimed ahead of their due time. */
  earlyClaimChance: number;
  partnerUnavailableChance: number;
  partnerAnswerLostChance: number;
  storeErrorChance: number;
  producerErrorChance: number;
  /** Crashes and outages in one schedule, at most. */
  maxCrashes: number;
}

export const NO_FAULTS: FaultProfile = {
  windowMs: 0,
  latencyMs: 1,
  delayChance: 0,
  duplicateCommandChance: 0,
  duplicateReplyChance: 0,
  dropReplyChance: 0,
  dropCommandChance: 0,
  crashChance: 0,
  outageChance: 0,
  earlyChance: 0,
  earlyClaimChance: 0,
  partnerUnavailableChance: 0,
  partnerAnswerLostChance: 0,
  storeErrorChance: 0,
  producerErrorChance: 0,
  maxCrashes: 0,
};

/**
 * A profile for one seed: each kind on with probability ~0.7, at a rate drawn for it; `without` turns
 * kinds off. The same numbers are drawn whatever is turned off, so turning a kind off changes that
 * kind only (as far as the schedule allows).
 */
export function drawProfile(random: Random, without: ReadonlySet<FaultKind>): FaultProfile {
  const draws = new Map(
    FAULT_KINDS.map((kind) => [kind, { on: random.chance(0.7), rates: [random.float(), random.float()], count: random.int(4) }]),
  );
  const on = (kind: FaultKind): boolean => !without.has(kind) && draws.get(kind)!.on;
  const rate = (kind: FaultKind, max: number, which = 0): number => max * draws.get(kind)!.rates[which]!;
  const profile: FaultProfile = { ...NO_FAULTS, latencyMs: 1 + random.int(40) };
  if (on('reorder')) profile.windowMs = 1 + Math.floor(rate('reorder', 30));
  if (on('delay')) profile.delayChance = rate('delay', 0.15);
  if (on('duplicate')) {
    profile.duplicateCommandChance = rate('duplicate', 0.2);
    profile.duplicateReplyChance = rate('duplicate', 0.2, 1);
  }
  if (on('drop')) {
    profile.dropReplyChance = rate('drop', 0.25);
    profile.dropCommandChance = rate('drop', 0.1, 1);
  }
  if (on('crash')) {
    profile.crashChance = rate('crash', 0.01);
    profile.maxCrashes = 1 + draws.get('crash')!.count;
  }
  if (on('outage')) {
    profile.outageChance = rate('outage', 0.005);
    profile.maxCrashes = Math.max(profile.maxCrashes, 1 + draws.get('outage')!.count);
  }
  if (on('early')) {
    profile.earlyChance = rate('early', 0.05);
    profile.earlyClaimChance = rate('early', 0.3, 1);
  }
  if (on('partner')) {
    profile.partnerUnavailableChance = rate('partner', 0.3);
    profile.partnerAnswerLostChance = rate('partner', 0.2, 1);
  }
  if (on('store')) profile.storeErrorChance = rate('store', 0.02);
  if (on('producer')) profile.producerErrorChance = rate('producer', 0.03);
  return profile;
}
