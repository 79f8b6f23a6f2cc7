import { latencySummary } from '../report';
import { capacityOf, nextCapacityRate, type CapacityStep } from './capacity';
import { perCompleted, systemCpuSeconds } from './cost';
import { httpCapacityOf, logIn, nextConnections, runHttpStep, type HttpStep } from './http-load';
import { runLoad, summarize } from './load';
import { ProcessSampler, type ProcessFigures } from './metrics';
import type { PaymentLoad } from './phases';
import type { SeededUser } from './seed';
import { CAPACITY_P99_BOUND_MS, CAPACITY_STEP_MS, GATEWAY_PORT, HTTP_STEP_S, HTTP_USERS, say } from './settings';
import type { BenchStack } from './stack';
import { REALISTIC_MIX } from './traffic-mix';

/**
 * The step searches of `npm run bench -- --capacity`, run against the stack: the realistic mix over
 * Kafka at the rates `capacity.ts` asks for, then through the HTTP gateway (`http-load.ts`).
 */

/** Runs the realistic mix at the rates the step search asks for; each step's figures decide whether it held. */
export async function searchCapacity(deps: PaymentLoad): Promise<CapacityStep[]> {
  const steps: CapacityStep[] = [];
  say(`capacity: steps of ${CAPACITY_STEP_MS / 1000} s, held when p99 ≤ ${CAPACITY_P99_BOUND_MS} ms with nothing refused or unfinished`);
  for (let rate = nextCapacityRate(steps); rate !== undefined; rate = nextCapacityRate(steps)) {
    const run = await runLoad({
      ...deps,
      mix: REALISTIC_MIX,
      rate,
      durationMs: CAPACITY_STEP_MS,
      paymentPassword: deps.password,
      label: `capacity ${rate}/s`,
      say,
    });
    const summary = summarize(run.records, run.startedAt, run.endedAt);
    for (const record of run.records) deps.tracker.records.delete(record.paymentId);
    const latency = latencySummary(summary.latencies);
    const refused = Object.entries(summary.byCode).reduce((sum, [code, count]) => (code.endsWith(':PAYMENTS_BUSY') ? sum + count : sum), 0);
    const held = latency.p99Ms <= CAPACITY_P99_BOUND_MS && refused === 0 && summary.unfinished === 0;
    steps.push({
      rate,
      held,
      completedPerSecond: Math.round(summary.completedPerSecond),
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      refused,
      unfinished: summary.unfinished,
    });
    say(
      `  ${rate}/s: ${held ? 'held' : 'not held'} (completed ${Math.round(summary.completedPerSecond)}/s, p99 ${latency.p99Ms} ms, refused ${refused}, unfinished ${summary.unfinished})`,
    );
  }
  say(`capacity: ${capacityOf(steps)} payments/s`);
  return steps;
}

export type HttpCapacityStep = HttpStep & { cpuMs: number; processes: Record<string, ProcessFigures> };

/**
 * The same mix through the HTTP gateway: users log in, then each step keeps twice as many payments
 * in flight as the one before, until one passes the p99 bound (or answers busy or with errors).
 * CPU per completed payment includes the gateway; autocannon runs in this process (the load generator).
 */
export async function searchHttpCapacity(stack: BenchStack, seeded: SeededUser[]): Promise<HttpCapacityStep[]> {
  const gatewayUrl = `http://127.0.0.1:${GATEWAY_PORT}`;
  const users = await logIn(gatewayUrl, seeded.slice(0, HTTP_USERS), 4);
  say(
    `HTTP gateway: ${users.length} users logged in; steps of ${HTTP_STEP_S} s, held when p99 ≤ ${CAPACITY_P99_BOUND_MS} ms with nothing refused and no error`,
  );
  const steps: HttpCapacityStep[] = [];
  for (let connections = nextConnections(steps); connections !== undefined; connections = nextConnections(steps)) {
    const sampler = new ProcessSampler(() => stack.file());
    sampler.start();
    const step = await runHttpStep({
      gatewayUrl,
      users,
      mix: REALISTIC_MIX,
      connections,
      durationS: HTTP_STEP_S,
      p99BoundMs: CAPACITY_P99_BOUND_MS,
    });
    const processes = sampler.stop();
    const cpuMs = perCompleted(systemCpuSeconds(processes) * 1000, step.completedPerSecond * HTTP_STEP_S);
    steps.push({ ...step, cpuMs, processes });
    say(
      `  ${connections} in flight: ${step.held ? 'held' : 'not held'} (completed ${step.completedPerSecond}/s, p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, errors ${step.errors}, ${cpuMs} CPU-ms per payment)`,
    );
  }
  say(`HTTP gateway: ${httpCapacityOf(steps)} payments/s`);
  return steps;
}
