/**
 * An aggregate as a decider (docs/design.md §2): pure functions, no I/O. Time, ids and anything fetched
 * from outside arrive inside the command. `decide` returns the events a command causes, or a
 * rejection with a stable code; it throws only for broken invariants or invalid input.
 */
export interface Decider<Command, Event, State, Rejection = DomainRejection> {
  initialState(): State;
  decide(command: Command, state: State): Event[] | Rejection;
  evolve(state: State, event: Event): State;
}

/** An expected business failure: a stable machine code plus facts for the caller. */
export interface DomainRejection<Code extends string = string> {
  readonly kind: 'rejection';
  readonly code: Code;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export function reject<Code extends string>(code: Code, message: string, details?: Record<string, unknown>): DomainRejection<Code> {
  return details === undefined ? { kind: 'rejection', code, message } : { kind: 'rejection', code, message, details };
}

export function isRejection(value: unknown): value is DomainRejection {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rejection';
}

/** Folds events into state from the decider's initial state. */
export function fold<Command, Event, State, Rejection>(
  decider: Decider<Command, Event, State, Rejection>,
  events: readonly Event[],
  from = decider.initialState(),
): State {
  return events.reduce((state, event) => decider.evolve(state, event), from);
}

/** Exhaustiveness check for discriminated unions: a `switch` over every case ends here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
