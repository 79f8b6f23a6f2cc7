import http from 'node:http';
import https from 'node:https';
import { DEV_MODE_VARIABLE, isDevMode, requireDevMode } from '@ledger/util';
import type { PartnerClientOptions } from './partner-client';
import { SIMULATOR_HEADER } from './partner-client';
import type { PartnerCredential } from './request-signature';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the partner simulator app listens on a local stack (`PARTNERS_URL` moves it). */
export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:4400';

/**
 * The credentials every simulated partner accepts in development mode, public by design (like the
 * development keys): key id `dev`, one secret per partner.
 */
export function devPartnerCredential(partner: string): PartnerCredential {
  return { keyId: 'dev', secret: `dev-${partner}-secret-not-for-production` };
}

export interface PartnerEndpointSpec {
  /** The partner's name, used for the development credential and the simulator's path (`acquirer`). */
  readonly partner: string;
  /** The variable holding the partner's base URL (`PAYMENTS_ACQUIRER_URL`). */
  readonly urlVariable: string;
  /** The variable holding our credential with it, `<keyId>:<secret>` (`PAYMENTS_ACQUIRER_KEY`). */
  readonly keyVariable: string;
  readonly timeoutVariable?: string;
}

/**
 * A partner adapter's configuration from the environment: its URL and credential. Development mode
 * falls back to the partner simulator app (`PARTNERS_URL`, default `DEFAULT_SIMULATOR_URL`, under
 * `/<partner>`) and its public credential; otherwise both must be set, and the adapter refuses every
 * answer that comes from a simulator.
 */
export function partnerEndpointFromEnv(spec: PartnerEndpointSpec, env: Env = process.env): PartnerClientOptions {
  const dev = isDevMode(env);
  const url = env[spec.urlVariable];
  const key = env[spec.keyVariable];
  if (!url) requireDevMode(`${spec.urlVariable} is not set (the ${spec.partner}'s URL)`, env);
  if (!key) requireDevMode(`${spec.keyVariable} is not set (our credential with the ${spec.partner}, <keyId>:<secret>)`, env);
  const timeout = spec.timeoutVariable ? env[spec.timeoutVariable] : undefined;
  const simulator = simulatorEndpoint(env.PARTNERS_URL || DEFAULT_SIMULATOR_URL, spec.partner);
  return {
    partner: spec.partner,
    baseUrl: url || simulator.baseUrl,
    credential: key ? parseCredential(spec.keyVariable, key) : simulator.credential!,
    ...(timeout ? { timeoutMs: positive(spec.timeoutVariable!, timeout) } : {}),
    allowSimulator: dev,
  };
}

/** A partner of a partner simulator at `simulatorUrl` (tests start their own), with its public credential. */
export function simulatorEndpoint(simulatorUrl: string, partner: string): PartnerClientOptions {
  return {
    partner,
    baseUrl: `${simulatorUrl.replace(/\/$/, '')}/${partner}`,
    credential: devPartnerCredential(partner),
    allowSimulator: true,
  };
}

function parseCredential(variable: string, value: string): PartnerCredential {
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) throw new RangeError(`${variable} must be <keyId>:<secret>`);
  return { keyId: value.slice(0, at), secret: value.slice(at + 1) };
}

function positive(variable: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${variable} must be a positive number of milliseconds`);
  return n;
}

/** Thrown at start-up when a service outside development mode is pointed at a partner simulator. */
export class SimulatorRefused extends Error {
  constructor(partner: string, url: string) {
    super(`${partner} at ${url} is a partner simulator; a simulator is used only with ${DEV_MODE_VARIABLE}=1, never in a deployment`);
    this.name = 'SimulatorRefused';
  }
}

/**
 * Asks the partner's root once at start-up whether it is a simulator, and throws `SimulatorRefused`
 * when it is one and simulators are not allowed. A partner that does not answer does not stop the
 * service (it may be down for a moment; each call checks again).
 */
export async function refuseSimulatorOutsideDevMode(options: PartnerClientOptions, probeTimeoutMs = 2_000): Promise<void> {
  if (options.allowSimulator) return;
  const simulated = await new Promise<boolean>((resolve) => {
    const get = new URL(options.baseUrl).protocol === 'https:' ? https.get : http.get;
    const req = get(options.baseUrl, { timeout: probeTimeoutMs }, (res) => {
      res.resume();
      resolve(res.headers[SIMULATOR_HEADER] !== undefined);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
  if (simulated) throw new SimulatorRefused(options.partner, options.baseUrl);
}
