/**
 * Checks the hash chain of one stream, or of every stream, and exits non-zero when a link is broken.
 *
 *   DATABASE_URL=postgres://… node -r @swc-node/register libs/event-store/src/cli/verify.ts wallet-42
 *   DATABASE_URL=postgres://… node -r @swc-node/register libs/event-store/src/cli/verify.ts --all
 *
 * `EVENT_STORE_URL` (any supported scheme) wins over `DATABASE_URL`; `EVENT_STORE_SCHEMA` names the
 * PostgreSQL schema. Exit codes: 0 intact, 1 broken chain, 2 usage or connection error.
 */
import { createEventStore } from '../factory';
import type { VerifyAllResult, VerifyResult } from '../port';

export async function runVerify(args: readonly string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<number> {
  const target = args[0];
  const url = env.EVENT_STORE_URL ?? env.DATABASE_URL;
  if (!target || args.length !== 1 || !url) {
    print('usage: verify <stream|--all>   (with DATABASE_URL or EVENT_STORE_URL set)');
    return 2;
  }
  const store = createEventStore(url, { schema: env.EVENT_STORE_SCHEMA });
  try {
    const result: VerifyResult | VerifyAllResult = target === '--all' ? await store.verifyAll() : await store.verifyStream(target);
    if (result.ok) {
      print(
        'stream' in result
          ? `OK ${result.stream}: ${result.events} events, head ${result.headHash ?? '(empty stream)'}`
          : `OK ${result.streams} streams, ${result.events} events`,
      );
      return 0;
    }
    print(`BROKEN ${result.stream} at revision ${result.revision}: ${result.reason}`);
    return 1;
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  runVerify(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
