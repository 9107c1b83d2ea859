/**
 * The public surface of sel4-spec as a library (package.json `exports`):
 * the check and its assertion for a user's own suite, traces (their codec,
 * replay, the telling of a run, its states and their export), the spec's
 * entry points and event builders, and the kernel invariants by name.
 */
export { type AssertOptions, assertRefinement, CHECK_DEFAULTS, RefinementError } from './assert';
export { CHECK_BOOT_CONFIG, checkRefinement, runEvents, type CheckOptions, type CheckResult, type Counterexample, type RunOptions } from './check';
export { type Failure, LockStep } from './run';
export { bootConfigOf, decodeTrace, parseTrace, type TraceFile } from './trace/codec';
export { decodeItfValue, itfValue, toItf } from './trace/itf';
export { renderStory, tell, type Story } from './report/story';
export { stateLines, stepChanges, viewOfState, type StateView } from './report/stateView';
export { Names } from './report/names';
export { INVARIANTS, type SpecCheck, wellFormed } from '../invariants/wellFormed';
export type { Violation } from '../invariants/violation';
export type { KernelState } from '../spec/model/state';
export { bootState, step } from '../spec/kernel';
export { invocationEvent, syscallEvent, type Event } from '../spec/api';
export * from './scenario';
