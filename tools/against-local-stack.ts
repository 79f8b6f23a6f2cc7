/**
 * Runs an operator command (`npm run ledger:check`, `projector:check`, `replay`, `as-of`, …) against
 * the database of the local stack `npm start` runs, unless DATABASE_URL (or EVENT_STORE_URL) names
 * another. With neither, it says so and exits 2 ("could not check") instead of a stack trace.
 *
 * Usage: `node -r @swc-node/register tools/against-local-stack.ts <script.ts> [args…]`; the stack is
 * LEDGER_INSTANCE's (default `dev`, the one `npm start` runs).
 */
import path from 'node:path';
import { LOCAL_STACK, repoRoot, runningStack } from '@ledger/local-infra';

const [script, ...args] = process.argv.slice(2);
if (script === undefined) {
  console.error('usage: against-local-stack.ts <script.ts> [args…]');
  process.exit(2);
}
if (!process.env.DATABASE_URL && !process.env.EVENT_STORE_URL) {
  const instance = process.env.LEDGER_INSTANCE ?? LOCAL_STACK.dev.instance;
  const stack = runningStack(instance);
  if (stack === undefined) {
    console.error(
      `No database to use: DATABASE_URL is not set and no local stack "${instance}" is running.\n` +
        'Start one with `npm start` (in another terminal), or set DATABASE_URL to the database to check.',
    );
    process.exit(2);
  }
  process.env.DATABASE_URL = stack.databaseUrl;
}
// The command reads its own arguments from argv, as if it had been started directly.
const target = path.resolve(repoRoot, script);
process.argv = [process.argv[0]!, target, ...args];
void import(target);
