/**
 * The deterministic simulation of the payment path (`npm run simulate`): the real payment and wallet
 * deciders, the payments process manager and the wallet's command handling, over an in-memory event
 * store and bus, with every delivery, timer and fault chosen by a seeded scheduler.
 */
export { runSchedule, type ScheduleOptions, type ScheduleResult } from './simulation';
export { runSeeds, AVOID_KNOWN_DEFECTS, type RunOptions, type RunSummary } from './runner';
export { signatureOf } from './signature';
export { FAULT_KINDS, type FaultKind, type FaultProfile } from './faults';
export { MemoryEventStore, type MemoryEventStoreOptions } from './memory-event-store';
export { Random } from './random';
