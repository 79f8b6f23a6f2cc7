import 'reflect-metadata';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@ledger/gateway-service';
import { breakableKafka, uniqueSuffix, type BreakableKafka } from '@ledger/testing';

/**
 * The gateway's readiness follows its broker: `/ready` (what the load balancer asks) and the
 * management port's `/health/ready` answer 503 while the broker cannot be reached, and 200 again once
 * it can. (The flag behind `/ready` used to stay true once the client had started.) The shared test
 * broker keeps running: only this gateway's link to it is cut (`breakableKafka`).
 */
describe('gateway readiness', () => {
  let link: BreakableKafka;
  let gateway: RunningGateway;

  beforeAll(async () => {
    link = breakableKafka('gateway-readiness');
    gateway = await startGateway(loadGatewayConfig({ port: 0, topicPrefix: `t-${uniqueSuffix()}.` }), {
      kafka: link.kafka,
      logger: false,
      management: { port: 0, host: '127.0.0.1' },
    });
  }, 120_000);

  afterAll(async () => {
    link.heal();
    await gateway?.stop();
  }, 60_000);

  const statuses = async () => ({
    ready: (await fetch(`${gateway.url}/ready`)).status,
    managementReady: (await fetch(`${gateway.management!.url}/health/ready`)).status,
    live: (await fetch(`${gateway.url}/health`)).status,
    managementLive: (await fetch(`${gateway.management!.url}/health/live`)).status,
  });
  const until = async (what: string, condition: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last ${JSON.stringify(await statuses())})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it('is ready, not ready while the broker is unreachable (and still live), and ready again once it is back', async () => {
    expect(await statuses()).toEqual({ ready: 200, managementReady: 200, live: 200, managementLive: 200 });

    link.break();
    await until('not ready without the broker', async () => (await statuses()).ready === 503, 30_000);
    const response = await fetch(`${gateway.url}/ready`);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ code: 'NOT_READY' });
    expect(await statuses()).toEqual({ ready: 503, managementReady: 503, live: 200, managementLive: 200 });

    link.heal();
    await until(
      'ready with the broker back',
      async () => {
        const now = await statuses();
        return now.ready === 200 && now.managementReady === 200;
      },
      90_000,
    );
  }, 150_000);

  it('serves its metrics on the management port, apart from the API', async () => {
    const metrics = await (await fetch(`${gateway.management!.url}/metrics`)).text();
    expect(metrics).toMatch(/^ledger_ready 1$/m);
    expect(metrics).toMatch(/^ledger_health_check_up\{kind="readiness",check="kafka-replies"\} 1$/m);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
  });
});
