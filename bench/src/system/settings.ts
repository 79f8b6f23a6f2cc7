/**
 * The settings of `npm run bench` (`system.bench.ts`, whose doc comment lists the environment),
 * read once from its environment and command line, and its log line.
 */
const env = process.env;
export const RATE = Number(env.BENCH_RATE ?? 1000);
export const DURATION_MS = Number(env.BENCH_DURATION_S ?? 60) * 1000;
export const USERS = Number(env.BENCH_USERS ?? 3000);
export const REPLICAS = Number(env.LEDGER_REPLICAS ?? 1);
export const PHASES = (env.BENCH_PHASES ?? 'spread,hot')
  .split(',')
  .map((phase) => phase.trim())
  .filter((phase) => phase.length > 0);
/** `npm run bench -- --capacity`: also search the capacity (see `system/capacity.ts`). */
export const CAPACITY = process.argv.includes('--capacity') || env.BENCH_CAPACITY === '1';
export const CAPACITY_STEP_MS = Number(env.BENCH_CAPACITY_STEP_S ?? 60) * 1000;
export const CAPACITY_P99_BOUND_MS = 250;
/** The HTTP gateway's step search: with `--capacity` unless BENCH_HTTP=0, or alone with BENCH_HTTP=1. */
export const HTTP = env.BENCH_HTTP === '1' || (CAPACITY && env.BENCH_HTTP !== '0');
export const HTTP_STEP_S = Number(env.BENCH_HTTP_STEP_S ?? 30);
export const HTTP_USERS = Number(env.BENCH_HTTP_USERS ?? 200);
export const GATEWAY_PORT = 3201;
export const REBALANCE = env.BENCH_REBALANCE === '1' && REPLICAS > 1;
/** `BENCH_PG_STATEMENTS=1`: the database loads `pg_stat_statements`, and each phase lists its costliest statements. */
export const STATEMENTS = env.BENCH_PG_STATEMENTS === '1';
export const NAME = env.BENCH_NAME ?? (REPLICAS > 1 ? `system-replicas${REPLICAS}` : 'system');
export const INSTANCE = 'loadtest';
export const say = (line: string) => console.log(`[bench] ${line}`);

/**
 * The service settings of the load test. The velocity rule allows 10 payments a minute per user;
 * a few thousand generated users paying 1,000 times a second pay ~20 times a minute each, so the
 * rule is raised (its behaviour is tested elsewhere) rather than measuring the refusals.
 */
export const STACK_ENV = {
  PAYMENTS_RISK_VELOCITY_PER_MINUTE: '1000',
  PARTNERS_LOAD_TEST_CARDS: String(Math.max(USERS * 2, 10_000)),
  // The HTTP phase logs its users in from this one address.
  GATEWAY_LOGINS_PER_IP: '100000',
  ...(STATEMENTS ? { POSTGRES_STATEMENT_STATS: '1' } : {}),
};
