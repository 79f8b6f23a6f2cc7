import { backoffDelayMs, retryWithBackoff, type RetryPolicy } from './retry';

const policy: RetryPolicy = { attempts: 4, firstDelayMs: 100, maxDelayMs: 250 };

describe('retryWithBackoff', () => {
  it('given a first answer that is final, when retried, then it is called once and never waits', async () => {
    const waits: number[] = [];
    const calls: number[] = [];
    const answer = await retryWithBackoff(
      policy,
      async (n) => (calls.push(n), 'done'),
      (a) => a === 'again',
      async (ms) => void waits.push(ms),
    );
    expect(answer).toBe('done');
    expect(calls).toEqual([1]);
    expect(waits).toEqual([]);
  });

  it('given retryable answers, when retried, then it waits with doubling delays capped at the maximum until a final answer', async () => {
    const waits: number[] = [];
    const answers = ['again', 'again', 'again', 'done'];
    const answer = await retryWithBackoff(
      policy,
      async (n) => answers[n - 1] as string,
      (a) => a === 'again',
      async (ms) => void waits.push(ms),
    );
    expect(answer).toBe('done');
    expect(waits).toEqual([100, 200, 250]);
  });

  it('given only retryable answers, when the attempts are used up, then the last answer is returned without a wait after it', async () => {
    const waits: number[] = [];
    let calls = 0;
    const answer = await retryWithBackoff(
      policy,
      async () => `again ${++calls}`,
      (a) => a.startsWith('again'),
      async (ms) => void waits.push(ms),
    );
    expect(answer).toBe('again 4');
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
  });

  it('given a call that throws, when retried, then the error propagates at once', async () => {
    let calls = 0;
    await expect(
      retryWithBackoff(
        policy,
        async () => ((calls += 1), Promise.reject(new Error('broken'))),
        () => true,
        async () => undefined,
      ),
    ).rejects.toThrow('broken');
    expect(calls).toBe(1);
  });

  it('given a policy without attempts, when used, then it is refused', async () => {
    await expect(
      retryWithBackoff(
        { ...policy, attempts: 0 },
        async () => 'x',
        () => false,
      ),
    ).rejects.toThrow(RangeError);
  });

  it('computes each delay from the attempt number', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(policy, n))).toEqual([100, 200, 250, 250]);
  });
});
