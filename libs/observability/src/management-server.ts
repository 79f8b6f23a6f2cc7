/**
 * The management port of a service: a small HTTP server, apart from any API, that answers
 * `GET /metrics` (Prometheus text format), `GET /health/live` and `GET /health/ready` (200 when up,
 * 503 when down, with the checks in a JSON body).
 *
 * Hand-rolled on node:http rather than a Nest HTTP module (`@nestjs/terminus`): the command services
 * are Nest microservices with no HTTP adapter, and making each a hybrid HTTP application for three
 * routes would tie the probes to Nest's lifecycle, which is exactly what they must report on (the
 * port answers while the application is still connecting, and while it drains).
 *
 * It listens on 127.0.0.1 by default: metrics are for the operators' scraper, not for the world.
 * A container sets MANAGEMENT_HOST=0.0.0.0 so the kubelet and the scraper reach the pod's address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { health as processHealth, type HealthKind, type HealthRegistry } from './health';
import { metricsRegistry } from './metrics';

export interface ManagementServerOptions {
  /** 0 picks any free port (tests). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  registry?: Registry;
  health?: HealthRegistry;
}

export interface RunningManagementServer {
  /** `http://<host>:<port>`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The routes, for `npm start`'s table and the docs. */
export const MANAGEMENT_ROUTES = { metrics: '/metrics', live: '/health/live', ready: '/health/ready' } as const;

/** A request that takes longer than this is cut: a scrape or a probe never needs more. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Scrapers and probes open a handful of connections; more is a mistake or an attack. */
const MAX_CONNECTIONS = 32;

export async function startManagementServer(options: ManagementServerOptions): Promise<RunningManagementServer> {
  const registry = options.registry ?? metricsRegistry;
  const checks = options.health ?? processHealth;
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, response) => {
    void answer(request, response, registry, checks).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The port must never keep a stopping process alive.
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, registry: Registry, checks: HealthRegistry): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    response.end('method not allowed\n');
    return;
  }
  const path = (request.url ?? '/').split('?')[0];
  if (path === MANAGEMENT_ROUTES.metrics) {
    const body = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  const kind: HealthKind | undefined =
    path === MANAGEMENT_ROUTES.live ? 'liveness' : path === MANAGEMENT_ROUTES.ready ? 'readiness' : undefined;
  if (kind) {
    const report = await checks.report(kind);
    response.writeHead(report.status === 'up' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : JSON.stringify(report));
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end(`not found: ${Object.values(MANAGEMENT_ROUTES).join(', ')}\n`);
}
