/**
 * How a simulated partner fails to answer. `unavailable`: it refused before doing anything (the
 * server answers 503). `timeout`: no answer at all (the server drops the connection), and the work
 * may or may not have been done.
 */
export type FailureKind = 'timeout' | 'unavailable';

export class SimulatedFailure extends Error {
  constructor(
    readonly failure: FailureKind,
    readonly operation: string,
  ) {
    super(`simulated ${failure} during ${operation}`);
    this.name = 'SimulatedFailure';
  }
}
