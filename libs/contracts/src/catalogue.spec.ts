import { ALL_COMMANDS, SERVICE_ERROR_CODES } from './catalogue';
import { TRANSPORT_ERROR } from './command-result';

const TRANSPORT: ReadonlySet<string> = new Set(Object.values(TRANSPORT_ERROR));
const KNOWN: ReadonlySet<string> = new Set(SERVICE_ERROR_CODES);
const CODE_LIKE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
/** Codes of commands a service gives itself, never over Kafka: the wallet's hold expiry (ExpireHold) before the hold's time. */
const ANSWERED_ONLY_INSIDE = ['HOLD_NOT_EXPIRED'];

describe("each command's rejection codes: one list, in its contract", () => {
  it.each(ALL_COMMANDS.map((command) => [command.type, command] as const))(
    '%s lists only codes some context defines, each once, none of the transport',
    (_type, command) => {
      expect(command.rejects.filter((code) => !KNOWN.has(code))).toEqual([]);
      expect(command.rejects.filter((code) => TRANSPORT.has(code))).toEqual([]);
      expect(new Set(command.rejects).size).toBe(command.rejects.length);
    },
  );

  it.each(ALL_COMMANDS.map((command) => [command.type, command] as const))(
    '%s: every code its description names is in its list',
    (_type, command) => {
      const named = (command.description.match(CODE_LIKE) ?? []).filter((word) => KNOWN.has(word) && !TRANSPORT.has(word));
      expect(named.filter((code) => !command.rejects.includes(code))).toEqual([]);
    },
  );

  it('a code no command lists is one only the transport answers, or one a service answers only to itself', () => {
    const listed = new Set(ALL_COMMANDS.flatMap((command) => command.rejects));
    expect(SERVICE_ERROR_CODES.filter((code) => !listed.has(code) && !TRANSPORT.has(code))).toEqual(ANSWERED_ONLY_INSIDE);
  });
});
