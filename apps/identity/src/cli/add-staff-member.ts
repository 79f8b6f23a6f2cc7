/**
 * Makes one entry of the staff registry (`IDENTITY_STAFF`, held by identity only): the argon2id hash of the agent's
 * password, their role, and a fresh authenticator secret (the second factor is mandatory for
 * staff). The password is read from stdin so that it stays out of the shell history and the
 * process list:
 *
 *     node -r @swc-node/register apps/identity/src/cli/add-staff-member.ts agent-7 support < password.txt
 *
 * Prints the entry to add to the registry's JSON object and the `otpauth://` URI to give the agent
 * once (as a QR code) for their authenticator app; neither is kept anywhere else.
 */
import {
  ARGON2_OWASP_PARAMS,
  STAFF_ROLES,
  generateTotpSecret,
  hashLoginPassword,
  totpProvisioningUri,
  type StaffRole,
} from '@ledger/crypto';

async function main(): Promise<void> {
  const [agentId, role] = process.argv.slice(2);
  if (agentId === undefined || !/^[A-Za-z0-9-]{1,64}$/.test(agentId))
    throw new Error('usage: add-staff-member.ts <agentId> <role> < password.txt');
  if (!(STAFF_ROLES as readonly string[]).includes(role ?? '')) throw new Error(`the role must be one of ${STAFF_ROLES.join(', ')}`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length < 12) throw new Error('a staff password needs at least 12 characters');
  const { base32 } = generateTotpSecret();
  const entry = { passwordHash: await hashLoginPassword(password, ARGON2_OWASP_PARAMS), role: role as StaffRole, totpSecret: base32 };
  console.log(`registry entry:\n${JSON.stringify({ [agentId]: entry })}\n`);
  console.log(
    `authenticator (give it to ${agentId} once):\n${totpProvisioningUri({ issuer: 'e-wallet-ledger staff', accountName: agentId, secretBase32: base32 })}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
