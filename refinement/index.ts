/**
 * The public surface of sel4-spec as a library (package.json `exports`):
 *
 * - check: `checkRefinement`, and `assertRefinement` that throws the printed
 *   counterexample, with the command line's defaults (`CHECK_DEFAULTS`);
 * - trace: the trace file codec, replay (`runEvents`), the telling of a run
 *   (`tell`, `renderStory`, `Names`), its states (`viewOfState`,
 *   `stepChanges`), their export (`toItf`) and the HTML page (`htmlReport`);
 * - scenario: libsel4-like builders (`CNode.mint(dest, src, rights, badge)`…),
 *   `runScenario` with steps addressed to threads (`as(T2, call(ep, msg(1)))`),
 *   `asTest` (what `replay --as-test` prints);
 * - invariants: the kernel invariants by name (`INVARIANT_NAMES`,
 *   `invariantsNamed`, `wellFormed` for all of them);
 * - the spec itself: `bootState`, `step`.
 */
export { type AssertOptions, assertRefinement, CHECK_DEFAULTS, RefinementError } from './assert';
export { CHECK_BOOT_CONFIG, checkRefinement, runEvents, type CheckOptions, type CheckResult, type Counterexample, type RunOptions } from './check';
export { type Failure, LockStep } from './run';
export { bootConfigOf, decodeTrace, parseTrace, type TraceFile } from './trace/codec';
export { decodeItfValue, itfValue, toItf } from './trace/itf';
export { renderStory, tell, type Story } from './report/story';
export { htmlReport, type HtmlReportInput } from './report/html';
export { stateLines, stepChanges, viewOfState, type StateView } from './report/stateView';
export { Names } from './report/names';
export { INVARIANTS, INVARIANT_NAMES, type InvariantSelection, invariantsNamed, type SpecCheck, specCheckOf, wellFormed } from '../invariants/wellFormed';
export type { Violation } from '../invariants/violation';
export type { KernelState } from '../spec/model/state';
export { bootState, step } from '../spec/kernel';
export { invocationEvent, syscallEvent, type Event } from '../spec/api';
export * from './scenario';
