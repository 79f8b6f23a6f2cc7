import { generateSigningKey, signAccessToken, verificationKeysOf } from '@ledger/crypto';
import { ProblemError } from '../problem';
import { BearerVerifier } from './auth';

const identityKey = generateSigningKey('identity-1');
const staffKey = generateSigningKey('staff-1');
const now = new Date('2026-12-07T10:00:00.000Z');
const token = async (userId: string, kind: 'user' | 'staff' = 'user', ttlMs = 60_000) =>
  `Bearer ${(await signAccessToken({ userId, deviceId: 'phone-1', now, ttlMs }, kind, kind === 'user' ? identityKey : staffKey)).token}`;
const code = (error: unknown) => (error instanceof ProblemError ? `${error.code}: ${error.detail}` : String(error));

describe('bearer tokens at the gateway', () => {
  it("takes users' tokens from identity's key and agents' from the staff issuer's, with the role each grants", async () => {
    const verifier = new BearerVerifier({ user: verificationKeysOf(identityKey), staff: verificationKeysOf(staffKey) });
    expect(await verifier.verify(await token('u-1'), now)).toEqual({ userId: 'u-1', role: 'user', deviceId: 'phone-1', actor: 'user:u-1' });
    expect(await verifier.verify(await token('agent-7', 'staff'), now)).toMatchObject({ role: 'support', actor: 'support:agent-7' });
  });

  it('remembers a verified token only until it expires, and never answers for another token from memory', async () => {
    const verifier = new BearerVerifier({ user: verificationKeysOf(identityKey), staff: verificationKeysOf(staffKey) }, 2);
    const alice = await token('u-alice', 'user', 60_000);
    await verifier.verify(alice, now);
    expect(await verifier.verify(alice, new Date(now.getTime() + 59_000))).toMatchObject({ userId: 'u-alice' });
    await expect(verifier.verify(alice, new Date(now.getTime() + 60_000)).catch(code)).resolves.toBe(
      'UNAUTHENTICATED: the access token has expired; log in again',
    );
    const [header, payload] = alice.slice('Bearer '.length).split('.');
    await expect(verifier.verify(`Bearer ${header}.${payload}.${'A'.repeat(86)}`, now).catch(code)).resolves.toBe(
      'UNAUTHENTICATED: the access token is invalid',
    );
    // Bounded: the oldest of more than two remembered tokens is forgotten, and verified again when it comes back.
    for (const user of ['u-1', 'u-2', 'u-3']) await verifier.verify(await token(user), now);
    await expect(verifier.verify(alice, new Date(now.getTime() + 1_000))).resolves.toMatchObject({ userId: 'u-alice' });
  });

  it('refuses a missing or malformed header', async () => {
    const verifier = new BearerVerifier({ user: verificationKeysOf(identityKey), staff: verificationKeysOf(staffKey) });
    await expect(verifier.verify(undefined, now).catch(code)).resolves.toMatch(/^UNAUTHENTICATED: missing/);
    await expect(verifier.verify('Basic abc', now).catch(code)).resolves.toMatch(/^UNAUTHENTICATED: the Authorization header/);
  });
});
