import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { sendersOfContext, topics } from '@ledger/contracts';
import { DEFAULT_SIMULATOR_URL } from '@ledger/partners-http';
import { DEV_MODE_VARIABLE } from '@ledger/util';
import { repoRoot } from '@ledger/local-infra';
import { aclScript } from './kafka-acls';

/**
 * The example Kubernetes manifests in deploy/k8s cannot be applied here (no cluster on this machine),
 * so their shape is checked instead: they parse, every service has its Deployment, they name only
 * keys that exist and variables the code reads, and the Secret holds placeholders only.
 */

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

interface HttpProbe {
  httpGet?: { path: string; port: string | number };
}

/** Where every service answers its probes and serves its metrics (libs/observability/src/management-server.ts). */
const MANAGEMENT_ROUTES = { live: '/health/live', ready: '/health/ready' };

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[] };
}

interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    strategy?: { type?: string };
    selector?: { matchLabels?: Record<string, string> } & Record<string, unknown>;
    template?: PodTemplate;
    ports?: Array<{ name?: string; port?: number; targetPort?: string | number }>;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
  };
}

const NAMESPACE = 'e-wallet-ledger';
const IMAGE = /^([\w.-]+(:\d+)?\/)*e-wallet-ledger:[\w][\w.-]{0,127}$/;
/** A value that is obviously not a secret: `<what goes here>`. */
const PLACEHOLDER = /^<[^<>]+>$/;
/** Read by Node itself and by the Kafka tools' scripts, not by the project's code. */
const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS', 'LOG_DIR']);
/** Apps that refuse to run outside development mode: the partner simulator. None has a Deployment. */
const DEVELOPMENT_ONLY_APPS = ['partners'];
/** Where the services find the partner simulator in development mode; a deployment calls the real partners. */
const SIMULATOR_URL_VARIABLE = 'PARTNERS_URL';
/**
 * The partners each service calls over HTTP, by the prefix of their variables (`partnerEndpointFromEnv`):
 * `<prefix>_URL` (the partner's base URL) and `<prefix>_KEY` (our credential with it, a secret).
 */
const PARTNER_PREFIXES: Record<string, readonly string[]> = {
  identity: ['IDENTITY_SMS'],
  cards: ['CARDS_ISSUER'],
  payments: ['PAYMENTS_ACQUIRER', 'PAYMENTS_CARD_ISSUER', 'PAYMENTS_BILLER'],
};

const k8sDir = path.join(repoRoot, 'deploy', 'k8s');
const files = readdirSync(k8sDir).filter((file) => /\.ya?ml$/.test(file));
const parsed = files.map((file) => ({ file, documents: parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8')) }));
const manifests = parsed.flatMap(({ file, documents }) => documents.map((document) => ({ file, manifest: document.toJS() as Manifest })));
const allApps = readdirSync(path.join(repoRoot, 'apps')).filter((name) => existsSync(path.join(repoRoot, 'apps', name, 'src', 'main.ts')));
/** The apps a deployment runs: every app but the development-only ones. */
const apps = allApps.filter((name) => !DEVELOPMENT_ONLY_APPS.includes(name));

const ofKind = (kind: string) => manifests.filter(({ manifest }) => manifest.kind === kind).map(({ manifest }) => manifest);
const named = (kind: string, name: string) => ofKind(kind).find((manifest) => manifest.metadata?.name === name);
const podTemplates = () => [...ofKind('Deployment'), ...ofKind('Job')].map((manifest) => manifest.spec!.template!);
const containers = () => podTemplates().flatMap((template) => template.spec.containers);
const envOf = (container: Container, name: string) => container.env?.find((variable) => variable.name === name);
const containerOf = (app: string) => named('Deployment', app)!.spec!.template!.spec.containers[0]!;
/** Whether the container gets the variable: set in its env, or a key of a ConfigMap it takes whole (envFrom). */
const isGiven = (container: Container, name: string) =>
  envOf(container, name) !== undefined ||
  (container.envFrom ?? []).some(
    (source) => source.configMapRef && named('ConfigMap', source.configMapRef.name)?.data?.[name] !== undefined,
  );
const fromSecret = (container: Container, name: string) => envOf(container, name)?.valueFrom?.secretKeyRef;
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.ts$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** The source of a service library (`libs/<app>/service/src`), tests left out. */
const serviceCode = (app: string) =>
  sourceFiles(path.join(repoRoot, 'libs', app, 'service', 'src'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');

/** Whether `code` reads the variable: its name spelt out (every adapter names its variables in full). */
function reads(code: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(code);
}

describe('deploy/k8s manifests', () => {
  it('are YAML files that parse without errors', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const { file, documents } of parsed) {
      expect({ file, errors: documents.flatMap((document) => document.errors.map((error) => error.message)) }).toEqual({
        file,
        errors: [],
      });
    }
  });

  it('have apiVersion, kind and metadata.name in every document, and live in the ledger namespace', () => {
    for (const { file, manifest } of manifests) {
      const where = `${file}: ${String(manifest.kind)}/${String(manifest.metadata?.name)}`;
      expect({ where, apiVersion: typeof manifest.apiVersion, kind: typeof manifest.kind, name: typeof manifest.metadata?.name }).toEqual({
        where,
        apiVersion: 'string',
        kind: 'string',
        name: 'string',
      });
      if (manifest.kind !== 'Namespace')
        expect({ where, namespace: manifest.metadata?.namespace }).toEqual({ where, namespace: NAMESPACE });
    }
    expect(named('Namespace', NAMESPACE)).toBeDefined();
  });

  it.each(apps)('have a Deployment for apps/%s that runs it from the service image', (app) => {
    const deployment = named('Deployment', app);
    expect(deployment).toBeDefined();
    const template = deployment!.spec!.template!;
    expect(matches(deployment!.spec!.selector?.matchLabels, template.metadata?.labels)).toBe(true);
    const [container] = template.spec.containers;
    expect(container!.image).toMatch(IMAGE);
    expect(envOf(container!, 'APP')?.value).toBe(app);
    // The image defaults to production; each Deployment says what it runs as.
    expect(envOf(container!, 'NODE_ENV')?.value).toEqual(expect.any(String));
    expect(container!.resources?.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(container!.resources?.limits).toEqual(expect.objectContaining({ memory: expect.any(String) }));
  });

  it('run the projector as exactly one replica, replaced rather than rolled', () => {
    const projector = named('Deployment', 'projector');
    expect(projector?.spec?.replicas).toBe(1);
    expect(projector?.spec?.strategy?.type).toBe('Recreate');
  });

  it('run every other service on two or more replicas behind a disruption budget', () => {
    const budgets = ofKind('PodDisruptionBudget');
    for (const app of apps.filter((name) => name !== 'projector')) {
      const deployment = named('Deployment', app)!;
      expect({ app, replicas: deployment.spec?.replicas }).toEqual({ app, replicas: expect.any(Number) });
      expect(deployment.spec!.replicas!).toBeGreaterThanOrEqual(2);
      const covering = budgets.filter((budget) => matches(budget.spec?.selector?.matchLabels, deployment.spec!.template!.metadata?.labels));
      expect({ app, budgets: covering.length }).toEqual({ app, budgets: 1 });
    }
  });

  it('expose the gateway through a Service on its API port', () => {
    const gateway = named('Deployment', 'gateway')!;
    const container = gateway.spec!.template!.spec.containers[0]!;
    const service = named('Service', 'gateway');
    expect(matches(service?.spec?.selector as Record<string, string> | undefined, gateway.spec!.template!.metadata?.labels)).toBe(true);
    expect(service).toBeDefined();
    const portNames = (container.ports ?? []).flatMap((port) => [port.name, port.containerPort]);
    for (const port of service!.spec!.ports ?? []) expect(portNames).toContain(port.targetPort);
    expect(envOf(container, 'GATEWAY_PORT')?.value).toBe(String(container.ports?.[0]?.containerPort));
  });

  it.each(apps)(
    'probe apps/%s on its management port (live, ready), which it listens on, and expose that port to Prometheus only',
    (app) => {
      const deployment = named('Deployment', app)!;
      const template = deployment.spec!.template!;
      const container = template.spec.containers[0]!;
      const management = (container.ports ?? []).find((port) => port.name === 'management');
      expect({ app, management: management?.containerPort }).toEqual({ app, management: expect.any(Number) });
      // The service listens where the probes ask: its MANAGEMENT_PORT, on the pod's address (not only its loopback).
      expect(envOf(container, 'MANAGEMENT_PORT')?.value).toBe(String(management!.containerPort));
      expect(envOf(container, 'MANAGEMENT_HOST')?.value).toBe('0.0.0.0');
      expect({ app, liveness: container.livenessProbe?.httpGet }).toEqual({
        app,
        liveness: { path: MANAGEMENT_ROUTES.live, port: 'management' },
      });
      expect({ app, readiness: container.readinessProbe?.httpGet }).toEqual({
        app,
        readiness: { path: MANAGEMENT_ROUTES.ready, port: 'management' },
      });
      if (container.startupProbe) expect(container.startupProbe.httpGet?.port).toBe('management');
      expect(template.metadata?.annotations).toEqual(
        expect.objectContaining({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(management!.containerPort) }),
      );
      // Prometheus finds every pod, ready or not, through a headless Service on that port (deploy/prometheus/prometheus.k8s.yml).
      const service = named('Service', `${app}-management`);
      expect(service?.spec?.clusterIP).toBe('None');
      expect(service?.spec?.publishNotReadyAddresses).toBe(true);
      expect(matches(service?.spec?.selector as Record<string, string> | undefined, template.metadata?.labels)).toBe(true);
      expect(service?.spec?.ports).toEqual([{ name: 'management', port: management!.containerPort, targetPort: 'management' }]);
      const prometheusConfig = readFileSync(path.join(repoRoot, 'deploy', 'prometheus', 'prometheus.k8s.yml'), 'utf8');
      expect(prometheusConfig).toContain(`_management._tcp.${app}-management.${NAMESPACE}.svc.cluster.local`);
    },
  );

  it('keep only placeholders in Secrets, never values', () => {
    const secrets = ofKind('Secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      // base64 `data` would hide what it holds; a template uses readable stringData only.
      expect(secret.data).toBeUndefined();
      for (const [key, value] of Object.entries(secret.stringData ?? {}))
        expect({ key, value }).toEqual({ key, value: expect.stringMatching(PLACEHOLDER) });
    }
  });

  it('refer only to Secret and ConfigMap keys that exist', () => {
    const keysOf = (kind: 'Secret' | 'ConfigMap', name: string) => {
      const manifest = named(kind, name);
      return new Set(Object.keys((kind === 'Secret' ? manifest?.stringData : manifest?.data) ?? {}));
    };
    const references = containers().flatMap((container) => container.env ?? []);
    expect(references.some((variable) => variable.valueFrom?.secretKeyRef)).toBe(true);
    for (const variable of references) {
      const secret = variable.valueFrom?.secretKeyRef;
      if (secret)
        expect({ variable: variable.name, found: keysOf('Secret', secret.name).has(secret.key) }).toEqual({
          variable: variable.name,
          found: true,
        });
      const config = variable.valueFrom?.configMapKeyRef;
      if (config)
        expect({ variable: variable.name, found: keysOf('ConfigMap', config.name).has(config.key) }).toEqual({
          variable: variable.name,
          found: true,
        });
    }
    for (const source of containers().flatMap((container) => container.envFrom ?? [])) {
      if (source.configMapRef) expect(named('ConfigMap', source.configMapRef.name)).toBeDefined();
      if (source.secretRef) expect(named('Secret', source.secretRef.name)).toBeDefined();
    }
  });

  it('never ask for the development keys or the simulated partners (LEDGER_DEV_MODE)', () => {
    const configMap = named('ConfigMap', 'ledger-config')!;
    const names = [
      ...containers().flatMap((container) => (container.env ?? []).map((variable) => variable.name)),
      ...Object.keys(configMap.data ?? {}),
    ];
    expect(names).not.toContain(DEV_MODE_VARIABLE);
  });

  it('set only variables that the code, the Dockerfile or the runtime reads', () => {
    const code = [...apps.map((app) => path.join(repoRoot, 'apps', app, 'src')), path.join(repoRoot, 'libs')]
      .flatMap(sourceFiles)
      .map((file) => readFileSync(file, 'utf8'))
      .concat(readFileSync(path.join(repoRoot, 'deploy', 'Dockerfile'), 'utf8'))
      .join('\n');
    const configMap = named('ConfigMap', 'ledger-config')!;
    const names = new Set([
      ...containers().flatMap((container) => (container.env ?? []).map((variable) => variable.name)),
      ...Object.keys(configMap.data ?? {}),
    ]);
    for (const name of names) expect({ name, read: RUNTIME_VARIABLES.has(name) || reads(code, name) }).toEqual({ name, read: true });
  });

  it('never run the partner simulator nor point a service at it: a deployment calls the real partners', () => {
    // The apps that refuse to start outside development mode, which no manifest sets: a Deployment of one could never run.
    const refusing = allApps.filter((app) =>
      /\brequireDevMode\(/.test(readFileSync(path.join(repoRoot, 'apps', app, 'src', 'main.ts'), 'utf8')),
    );
    expect(refusing).toEqual(DEVELOPMENT_ONLY_APPS);
    for (const app of DEVELOPMENT_ONLY_APPS) expect(named('Deployment', app)).toBeUndefined();
    const simulatorHost = new URL(DEFAULT_SIMULATOR_URL).host;
    for (const container of containers()) {
      const where = container.name;
      expect({ where, app: DEVELOPMENT_ONLY_APPS.includes(envOf(container, 'APP')?.value ?? '') }).toEqual({ where, app: false });
      expect({ where, runs: [...(container.command ?? []), ...(container.args ?? [])].join(' ') }).toEqual({
        where,
        runs: expect.not.stringMatching(new RegExp(`apps/(${DEVELOPMENT_ONLY_APPS.join('|')})/`)),
      });
      expect({ where, simulatorUrl: envOf(container, SIMULATOR_URL_VARIABLE) }).toEqual({ where, simulatorUrl: undefined });
      for (const variable of container.env ?? [])
        expect({ where, variable: variable.name, value: variable.value ?? '' }).toEqual({
          where,
          variable: variable.name,
          value: expect.not.stringContaining(simulatorHost),
        });
    }
    for (const manifest of [...ofKind('ConfigMap'), ...ofKind('Secret')]) {
      const values = { ...manifest.data, ...manifest.stringData };
      expect(Object.keys(values)).not.toContain(SIMULATOR_URL_VARIABLE);
      for (const [key, value] of Object.entries(values))
        expect({ key, value }).toEqual({ key, value: expect.not.stringContaining(simulatorHost) });
    }
  });

  it('point each service that calls partners at every one: its URL from the ConfigMap, our credential with it from the Secret', () => {
    const calling = apps.filter((app) => serviceCode(app).includes('partnerEndpointFromEnv('));
    expect(calling.sort()).toEqual(Object.keys(PARTNER_PREFIXES).sort());
    for (const [app, prefixes] of Object.entries(PARTNER_PREFIXES)) {
      const container = containerOf(app);
      const code = serviceCode(app);
      for (const prefix of prefixes) {
        const [url, key] = [`${prefix}_URL`, `${prefix}_KEY`];
        expect({ app, url, read: reads(code, url), given: isGiven(container, url) }).toEqual({ app, url, read: true, given: true });
        expect({ app, key, read: reads(code, key), fromSecret: fromSecret(container, key) !== undefined }).toEqual({
          app,
          key,
          read: true,
          fromSecret: true,
        });
      }
    }
    // Each provider signs its callbacks with a secret of its own.
    expect(fromSecret(containerOf('payments'), 'PAYMENTS_PROVIDER_SECRETS')).toBeDefined();
  });

  it('give every service that keeps an event store a checkpoint signing key of its own, and the checkpoints topic', () => {
    const signing = apps.filter((app) => serviceCode(app).includes('EventStoreModule.forRoot('));
    expect(signing.length).toBeGreaterThan(0);
    const secretKeys = signing.map((app) => {
      const container = containerOf(app);
      const key = fromSecret(container, 'EVENT_CHECKPOINT_SIGNING_KEY')?.key;
      expect({ app, key, topic: isGiven(container, 'EVENT_CHECKPOINT_TOPIC') }).toEqual({ app, key: expect.any(String), topic: true });
      return key;
    });
    expect(new Set(secretKeys).size).toBe(signing.length);
    const configMap = named('ConfigMap', 'ledger-config')!;
    expect(configMap.data?.EVENT_CHECKPOINT_TOPIC).toBe(`${configMap.data?.KAFKA_TOPIC_PREFIX ?? ''}${topics.checkpoints}`);
    const script = named('Job', 'kafka-topics')!.spec!.template!.spec.containers[0]!.args!.join('\n');
    expect(script).toMatch(new RegExp(`^\\s*create ${topics.checkpoints.replace(/\./g, '\\.')} \\d+$`, 'm'));
  });

  it("pre-create every sender's command topic of every service, its dead letters, and the event topics", () => {
    const job = named('Job', 'kafka-topics');
    const script = job!.spec!.template!.spec.containers[0]!.args!.join('\n');
    const relaying = apps.filter((app) =>
      sourceFiles(path.join(repoRoot, 'libs', app, 'service', 'src')).some((file) =>
        readFileSync(file, 'utf8').includes('new EventRelay('),
      ),
    );
    expect(relaying.length).toBeGreaterThan(0);
    const commandTopics = apps.flatMap((app) => sendersOfContext(app).map((sender) => topics.commandsFrom(app, sender)));
    expect(commandTopics.length).toBeGreaterThan(apps.length);
    const wanted = [...commandTopics.flatMap((topic) => [topic, topics.deadLetters(topic)]), ...relaying.map((app) => topics.events(app))];
    for (const topic of wanted)
      expect({ topic, created: new RegExp(`^\\s*create ${topic.replace(/\./g, '\\.')} \\d+$`, 'm').test(script) }).toEqual({
        topic,
        created: true,
      });
  });

  it('give a cluster the same grants as the local broker (deploy/kafka/acls.sh is generated from the one table; `npm run kafka:acls`)', () => {
    expect(readFileSync(path.join(repoRoot, 'deploy/kafka/acls.sh'), 'utf8')).toBe(aclScript());
  });

  it('run the replay job from a CLI the image contains (built from a source file that exists)', () => {
    const job = named('Job', 'replay-verify');
    const container = job!.spec!.template!.spec.containers[0]!;
    expect(container.image).toMatch(IMAGE);
    const [runtime, script] = container.command ?? [];
    expect(runtime).toBe('node');
    // tools/build.js compiles <project>/src/**/*.ts to dist/<project>/src/**/*.js.
    expect(script).toMatch(/^dist\/.+\.js$/);
    expect(existsSync(path.join(repoRoot, script!.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    expect(container.args).toEqual(['--all', '--verify']);
  });
});
