import { Counter, Registry } from 'prom-client';
import { HealthRegistry, lifecycleCheck } from './health';
import { managementEndpointFromEnv, defaultManagementPort, MANAGEMENT_PORT_OFFSETS } from './management-config';
import { startManagementServer, type RunningManagementServer } from './management-server';
import { GaugeSources, PeriodicSampler } from './sampling';
import { Gauge } from 'prom-client';

describe('management server', () => {
  const registry = new Registry();
  const requests = new Counter({ name: 'test_requests_total', help: 'test', registers: [registry] });
  const health = new HealthRegistry();
  let server: RunningManagementServer;

  beforeAll(async () => {
    server = await startManagementServer({ port: 0, registry, health });
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 by default and serves the registry in the Prometheus text format', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    requests.inc(3);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('test_requests_total 3');
  });

  it('answers readiness from the registered checks: down until started, up, then down with the reason of a failing check', async () => {
    const lifecycle = lifecycleCheck(health);
    let brokerUp = true;
    const removeBroker = health.register({
      name: 'kafka',
      kind: 'readiness',
      cacheMs: 0,
      check: () => {
        if (!brokerUp) throw new Error('broker unreachable');
      },
    });
    const ready = async () => {
      const response = await fetch(`${server.url}/health/ready`);
      return {
        status: response.status,
        body: (await response.json()) as { status: string; checks: Array<{ name: string; reason?: string }> },
      };
    };
    expect((await ready()).status).toBe(503);
    lifecycle.started();
    expect(await ready()).toEqual({
      status: 200,
      body: {
        status: 'up',
        checks: [
          { name: 'lifecycle', up: true },
          { name: 'kafka', up: true },
        ],
      },
    });
    brokerUp = false;
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.checks.find((check) => check.name === 'kafka')?.reason).toBe('broker unreachable');
    removeBroker();
    lifecycle.remove();
  });

  it('is live while no liveness check fails, and refuses what it does not serve', async () => {
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    const removeCrashed = health.register({ name: 'consumer', kind: 'liveness', check: () => Promise.reject(new Error('crashed')) });
    expect((await fetch(`${server.url}/health/live`)).status).toBe(503);
    removeCrashed();
    expect((await fetch(`${server.url}/other`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('health checks', () => {
  it('bound a check that does not answer, and reuse an answer within its cache time', async () => {
    const health = new HealthRegistry();
    let calls = 0;
    health.register({ name: 'slow', kind: 'readiness', timeoutMs: 50, check: () => new Promise(() => void calls++) });
    const started = Date.now();
    const report = await health.report('readiness');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report).toEqual({ status: 'down', checks: [{ name: 'slow', up: false, reason: 'no answer within 50 ms' }] });
    await health.report('readiness');
    expect(calls).toBe(1);
  });
});

describe('sampling', () => {
  it('sums the sources of a gauge at scrape time, and forgets a removed one', async () => {
    const registry = new Registry();
    const gauge = new Gauge({ name: 'test_in_flight', help: 'test', registers: [registry] });
    const sources = new GaugeSources(gauge);
    const removeFirst = sources.add(() => 2);
    sources.add(() => 5);
    expect(await registry.getSingleMetricAsString('test_in_flight')).toContain('test_in_flight 7');
    removeFirst();
    expect(await registry.getSingleMetricAsString('test_in_flight')).toContain('test_in_flight 5');
  });

  it('samples at once, then on its interval, one sample at a time, and stops', async () => {
    let samples = 0;
    const sampler = new PeriodicSampler(20, async () => {
      samples += 1;
    });
    sampler.start();
    await new Promise((resolve) => setTimeout(resolve, 110));
    await sampler.stop();
    const stoppedAt = samples;
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(samples).toBe(stoppedAt);
  });
});

describe('management endpoint', () => {
  it('is the service default on 127.0.0.1, or MANAGEMENT_PORT / MANAGEMENT_HOST, or off', () => {
    expect(new Set(Object.values(MANAGEMENT_PORT_OFFSETS)).size).toBe(Object.keys(MANAGEMENT_PORT_OFFSETS).length);
    expect(managementEndpointFromEnv('wallet', {})).toEqual({ port: defaultManagementPort('wallet'), host: '127.0.0.1' });
    expect(managementEndpointFromEnv('wallet', { MANAGEMENT_PORT: '0', MANAGEMENT_HOST: '0.0.0.0' })).toEqual({ port: 0, host: '0.0.0.0' });
    expect(managementEndpointFromEnv('wallet', { MANAGEMENT_PORT: 'off' })).toBeUndefined();
    expect(() => managementEndpointFromEnv('wallet', { MANAGEMENT_PORT: '70000' })).toThrow(/MANAGEMENT_PORT/);
  });
});
