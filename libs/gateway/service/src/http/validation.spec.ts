import { ProblemError } from '../problem';
import { LoginRequest, UserIdParam } from './schemas';
import { validate } from './validation';

function problemOf(run: () => unknown): ProblemError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a ProblemError');
}

describe('validate', () => {
  it('returns a valid body unchanged', () => {
    const body = { phone: '13812345678', loginPassword: 'Wallet2026ok', deviceId: 'phone-1' };
    expect(validate(LoginRequest, body)).toBe(body);
  });

  it('lists each invalid or missing field with its JSON pointer', () => {
    const problem = problemOf(() => validate(LoginRequest, { phone: 13812345678, stepUpCode: '12' }));
    expect(problem.code).toBe('VALIDATION_FAILED');
    const paths = (problem.details?.['errors'] as Array<{ path: string }>).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['/phone', '/loginPassword', '/deviceId', '/stepUpCode']));
  });

  it('refuses a body that is not an object, and unknown fields', () => {
    expect(problemOf(() => validate(LoginRequest, undefined)).detail).toBe('the body must be a JSON object');
    expect(problemOf(() => validate(LoginRequest, 'x')).code).toBe('VALIDATION_FAILED');
    const unknown = problemOf(() => validate(LoginRequest, { phone: '13812345678', loginPassword: 'a', deviceId: 'd', admin: true }));
    expect(JSON.stringify(unknown.details)).toContain('/admin');
  });

  it('names a bad path parameter', () => {
    const problem = problemOf(() => validate(UserIdParam, 'bad id', 'userId'));
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.detail).toMatch(/^userId: /);
  });
});
