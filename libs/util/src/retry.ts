/**
 * How often and how patiently a call is repeated while its answer says "try again": at most
 * `attempts` calls, waiting `firstDelayMs`, then twice as long each time, never more than
 * `maxDelayMs`. Every retry loop of the project goes through `retryWithBackoff`, so each has a
 * bound and a delay.
 */
export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

/** The delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.firstDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it answers something `retryable` does not ask to repeat, or the policy's
 * attempts are used up, and returns the last answer either way (the caller decides what an answer
 * that is still retryable means). No delay follows the last attempt. Exceptions propagate at once:
 * a call that signals "try again" by throwing is wrapped by its caller into an answer.
 */
export async function retryWithBackoff<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  retryable: (answer: T) => boolean,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1)
    throw new RangeError(`a retry policy needs at least one attempt, got ${policy.attempts}`);
  for (let attemptNumber = 1; ; attemptNumber++) {
    const answer = await attempt(attemptNumber);
    if (!retryable(answer) || attemptNumber >= policy.attempts) return answer;
    await wait(backoffDelayMs(policy, attemptNumber));
  }
}
