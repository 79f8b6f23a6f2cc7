import { actorAmong, actorIdOf, parseActorHeader } from './command';

describe('actor headers: the one rule every service reads them by', () => {
  it('given a well-formed actor, when parsed, then its kind and id', () => {
    expect(parseActorHeader('user:u-1')).toEqual({ kind: 'user', id: 'u-1' });
    expect(parseActorHeader('supervisor:sup-2')).toEqual({ kind: 'supervisor', id: 'sup-2' });
    expect(parseActorHeader('anonymous')).toEqual({ kind: 'anonymous', id: '' });
  });

  it('given a malformed actor, when parsed, then nothing', () => {
    for (const header of ['user:', 'user', 'admin:x', 'user:-leading-dash', `user:${'x'.repeat(200)}`, 'user:a b'])
      expect(parseActorHeader(header)).toBeUndefined();
  });

  it('reads the id of an actor of one kind only', () => {
    expect(actorIdOf('user:u-1', 'user')).toBe('u-1');
    expect(actorIdOf(' support:agent-7 ', 'support')).toBe('agent-7');
    expect(actorIdOf('user:u-1', 'support')).toBeUndefined();
    expect(actorIdOf('support:', 'support')).toBeUndefined();
    expect(actorIdOf('system:payments', 'system')).toBe('payments');
  });

  it('reads an actor among the kinds a service acts for; any other kind or a malformed header is anonymous', () => {
    const kinds = ['user', 'support'] as const;
    expect(actorAmong(' user:u-1 ', kinds)).toEqual({ kind: 'user', id: 'u-1' });
    expect(actorAmong('support:agent-7', kinds)).toEqual({ kind: 'support', id: 'agent-7' });
    for (const header of ['teller:t-1', 'system:payments', 'anonymous', 'user:', 'nonsense'])
      expect(actorAmong(header, kinds)).toEqual({ kind: 'anonymous' });
  });
});
