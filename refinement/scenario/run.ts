/**
 * Running a scenario: a list of steps (events, or events addressed to the
 * thread that must be performing them) through the spec and the concrete
 * kernels in lock step, so every scenario is also a refinement check. Threads
 * go by the names the reports give them (T1 the root task, T2… in the order
 * they came to exist), or by the root slot holding their TCB cap.
 *
 * Failures are thrown as a `ScenarioError` whose message is the report the
 * command line prints, so any test runner shows it; nothing here knows one.
 */
import type { Event } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import type { PPtr } from '../../spec/model/structures';
import type { SpecCheck } from '../../invariants/wellFormed';
import { specCheckOption } from '../assert';
import { type OutcomeLabel, labelOutcome } from '../../properties/outcome';
import { Names } from '../report/names';
import { renderStory, tell } from '../report/story';
import { LockStep, type LockStepOptions } from '../run';
import { rootSlotPtr } from './read';

/** A thread by its report name (`'T2'`, `'idle'`), or by the root CNode slot holding its TCB cap. */
export type ThreadRef = string | { readonly slot: number };
/** The thread the reports call `name` (T1 is the root task; T2… are numbered as they come to exist). */
export const thread = (name: string): ThreadRef => name;
/** The thread whose TCB cap is in root CNode slot `slot`. */
export const threadIn = (slot: number): ThreadRef => ({ slot });

/** An event that `thread` must be the one to perform (it must be the current thread). */
export interface ThreadStep {
  readonly as: ThreadRef;
  readonly event: Event;
}
export type Step = Event | ThreadStep;
/** `as(T2, call(ep, msg(1)))`: T2 makes the call; the scenario fails if another thread is running. */
export const as = (t: ThreadRef, event: Event): ThreadStep => ({ as: t, event });

const isThreadStep = (s: Step): s is ThreadStep => 'as' in s;
const refText = (t: ThreadRef): string => (typeof t === 'string' ? t : `threadIn(${t.slot})`);

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    message: string,
    /** The step that failed, from 1. */
    readonly step: number,
  ) {
    super(message);
  }
}

/** A scenario's options: the lock step's (a boot config, mutants, the fastpath), the kernel invariants checked unless `checkSpec` is null. */
export type ScenarioOptions = Omit<LockStepOptions, 'checkSpec'> & { readonly checkSpec?: SpecCheck | null };

export interface ScenarioRun {
  /** The spec state after the last step. */
  readonly state: KernelState;
  /** What each step did, as the spec says (the check's outcome labels). */
  readonly outcomes: readonly OutcomeLabel[];
  /** The names of the objects as they stand after the last step. */
  readonly names: Names;
  /** The lock step itself, for what the kernels did (fastpath statistics, the concrete kernels). */
  readonly lockStep: LockStep;
  /** The TCB a thread reference names now. */
  threadOf(t: ThreadRef): PPtr;
}

const lockStepOptionsOf = (o: ScenarioOptions): LockStepOptions => {
  const { checkSpec, ...rest } = o;
  return { ...rest, ...specCheckOption(checkSpec) };
};

/** Which TCB `t` names in `s`, or why none. */
const resolveThread = (names: Names, s: KernelState, t: ThreadRef): PPtr | string => {
  if (typeof t === 'string') {
    const p = names.find(t);
    return p !== undefined && s.objects.get(p)?._tag === 'TCB' ? p : `no thread is named ${t} (threads now: ${names.threadNames(s).join(', ')})`;
  }
  const cap = s.caps.get(rootSlotPtr(t.slot));
  return cap?._tag === 'ThreadCap' ? cap.tcb : `root slot ${t.slot} ${cap === undefined ? 'is empty' : `holds ${cap._tag}`}, not a thread cap`;
};

/**
 * Run the steps in lock step; throw a `ScenarioError` on the first divergence,
 * invariant violation or crash (with the report `sel4-spec replay` prints),
 * or when a step's thread is not the one running.
 */
export const runScenario = (steps: readonly Step[], options: ScenarioOptions = {}): ScenarioRun => {
  const opts = lockStepOptionsOf(options);
  const ls = new LockStep(opts);
  const events = steps.map((s) => (isThreadStep(s) ? s.event : s));
  /** Fail at step `step` (0: boot), telling the steps before `told`. */
  const fail = (step: number, told: number, why?: string): never => {
    ls.dispose();
    const lines = renderStory(tell(events.slice(0, told), opts));
    const headline = why ?? (step === 0 ? 'the scenario fails at boot:' : `the scenario fails at step ${step} of ${steps.length}:`);
    throw new ScenarioError([headline, ...lines].join('\n'), step);
  };
  if (ls.failure !== undefined) fail(0, 0);
  const names = new Names(ls.spec);
  const outcomes: OutcomeLabel[] = [];
  for (const [i, s] of steps.entries()) {
    const before = ls.spec;
    if (isThreadStep(s)) {
      const t = resolveThread(names, before, s.as);
      if (typeof t === 'string') fail(i + 1, i, `step ${i + 1}: as(${refText(s.as)}, …): ${t}`);
      else if (t !== before.curThread)
        fail(i + 1, i, `step ${i + 1}: as(${refText(s.as)}, …), but ${names.thread(before, before.curThread)} is the current thread; the steps so far:`);
    }
    if (!ls.step(events[i] as Event)) fail(i + 1, i + 1);
    if (ls.lastOutcome !== undefined) outcomes.push(labelOutcome(before, ls.lastOutcome));
    names.observe(ls.spec, i + 1);
  }
  const state = ls.spec;
  return {
    state,
    outcomes,
    names,
    lockStep: ls,
    threadOf: (t) => {
      const p = resolveThread(names, state, t);
      if (typeof p === 'string') throw new ScenarioError(p, steps.length);
      return p;
    },
  };
};
