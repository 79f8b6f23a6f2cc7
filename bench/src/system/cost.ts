import { LOAD_GENERATOR, PARTNER_SIMULATOR, ProcessSampler, type ProcessFigures } from './metrics';
import { say } from './settings';
import type { BenchStack } from './stack';

/**
 * What payments cost the system in `npm run bench`: CPU of the services, the broker and the
 * database (the load generator and the simulated partners apart), and any total per completed payment.
 */

/** Outside the ledger: their CPU is listed per process but not counted in the cost of a payment. */
const OUTSIDE = new Set([LOAD_GENERATOR, PARTNER_SIMULATOR]);

/** CPU seconds of the services, the broker and the database (the load generator and the simulated partners apart). */
export function systemCpuSeconds(processes: Record<string, ProcessFigures>): number {
  return Object.entries(processes).reduce((sum, [name, figures]) => (OUTSIDE.has(name) ? sum : sum + figures.cpuSeconds), 0);
}

/** `total` per completed payment, rounded to `decimals`. */
export function perCompleted(total: number, completed: number, decimals = 2): number {
  const scale = 10 ** decimals;
  return Math.round((total / Math.max(1, completed)) * scale) / scale;
}

export interface PaymentCost {
  /** CPU of the services, the broker and the database, per completed payment (the load generator apart). */
  cpuMs: number;
  /** CPU of the load generator (the bench's own client) per completed payment. */
  loadGeneratorCpuMs: number;
  kafkaRecords: number;
  /** Every transaction, reads included. */
  postgresTransactions: number;
  /** Transactions that wrote (appends, checkpoints, timers, read models): the commits. */
  postgresWriteTransactions: number;
  eventsAppended: number;
}

export const IDLE_SAMPLE_MS = 10_000;

/** CPU the stack uses with nothing to do (% of one core), per process and in all: a cost every payment shares. */
export async function idleCost(stack: BenchStack): Promise<Record<string, number>> {
  const sampler = new ProcessSampler(() => stack.file());
  sampler.start();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
  const processes = Object.entries(sampler.stop()).filter(([name]) => name !== LOAD_GENERATOR);
  const idle = Object.fromEntries(processes.map(([name, figures]) => [name, figures.cpuPercent]));
  idle['all'] = processes.reduce((sum, [, figures]) => sum + figures.cpuPercent, 0);
  say(`idle stack: ${idle['all']}% of one core`);
  return idle;
}
