import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MANAGEMENT_PORT_OFFSETS, defaultManagementPort } from '@ledger/observability';
import { repoRoot } from '@ledger/local-infra';
import { LEDGER_RULES_FILE, PROMTOOL_BINARY, prometheusConfig } from './prometheus';

/**
 * The Prometheus rules and configurations of deploy/prometheus/ and the one `npm start --prometheus`
 * generates, checked by Prometheus's own tool: the rules load, their unit tests pass (alerts fire
 * on the series they are meant for), and the configurations are valid.
 */
const prometheusDir = path.join(repoRoot, 'deploy', 'prometheus');
const promtool = (...args: string[]) => execFileSync(PROMTOOL_BINARY, args, { cwd: prometheusDir, encoding: 'utf8', stdio: 'pipe' });
const hasPromtool = existsSync(PROMTOOL_BINARY);
if (!hasPromtool)
  console.warn(
    `SKIPPED: ${PROMTOOL_BINARY} is missing, so the Prometheus rules and configurations are not checked; \`npm run setup\` installs it`,
  );
const withPromtool = hasPromtool ? it : it.skip;

describe('Prometheus rules and configuration (promtool)', () => {
  withPromtool('load the recording and alerting rules', () => {
    expect(promtool('check', 'rules', LEDGER_RULES_FILE)).toMatch(/SUCCESS: \d+ rules found/);
  });

  withPromtool('fire the alerts their unit tests expect', () => {
    expect(promtool('test', 'rules', 'ledger.rules.test.yml')).toContain('SUCCESS');
  });

  withPromtool('accept the cluster scrape configuration', () => {
    expect(promtool('check', 'config', 'prometheus.k8s.yml')).toContain('SUCCESS');
  });

  withPromtool("accept the local stack's generated configuration, a target per service instance", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ledger-prometheus-'));
    try {
      const targets = Object.keys(MANAGEMENT_PORT_OFFSETS).flatMap((service) =>
        [1, 2].map((replica) => ({ service, replica, address: `127.0.0.1:${defaultManagementPort(service) + 10 * (replica - 1)}` })),
      );
      const file = path.join(dir, 'prometheus.yml');
      writeFileSync(file, prometheusConfig({ targets, selfAddress: '127.0.0.1:9090' }));
      expect(promtool('check', 'config', file)).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the rules', () => {
  it('name only metrics the services export', () => {
    const rules = readFileSync(LEDGER_RULES_FILE, 'utf8');
    const exported = readFileSync(path.join(repoRoot, 'libs', 'observability', 'src', 'metrics.ts'), 'utf8');
    const used = new Set([...rules.matchAll(/\b(ledger_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((match) => match[1]!));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect({ name, exported: exported.includes(`'${name}'`) }).toEqual({ name, exported: true });
  });
});
