import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { GATEWAY_ERROR, ProblemError } from '../problem';

/**
 * Request validation with TypeBox: each route's body schema is compiled once, and a body that does
 * not match answers 400 VALIDATION_FAILED listing every problem as `{ path, message }` (JSON
 * pointer of the field; at most 20 entries).
 */
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

export function validate<T extends TSchema>(schema: T, value: unknown, what = 'body'): Static<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (check.Check(value)) return value as Static<T>;
  const wantsObject = (schema as { type?: unknown }).type === 'object';
  if (wantsObject && (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new ProblemError(GATEWAY_ERROR.VALIDATION_FAILED, `the ${what} must be a JSON object`, {
      errors: [{ path: '', message: 'expected a JSON object' }],
    });
  }
  const errors: Array<{ path: string; message: string }> = [];
  for (const error of check.Errors(value)) {
    if (errors.length >= 20) break;
    // Unknown properties are named by TypeBox's path; say which one.
    if (errors.some((seen) => seen.path === error.path)) continue;
    errors.push({ path: error.path, message: describe(error.schema, error.message) });
  }
  const first = errors[0];
  throw new ProblemError(GATEWAY_ERROR.VALIDATION_FAILED, first ? `${first.path || what}: ${first.message}` : `invalid ${what}`, {
    errors,
  });
}

/** The schema's own description is a better hint than "Expected string to match pattern". */
function describe(schema: TSchema, message: string): string {
  const description = (schema as { description?: unknown }).description;
  return typeof description === 'string' && /pattern|length/i.test(message) ? `${message} (${description})` : message;
}
