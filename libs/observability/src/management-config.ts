/**
 * Where a service's management port listens. Each service has a default port of its own, so that a
 * whole stack runs on one machine (`npm start`); a container sets MANAGEMENT_PORT and
 * MANAGEMENT_HOST=0.0.0.0, its address being its own.
 */

/** The first management port; each service's is this plus its offset below. */
export const DEFAULT_MANAGEMENT_PORT_BASE = 9400;

/** Each service's offset from the base (a replica k of `npm start` adds 10 × (k − 1)). */
export const MANAGEMENT_PORT_OFFSETS: Readonly<Record<string, number>> = {
  gateway: 0,
  identity: 1,
  cards: 2,
  wallet: 3,
  payments: 4,
  projector: 5,
};

/** How far apart the ports of two replicas of one service are on one machine. */
export const REPLICA_PORT_STRIDE = 10;

export interface ManagementEndpoint {
  port: number;
  host: string;
}

/** The service's default port (the base plus its offset; a service not listed gets the base plus 9). */
export function defaultManagementPort(service: string, base = DEFAULT_MANAGEMENT_PORT_BASE): number {
  return base + (MANAGEMENT_PORT_OFFSETS[service] ?? REPLICA_PORT_STRIDE - 1);
}

/**
 * MANAGEMENT_PORT (0: any free port; `off`: no management server) and MANAGEMENT_HOST (default
 * 127.0.0.1); without MANAGEMENT_PORT, the service's default port. Undefined when turned off.
 */
export function managementEndpointFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): ManagementEndpoint | undefined {
  const raw = env.MANAGEMENT_PORT?.trim();
  if (raw === 'off') return undefined;
  const port = raw === undefined || raw === '' ? defaultManagementPort(service) : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`MANAGEMENT_PORT must be a port number or "off", not ${raw}`);
  return { port, host: env.MANAGEMENT_HOST?.trim() || '127.0.0.1' };
}
