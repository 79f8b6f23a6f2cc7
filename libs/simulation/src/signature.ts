/** Failures told apart by what went wrong, not by the seed's ids, amounts and times. */

/**
 * What a failure says, without what differs from seed to seed: ids, amounts, times, which step a
 * stranded payment stopped at, where an exception surfaced.
 */
export function signatureOf(failure: string): string {
  return failure
    .split('\n')[0]!
    .replace(/^unexpected exception at \S+ in .*? — (\w+: )?/, 'unexpected exception: ')
    .replace(/^(did not quiesce within \d+ \S+)[^]*$/, '$1')
    .replace(/^(stuck: nothing left to run, yet not quiescent)[^]*$/, '$1')
    .replace(/^payment p\d+: (\d+) outcomes[^]*$/, 'payment: $1 outcomes, left in flight')
    .replace(/command p\d+:[\w-]+/g, 'command <step>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 220);
}
