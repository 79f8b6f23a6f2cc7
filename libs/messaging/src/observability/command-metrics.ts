import { TRANSPORT_ERROR, type CommandResult } from '@ledger/contracts';
import { commandDuration, commandsHandled, type CommandOutcome, type RejectionClass } from '@ledger/observability';

/** The label of a message whose command type is not one this service handles (any text a sender wrote): one series for all. */
export const UNKNOWN_COMMAND_LABEL = 'unknown';
/** The label of a message that could not be decoded at all. */
export const UNPARSED_COMMAND_LABEL = 'unparsed';

interface Children {
  handled: ReturnType<typeof commandsHandled.labels>;
  duration: ReturnType<typeof commandDuration.labels>;
}

const INVALID: ReadonlySet<string> = new Set([TRANSPORT_ERROR.INVALID_COMMAND, TRANSPORT_ERROR.UNKNOWN_COMMAND]);
const TRANSPORT: ReadonlySet<string> = new Set(Object.values(TRANSPORT_ERROR));

/** The outcome and rejection class a result is counted under. */
export function classifyResult(result: CommandResult): { outcome: CommandOutcome; codeClass: RejectionClass } {
  if (result.status === 'accepted') return { outcome: 'accepted', codeClass: 'none' };
  if (result.code === TRANSPORT_ERROR.PROCESSING_FAILED) return { outcome: 'failed', codeClass: 'none' };
  if (INVALID.has(result.code)) return { outcome: 'rejected', codeClass: 'invalid' };
  if (result.code === TRANSPORT_ERROR.FORBIDDEN) return { outcome: 'rejected', codeClass: 'forbidden' };
  return { outcome: 'rejected', codeClass: TRANSPORT.has(result.code) ? 'transport' : 'business' };
}

/**
 * The command server's per-command metrics: one counter increment and one histogram observation
 * per command. The labelled children are looked up once per (type, outcome, class) and kept, so the
 * hot path does two map look-ups and no string building. Bounded: the types are the handlers' (the
 * caller maps any other to UNKNOWN_COMMAND_LABEL), the outcomes and classes are fixed sets.
 */
export class CommandMetrics {
  private readonly children = new Map<string, Map<string, Children>>();

  /** Counts the command under its result's outcome and class; returns the result (to chain on the handling). */
  record(commandLabel: string, result: CommandResult, startedAtMs: number): CommandResult {
    const { outcome, codeClass } = classifyResult(result);
    this.count(commandLabel, outcome, codeClass, startedAtMs);
    return result;
  }

  count(commandLabel: string, outcome: CommandOutcome, codeClass: RejectionClass, startedAtMs: number): void {
    let byOutcome = this.children.get(commandLabel);
    if (!byOutcome) this.children.set(commandLabel, (byOutcome = new Map()));
    const key = codeClass === 'none' ? outcome : codeClass;
    let children = byOutcome.get(key);
    if (!children) {
      children = {
        handled: commandsHandled.labels(commandLabel, outcome, codeClass),
        duration: commandDuration.labels(commandLabel, outcome),
      };
      byOutcome.set(key, children);
    }
    children.handled.inc();
    children.duration.observe((performance.now() - startedAtMs) / 1_000);
  }
}
