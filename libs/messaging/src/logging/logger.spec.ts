import { Logger } from '@nestjs/common';
import { withLogContext } from './log-context';
import { createLogger, logFormatFromEnv, logLevelsFromEnv, textLine, type LogFormat } from './logger';

function capture(format: LogFormat, levels?: Parameters<typeof createLogger>[0]['levels']) {
  const lines: string[] = [];
  const logger = createLogger({ service: 'payments', format, levels, write: (line) => lines.push(line) });
  return { logger, lines, json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the pino logger behind Nest', () => {
  afterEach(() => Logger.overrideLogger(false));

  it('writes one JSON object per line with the service, the context and the ids of the command being handled', () => {
    const { logger, json } = capture('json');
    withLogContext({ correlationId: 'corr-1', commandId: 'cmd-1', actor: 'user:u-1', traceId: 'a'.repeat(32) }, () =>
      logger.log('payments.PayBill.v1 cmd-1 accepted', 'payments'),
    );
    logger.warn('outside any command');
    const [inside, outside] = json();
    expect(inside).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: 'payments',
      pid: process.pid,
      correlationId: 'corr-1',
      commandId: 'cmd-1',
      actor: 'user:u-1',
      traceId: 'a'.repeat(32),
      context: 'payments',
      msg: 'payments.PayBill.v1 cmd-1 accepted',
    });
    expect(outside).toMatchObject({ level: 'warn', msg: 'outside any command' });
    expect(outside).not.toHaveProperty('correlationId');
  });

  it('reads what Nest passes: a context last, and for errors a stack before it', () => {
    const { logger, json } = capture('json');
    Logger.overrideLogger(logger);
    new Logger('KafkaCommandServer').error('handler failed', 'Error: boom\n    at handler (x.ts:1:2)');
    new Logger('identity').error('no stack');
    new Logger('identity').log({ msg: 'structured', userId: 'u-1', loginPassword: 'Secret123' });
    const [withStack, noStack, structured] = json();
    expect(withStack).toMatchObject({
      level: 'error',
      context: 'KafkaCommandServer',
      msg: 'handler failed',
      stack: expect.stringContaining('at handler'),
    });
    expect(noStack).toMatchObject({ level: 'error', context: 'identity', msg: 'no stack' });
    expect(noStack).not.toHaveProperty('stack');
    expect(structured).toMatchObject({ context: 'identity', msg: 'structured', userId: 'u-1', loginPassword: '[redacted]' });
  });

  it('never writes a secret it is handed, in the message or in fields', () => {
    const { logger, lines } = capture('json');
    logger.log('bound card 6222021234567890128 for 13812345678 with paymentPassword=135790');
    logger.error(new Error('could not open seal:v1:AAAA for Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'));
    logger.warn({ msg: 'refused', smsCode: '482913', nested: { refreshToken: 's-1.abcdef' } });
    const all = lines.join('');
    for (const secret of ['6222021234567890128', '13812345678', '135790', 'seal:v1:AAAA', 'eyJhbGciOiJIUzI1NiJ9', '482913', 's-1.abcdef'])
      expect(all).not.toContain(secret);
  });

  it('prints only the levels it was given, and Nest can change them', () => {
    const { logger, json } = capture('json', ['warn', 'error']);
    logger.log('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    logger.setLogLevels(['log']);
    logger.log('shown too');
    expect(json().map((entry) => entry['msg'])).toEqual(['shown', 'shown too']);
  });

  it('writes one readable line per entry in development', () => {
    const { logger, lines } = capture('text');
    withLogContext({ correlationId: 'corr-1', commandId: 'cmd-1', actor: 'system:payments', traceId: 'b'.repeat(32) }, () =>
      logger.log('wallet.PlaceHold.v1 cmd-1 accepted', 'wallet'),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[wallet\\] wallet.PlaceHold.v1 cmd-1 accepted corr=corr-1 cmd=cmd-1 actor=system:payments trace=${'b'.repeat(32)}\\n$`,
      ),
    );
  });

  it('shows other fields and errors on the text line', () => {
    const line = textLine(
      JSON.stringify({
        level: 'error',
        time: '2026-11-10T12:34:56.789Z',
        service: 'gateway',
        msg: 'failed',
        attempt: 2,
        err: { stack: 'Error: x' },
      }),
    );
    expect(line).toBe('12:34:56.789 ERROR [gateway] failed attempt=2 Error: x\n');
  });

  it('is JSON in production and readable otherwise, and LOG_FORMAT and LOG_LEVEL override', () => {
    expect(logFormatFromEnv({ NODE_ENV: 'production' })).toBe('json');
    expect(logFormatFromEnv({})).toBe('text');
    expect(logFormatFromEnv({ NODE_ENV: 'production', LOG_FORMAT: 'text' })).toBe('text');
    expect(logFormatFromEnv({ LOG_FORMAT: 'json' })).toBe('json');
    expect(logLevelsFromEnv({})).toEqual(['log', 'warn', 'error', 'fatal']);
    expect(logLevelsFromEnv({ LOG_LEVEL: 'debug' })).toContain('debug');
    expect(logLevelsFromEnv({ LOG_LEVEL: 'warn' })).toEqual(['warn', 'error', 'fatal']);
  });
});
