// Importing the module that creates every client here applies its fix to KafkaJS's request queue.
import './kafka';

// KafkaJS's own request queue class.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: Record<string, unknown>) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, namespace: () => silent };
const queue = () =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'test:0',
    logger: silent,
  });

describe("KafkaJS's request queue, as every client here runs it", () => {
  it('schedules no timer while nothing is queued, so an idle connection does not wake up every millisecond', () => {
    const idle = queue();
    idle.checkPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
    // Throttled by the broker with nothing queued: still nothing to look at.
    idle.throttledUntil = Date.now() + 1_000;
    idle.scheduleCheckPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
  });

  it('looks at queued requests again after the throttle, or soon when there is none', async () => {
    const busy = queue();
    let looks = 0;
    busy.checkPendingRequests = () => void (looks += 1);
    busy.pending.push({});
    busy.throttledUntil = Date.now() + 40;
    busy.scheduleCheckPendingRequests();
    expect(busy.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(looks).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(looks).toBe(1);

    const unthrottled = queue();
    let soon = 0;
    unthrottled.checkPendingRequests = () => void (soon += 1);
    unthrottled.pending.push({});
    unthrottled.scheduleCheckPendingRequests();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(soon).toBe(1);
  });
});
