import { Keyring } from './keyring';
import { hashRefreshToken, issueRefreshToken, refreshTokenMatches, refreshTokenSession } from './refresh-token';

const pepper = Keyring.generate();
const otherPepper = Keyring.generate();

describe('refresh tokens', () => {
  it('names its session and is the same for the same issuing command, different for another', () => {
    const token = issueRefreshToken('s-1', 'cmd-1', pepper);
    expect(refreshTokenSession(token)).toBe('s-1');
    expect(issueRefreshToken('s-1', 'cmd-1', pepper)).toBe(token);
    expect(issueRefreshToken('s-1', 'cmd-2', pepper)).not.toBe(token);
    expect(issueRefreshToken('s-1', 'cmd-1', otherPepper)).not.toBe(token);
  });

  it('is stored as a keyed hash that matches only the same token', () => {
    const token = issueRefreshToken('s-1', 'cmd-1', pepper);
    const stored = hashRefreshToken(token, pepper);
    expect(stored).not.toContain(token.split('.')[1]);
    expect(refreshTokenMatches(token, stored, pepper)).toBe(true);
    expect(refreshTokenMatches(issueRefreshToken('s-1', 'cmd-2', pepper), stored, pepper)).toBe(false);
  });

  it('refuses a value without the shape of a refresh token', () => {
    expect(refreshTokenSession('s-1')).toBeUndefined();
    expect(refreshTokenSession('s 1.abc')).toBeUndefined();
    expect(refreshTokenSession(`s-1.${'a'.repeat(42)}`)).toBeUndefined();
  });
});
