/**
 * The one switch for development stand-ins: the public development keys and the simulated partners
 * (SMS outbox, card issuer, acquirer, billers, provider secret). A service uses a stand-in only when
 * `LEDGER_DEV_MODE=1` is set explicitly; otherwise a missing key or a simulated partner stops it at
 * start-up, whatever `NODE_ENV` says, so a forgotten secret can never run on public keys. `npm start`,
 * the tests and the bench set it; a deployment never does.
 */
export const DEV_MODE_VARIABLE = 'LEDGER_DEV_MODE';

type Env = Readonly<Record<string, string | undefined>>;

export function isDevMode(env: Env = process.env): boolean {
  return env[DEV_MODE_VARIABLE] === '1';
}

/** Thrown at start-up when a development stand-in is needed outside development mode. */
export class DevModeRequired extends Error {
  constructor(what: string) {
    super(
      `${what}; a development stand-in is used only with ${DEV_MODE_VARIABLE}=1 (local runs, tests, benchmarks), never in a deployment`,
    );
    this.name = 'DevModeRequired';
  }
}

/** Throws `DevModeRequired` for `what` unless development mode is on. */
export function requireDevMode(what: string, env: Env = process.env): void {
  if (!isDevMode(env)) throw new DevModeRequired(what);
}
