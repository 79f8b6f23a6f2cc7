import type { AcceptedOf, AcceptedResult, CommandContract, RejectedResult } from '@ledger/contracts';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/**
 * The accepted result of command `C`: its `data` typed by the command's `accepted` schema when the
 * contract gives one, else the contract's open record.
 */
export type AcceptedResultOf<C extends CommandContract> = [NonNullable<C['accepted']>] extends [never]
  ? AcceptedResult
  : { status: 'accepted'; commandId: string; data: AcceptedOf<C> };

/** The one result of command `C`: accepted with its typed data, or rejected with a stable code. */
export type CommandResultOf<C extends CommandContract> = AcceptedResultOf<C> | RejectedResult;

/**
 * A command was accepted with data its contract's `accepted` schema does not describe: the service
 * and the contract disagree, so a client typed by the contract would read fields that are not there.
 * Thrown only by a client that checks results (`validateResults`), as the end-to-end tests do.
 */
export class AcceptedDataMismatchError extends Error {
  constructor(
    readonly commandType: string,
    readonly commandId: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${commandType} (command ${commandId}) was accepted with data that does not match its contract's accepted schema: ${problems.join('; ')}`,
    );
    this.name = 'AcceptedDataMismatchError';
  }
}

/** Compiled once per schema: a busy client checks thousands of results with the same few. */
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerOf(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

const MAX_PROBLEMS = 5;

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The first problem at each of the first few paths (TypeBox reports a missing field both as missing and as of the wrong type). */
function problemsOf(schema: TSchema, data: unknown): string[] {
  const byPath = new Map<string, string>();
  for (const error of checkerOf(schema).Errors(data)) {
    const at = error.path || '(root)';
    if (!byPath.has(at)) byPath.set(at, `${at}: ${error.message}, got ${preview(error.value)}`);
    if (byPath.size === MAX_PROBLEMS) break;
  }
  return [...byPath.values()];
}

/**
 * What is wrong with `data` as the accepted data of `command`: nothing when it matches, or when the
 * contract gives no `accepted` schema. Each problem names the field's JSON pointer, what the schema
 * expects and what came.
 */
export function acceptedDataProblems(command: CommandContract, data: unknown): string[] {
  const schema = command.accepted;
  if (schema === undefined || checkerOf(schema).Check(data)) return [];
  // A union (a payment's view or its `pending` answer) reports only "Expected union value" for the
  // whole; what is wrong is said by each alternative's own problems.
  const alternatives: unknown = schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return (alternatives as TSchema[]).map(
      (alternative, index) => `as alternative ${index + 1} of ${alternatives.length}: ${problemsOf(alternative, data).join(', ')}`,
    );
  }
  return problemsOf(schema, data);
}

/** Throws `AcceptedDataMismatchError` when an accepted result's data does not match its command's `accepted` schema. */
export function assertAcceptedData(command: CommandContract, result: AcceptedResult): void {
  const problems = acceptedDataProblems(command, result.data);
  if (problems.length > 0) throw new AcceptedDataMismatchError(command.type, result.commandId, problems);
}
