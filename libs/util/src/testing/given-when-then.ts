import { fold, isRejection, type Decider, type DomainRejection } from '../decider';

/** What a decider answered to one command, the way a spec looks at it. */
export interface Decided<Event, State, Rejection> {
  /** What `decide` returned: the events, or the rejection. */
  result: Event[] | Rejection;
  /** The events to append (none when refused). */
  events: Event[];
  /** The refusal: answered without recording, or, with `recordedRejection`, recorded as a failure event. */
  rejection: Rejection | DomainRejection | undefined;
  code: string | undefined;
  details: Record<string, unknown> | undefined;
  /** The state after the events. */
  state: State;
  /** The history with the events added. */
  history: Event[];
}

export interface GivenWhenThenOptions<Event> {
  /**
   * The rejection that recorded failure events stand for (a wrong password is recorded, so it counts,
   * and still answered as a refusal): the same function the service answers with.
   */
  recordedRejection?: (events: readonly Event[]) => DomainRejection | undefined;
}

/**
 * The one given/when/then of the project's decider specs:
 * `given(history).when(command)` decides the command on the state the history folds to and tells what
 * would be appended and answered, and the state after; `givenCommands(...commands)` is the history the
 * commands leave when each is decided on the state the earlier ones left (a refused one adds nothing),
 * and `givenAccepted(...commands)` the same for commands a spec's setup needs accepted (it throws on a
 * refusal, so a broken setup never passes as a test).
 */
export function givenWhenThen<Command, Event, State, Rejection extends DomainRejection = DomainRejection>(
  decider: Decider<Command, Event, State, Rejection>,
  options: GivenWhenThenOptions<Event> = {},
) {
  function given(history: readonly Event[] = []) {
    const state = fold(decider, history);
    return {
      state,
      when(command: Command): Decided<Event, State, Rejection> {
        const result = decider.decide(command, state);
        const refused = isRejection(result) ? result : undefined;
        const events = refused ? [] : (result as Event[]);
        const rejection = refused ?? options.recordedRejection?.(events);
        return {
          result,
          events,
          rejection,
          code: rejection?.code,
          details: rejection?.details,
          state: fold(decider, events, state),
          history: [...history, ...events],
        };
      },
    };
  }
  function givenCommands(...commands: Command[]): Event[] {
    return commands.reduce<Event[]>((history, command) => given(history).when(command).history, []);
  }
  function givenAccepted(...commands: Command[]): Event[] {
    return commands.reduce<Event[]>((history, command) => {
      const then = given(history).when(command);
      if (isRejection(then.result))
        throw new Error(`the given ${describe(command)} was refused: ${then.result.code} ${then.result.message}`);
      return then.history;
    }, []);
  }
  return { given, givenCommands, givenAccepted };
}

function describe(command: unknown): string {
  return typeof command === 'object' && command !== null && 'type' in command ? String((command as { type: unknown }).type) : 'command';
}
