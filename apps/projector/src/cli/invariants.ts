/**
 * `npm run projector:check` = `node -r @swc-node/register apps/projector/src/cli/invariants.ts [--json]`
 * Checks the invariants on the read models; exit 1 when one is broken, 2 when it could not check.
 */
import { checkInvariants, formatInvariants } from '@ledger/projector-service';
import { openCli } from './common';

async function main(): Promise<number> {
  const cli = await openCli();
  try {
    const report = await checkInvariants(cli.dataSource);
    console.log(process.argv.includes('--json') ? JSON.stringify(report, null, 2) : formatInvariants(report));
    return report.ok ? 0 : 1;
  } finally {
    await cli.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('check failed:', error);
    process.exit(2);
  },
);
