import { readdirSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@ledger/local-infra';

/** The compose file cannot run on machines without Docker, so its shape is checked instead. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: { dockerfile: string };
        environment?: Record<string, string>;
        profiles?: string[];
        deploy?: { replicas?: string };
        healthcheck?: { test?: string[] };
      }
    >;
  };
  const apps = readdirSync(path.join(repoRoot, 'apps')).filter((name) => existsSync(path.join(repoRoot, 'apps', name, 'src', 'main.ts')));

  it('parses and runs Kafka 3.9.x in KRaft mode and PostgreSQL', () => {
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
  });

  it('offers KurrentDB under a profile', () => {
    expect(compose.services.kurrentdb?.profiles).toEqual(['kurrentdb']);
  });

  it.each(apps)('has a service for apps/%s built from deploy/Dockerfile', (app) => {
    const service = compose.services[app];
    expect(service?.build?.dockerfile).toBe('deploy/Dockerfile');
    expect(service?.environment?.APP).toBe(app);
    expect(existsSync(path.join(repoRoot, service!.build!.dockerfile))).toBe(true);
  });

  it('scales every service but the projector, the gateway and the partner simulator with LEDGER_REPLICAS', () => {
    const single = ['projector', 'gateway', 'partners'];
    for (const app of apps) {
      const replicas = compose.services[app]?.deploy?.replicas;
      expect({ app, replicas }).toEqual({ app, replicas: single.includes(app) ? undefined : '${LEDGER_REPLICAS:-1}' });
    }
  });

  it('checks the gateway is ready on /ready', () => {
    expect(compose.services.gateway?.healthcheck?.test?.join(' ')).toContain(
      `http://127.0.0.1:${compose.services.gateway?.environment?.GATEWAY_PORT ?? 3000}/ready`,
    );
  });

  it('points every service at the partner simulator, which posts provider callbacks to the gateway', () => {
    for (const app of apps.filter((name) => name !== 'partners'))
      expect(compose.services[app]?.environment?.PARTNERS_URL).toBe('http://partners:4400');
    expect(compose.services.partners?.environment?.PARTNERS_CALLBACK_URL).toBe('http://gateway:3000/provider-callbacks');
  });
});
