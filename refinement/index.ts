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

// The types the values above carry, so that a user's code (and the API docs) can name them.
export type { Reading, AsTestInput } from './scenario/asTest';
export type { SideView, StoryStep } from './report/story';
export type { ThreadView } from './report/stateView';
export type { Graph, GraphEdge, GraphNode } from './report/graphs';
export type { CrashSide, FailureKind, LockStepOptions, TraceRun, FastpathMode, StepObserver } from './run';
export { FASTPATH_MODES } from './run';
export type { RunSlice, ShrinkProgress } from './check';
export type { Difference } from './diff';
export type { InputError } from './trace/codec';
export type { ItfTrace, ItfValue } from './trace/itf';
export type { InvariantCheck } from '../invariants/wellFormed/incremental';
export type { Subjects } from '../invariants/wellFormed/scope';
export type { EventName, IPCObject, InvocationName, OutcomeLabel, ReceiveMet, ResultName, SendMet } from '../properties/outcome';
export type { FastpathCounts, FastpathStats } from '../properties/fastpathStats';
export type { NotModelledSnapshot, NotModelledTally, TallySnapshot } from '../properties/tally';
export type { ArgumentCoverage, ArgumentRow } from '../properties/argumentCoverage';
export type { Invoked } from '../properties/invoked';
export type { FastpathSnapshot, FastpathTally, Statistic, Statistics } from '../properties/statistics';
export type { Coverage } from '../properties/coverage';
export type { Outcome } from '../spec/kernel';
export type { InvocationOutcome, InvocationSyscall, ModelledInvocation, RecvOutcome, RecvSyscall, ReplyOutcome, Stepped, SyscallOutcome } from '../spec/kernel/syscall';
export type { Cdt, DomainScheduleEntry, IRQState, SchedulerAction } from '../spec/model/state';
export type {
  ASIDControlCap,
  ASIDPool,
  ASIDPoolCap,
  CNode as CNodeObject,
  CNodeCap,
  Cap,
  DomainCap,
  Endpoint,
  EndpointState,
  MappedAddress,
  NotificationState,
  PDE,
  PTE,
  ZombieType,
  EndpointCap,
  Frame,
  FrameCap,
  IRQControlCap,
  IRQHandlerCap,
  KernelObject,
  Notification,
  NotificationCap,
  NullCap,
  PPtr,
  PageDirectory,
  PageDirectoryCap,
  PageTable,
  PageTableCap,
  ReplyCap,
  SGISignalCap,
  TCB as TCBObject,
  ThreadCap,
  ThreadState,
  UntypedCap,
  VMAttributes,
  ZombieCap,
} from '../spec/model/structures';
export type { Fault, LookupFailure, SyscallError, SyscallErrorName } from '../spec/api/errors';
export type { FrameSizeBits, SyscallName, VMRights } from '../spec/api';
export { STATISTICS } from '../properties/statistics';
export { IPC_OBJECTS } from '../properties/outcome';
export type { DomainScheduleConfig } from '../spec/api/config';
export { INVOCATION_LABELS } from '../spec/api';
export type { PMap, PSet } from '../spec/model/persistent';
export type { BootConfig, ExceptionEvent, InterruptEvent, InvocationLabel, MemoryEvent, MessageInfo, SyscallEvent, TickEvent } from '../spec/api';
export type { Decoded, Encoded } from '../spec/api/codecs';
