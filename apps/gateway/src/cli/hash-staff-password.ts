/**
 * Prints the argon2id hash of a support agent's password, for the staff registry
 * (`GATEWAY_SUPPORT_STAFF='{"<agentId>":"<hash>"}'`). The password is read from stdin so that it
 * stays out of the shell history and the process list:
 *
 *     node -r @swc-node/register apps/gateway/src/cli/hash-staff-password.ts < password.txt
 */
import { ARGON2_OWASP_PARAMS, hashLoginPassword } from '@ledger/crypto';

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length < 12) throw new Error('a staff password needs at least 12 characters');
  console.log(await hashLoginPassword(password, ARGON2_OWASP_PARAMS));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
