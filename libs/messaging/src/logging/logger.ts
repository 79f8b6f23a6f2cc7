import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger as Pino } from 'pino';
import { currentLogContext } from './log-context';
import { errorFields, redact, scrubText } from './redact';

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  /** Names the service on every line, e.g. `payments`. */
  service: string;
  /** Nest's levels to print; by default from LOG_LEVEL, else log, warn and error. */
  levels?: LogLevel[];
  /** By default JSON when NODE_ENV=production (or LOG_FORMAT=json), one readable line otherwise. */
  format?: LogFormat;
  /** Where lines go; by default `process.stdout.write`, looked up at each line so a test can capture it. */
  write?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};
/** LOG_LEVEL (pino's names, which operators know) → the Nest levels it lets through. */
const FROM_LOG_LEVEL: Record<string, LogLevel[]> = {
  trace: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
  fatal: ['fatal'],
};
const DEFAULT_LEVELS: LogLevel[] = ['log', 'warn', 'error', 'fatal'];

export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (env['LOG_FORMAT'] === 'json' || env['LOG_FORMAT'] === 'text') return env['LOG_FORMAT'];
  return env['NODE_ENV'] === 'production' ? 'json' : 'text';
}

export function logLevelsFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel[] {
  return FROM_LOG_LEVEL[(env['LOG_LEVEL'] ?? '').toLowerCase()] ?? DEFAULT_LEVELS;
}

/**
 * Nest's `LoggerService` on pino. Every line carries the service, Nest's context (the class or area
 * that logged), the correlation id, command id, actor and trace id of the command or request being
 * handled (`withLogContext`), and the message: scrubbed of secrets, as are the fields of a logged
 * object (`redact`). In JSON each line is one object; in text (development) one readable line, made
 * from the same object by a formatter of a few lines rather than a pretty-printing dependency.
 */
export class PinoLogger implements LoggerService {
  private enabled: ReadonlySet<LogLevel>;

  constructor(
    readonly pino: Pino,
    levels: LogLevel[],
  ) {
    this.enabled = new Set(levels);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest calls this when an application is created with a list of levels. */
  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.enabled.has(level);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const { context, stack, rest } = nestArguments(level, params);
    const fields: Record<string, unknown> = {};
    let text: string;
    if (message instanceof Error) {
      fields['err'] = errorFields(message);
      text = scrubText(message.message);
    } else if (typeof message === 'string') {
      text = scrubText(message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, message: inner, ...other } = redact(message) as Record<string, unknown>;
      Object.assign(fields, other);
      text = typeof msg === 'string' ? msg : typeof inner === 'string' ? inner : '';
    } else {
      text = String(message);
    }
    if (context !== undefined) fields['context'] = context;
    if (stack !== undefined) fields['stack'] = scrubText(stack);
    if (rest.length > 0) fields['args'] = redact(rest);
    this.pino[PINO_LEVEL[level]](fields, text);
  }
}

/** Nest's trailing arguments: `(…, context)`, and for errors `(stack, context)` (see Nest's ConsoleLogger). */
function nestArguments(level: LogLevel, params: unknown[]): { context?: string; stack?: string; rest: unknown[] } {
  const rest = [...params];
  const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
  let stack: string | undefined;
  if (level === 'error' && rest.length > 0 && (typeof rest[rest.length - 1] === 'string' || rest[rest.length - 1] === undefined))
    stack = rest.pop() as string | undefined;
  return { context, stack, rest };
}

/** The fields of the log context, for pino's mixin (called for every line). */
function contextFields(): Record<string, string> {
  const context = currentLogContext();
  if (context === undefined) return {};
  const fields: Record<string, string> = {};
  if (context.correlationId !== undefined) fields['correlationId'] = context.correlationId;
  if (context.commandId !== undefined) fields['commandId'] = context.commandId;
  if (context.actor !== undefined) fields['actor'] = context.actor;
  if (context.traceId !== undefined) fields['traceId'] = context.traceId;
  return fields;
}

export function createLogger(options: LoggerOptions): PinoLogger {
  const env = options.env ?? process.env;
  const format = options.format ?? logFormatFromEnv(env);
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const destination = { write: format === 'json' ? write : (line: string) => write(textLine(line)) };
  const logger = pino(
    {
      // The Nest levels decide what is written; pino writes whatever reaches it.
      level: 'trace',
      base: { service: options.service, pid: process.pid },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: contextFields,
    },
    destination,
  );
  return new PinoLogger(logger, options.levels ?? logLevelsFromEnv(env));
}

/** Fields every text line shows in this order, under short names; the rest follow as `name=value`. */
const SHOWN_FIRST: ReadonlyArray<[string, string]> = [
  ['correlationId', 'corr'],
  ['commandId', 'cmd'],
  ['actor', 'actor'],
  ['traceId', 'trace'],
];
const NOT_SHOWN = new Set(['level', 'time', 'msg', 'context', 'service', 'pid', 'err', 'stack', ...SHOWN_FIRST.map(([name]) => name)]);

/** One JSON line of pino as a readable line: `12:34:56.789 INFO  [payments] message corr=… cmd=… actor=… trace=…`. */
export function textLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry['time'] === 'string' ? entry['time'].slice(11, 23) : '';
  const parts = [time, String(entry['level']).toUpperCase().padEnd(5), `[${String(entry['context'] ?? entry['service'])}]`];
  if (entry['msg'] !== '') parts.push(String(entry['msg']));
  for (const [name, short] of SHOWN_FIRST) if (entry[name] !== undefined) parts.push(`${short}=${String(entry[name])}`);
  for (const [name, value] of Object.entries(entry))
    if (!NOT_SHOWN.has(name)) parts.push(`${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const err = entry['err'] as { stack?: string; message?: string } | undefined;
  if (err !== undefined) parts.push(err.stack ?? err.message ?? '');
  if (typeof entry['stack'] === 'string') parts.push(entry['stack']);
  return `${parts.join(' ')}\n`;
}
