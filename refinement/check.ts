/**
 * The checker's entry point, `checkRefinement` (what `sel4-spec check` runs).
 * The refinement property: for every generated trace, the abstract spec and the
 * concrete kernel agree after every event (and the concrete state keeps its
 * representation invariant). `checkRefinement` runs it with fast-check, counts
 * coverage, and turns a failure into a minimal replayable counterexample.
 *
 * It fails closed: whatever throws inside a step (the spec, either kernel, the
 * abstraction, the invariants, the counters) is a `crash` failure, shrunk and
 * saved like any other; a throw outside a step (the generator, fast-check
 * itself) escapes as an error of the tool, never as a pass.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { BootConfig, Event } from '../spec/api';
import { type Failure, type FastpathMode, LockStep, type LockStepOptions, type TraceRun, runTrace } from './run';
import { minimiseTrace } from './minimise';
import type { SpecCheck } from '../invariants/wellFormed';
import { planSteps } from '../properties/arbitraries/resolve';
import { type Op, type Plan, tracePlanArbitrary } from '../properties/arbitraries/plan';
import type { ArgumentCoverage } from '../properties/argumentCoverage';
import type { Coverage } from '../properties/coverage';
import type { OutcomeLabel } from '../properties/outcome';
import type { FastpathTally, Statistics } from '../properties/statistics';
import { type NotModelledTally, Tally, type TallySnapshot } from '../properties/tally';
import { exploreInWorkers } from './workers/pool';
import { World } from '../properties/arbitraries/world';

/** Ticks with nothing to run before a trace is given up (longer than any domain period). */
const IDLE_TICK_LIMIT = 64;

/**
 * The system the check boots: seL4's boot state with a static domain schedule
 * of three domains (short slots, so a trace sees many domain switches), which
 * the generator's threads are spread over.
 */
export const CHECK_BOOT_CONFIG: BootConfig = {
  domainSchedule: [
    { domain: 0, length: 4n },
    { domain: 1, length: 2n },
    { domain: 0, length: 4n },
    { domain: 2, length: 2n },
  ],
};

export interface CheckOptions {
  readonly seed: number;
  readonly runs: number;
  /** The longest trace, in plans (a plan is one or a few events). */
  readonly steps: number;
  readonly mutants?: readonly string[];
  readonly config?: BootConfig;
  /** The IPC fastpath: 'both' (default) steps a kernel with it on beside one with it off. */
  readonly fastpath?: FastpathMode;
  readonly weights?: Readonly<Partial<Record<Op, number>>>;
  /** Swarm testing: each run leaves out a random subset of the operation kinds (default on). */
  readonly swarm?: boolean;
  readonly checkSpec?: SpecCheck;
  /** Events the spec does not model are failures (`--strict`). */
  readonly strict?: boolean;
  /** Compare whole states after every event, not what the event changed (`--full-compare`, the oracle). */
  readonly fullCompare?: boolean;
  /** Called after each run of the main phase (not during shrinking). */
  readonly onRun?: (done: number, events: number) => void;
  /** Called as shrinking proceeds: the phase, the shortest failing trace so far and the candidates tried. */
  readonly onShrink?: (p: ShrinkProgress) => void;
  /**
   * How many candidate traces fast-check may try while shrinking a counterexample
   * before delta debugging takes over (default 250). A count, not a time: the same
   * seed gives the same counterexample on any machine.
   */
  readonly shrinkRuns?: number;
  /** Stops the check at the next run or shrinking candidate, keeping what it has (SIGINT, SIGTERM). */
  readonly signal?: AbortSignal;
  /**
   * Explore only these runs of the seed's sequence (0-based `start`, `count`
   * runs): a CI shard's share. Run k is the same trace whichever slice holds it.
   */
  readonly slice?: RunSlice;
  /**
   * Worker threads to explore in (default 1: this thread). The runs are cut into
   * blocks taken in order and merged in run order, so the result is the same
   * for any number of workers; the spec check must be the kernel invariants (all, `wellFormed`, or a selection, `invariantsNamed`) or none.
   */
  readonly workers?: number;
}

export interface RunSlice {
  readonly start: number;
  readonly count: number;
}

export interface ShrinkProgress {
  /** 'shrink': fast-check on the plans; 'minimise': delta debugging on the events. */
  readonly phase: 'shrink' | 'minimise';
  /** Events in the shortest failing trace so far. */
  readonly length: number;
  /** Candidates tried in this phase. */
  readonly tries: number;
  /** That trace, so an interrupted check can still save it. */
  readonly events: readonly Event[];
  readonly failure: Failure;
  /** The run the failure was found in, and the length of the trace found. */
  readonly foundAtRun: number;
  readonly originalLength: number;
}

export interface Counterexample {
  readonly events: readonly Event[];
  readonly failure: Failure;
  /** fast-check's path to the shrunk case, to replay it with the same seed. */
  readonly path: string;
  /** Length of the trace fast-check first found, before shrinking. */
  readonly originalLength: number;
  /** The run (1-based) in which the failure was first found. */
  readonly foundAtRun: number;
  /** The shrunk trace, replayed on its own, fails again, the same way. */
  readonly reproduces: boolean;
  /** Shrinking was cut short (the check was interrupted): the trace fails but may not be minimal. */
  readonly partial: boolean;
  /** What the spec said each step of the shrunk trace did (for the report). */
  readonly outcomes: readonly OutcomeLabel[];
  /** The lock-step options it fails under (a replay for the report runs with these). */
  readonly options: RunOptions;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly runs: number;
  readonly events: number;
  readonly coverage: Coverage;
  /** Coverage by argument: extra caps, lengths, rights, badges, queue states per invocation. */
  readonly arguments: ArgumentCoverage;
  readonly statistics: Statistics;
  /** The fastpath's hit rate and fallback reasons (when it was on). */
  readonly fastpath: FastpathTally;
  /** Events the spec does not model yet (they pass unless `strict`). */
  readonly notModelled: NotModelledTally;
  /** The boot configuration the traces ran on (replays need it). */
  readonly config: BootConfig;
  readonly counterexample?: Counterexample;
  /** The check was stopped by its signal before it finished. */
  readonly interrupted: boolean;
  /** The counts as data (what a shard hands to `sel4-spec merge`). */
  readonly tally: TallySnapshot;
  /** Wall-clock seconds: exploring until the first failure (or the end), and shrinking it. */
  readonly timing: { readonly exploreSeconds: number; readonly shrinkSeconds: number };
}

/** The lock-step options a check run and every replay of its traces share. */
export type RunOptions = Pick<CheckOptions, 'mutants' | 'config' | 'checkSpec' | 'fastpath' | 'strict' | 'fullCompare'>;

const lockStepOptions = (opts: RunOptions, tally: Tally): LockStepOptions => ({ ...opts, observe: tally.observer });

/**
 * Run a plan sequence in lock step, resolving each plan against the spec state
 * as it goes. A throw while resolving a plan is the generator's bug, not the
 * kernel's: it escapes.
 */
export const runPlans = (
  plans: readonly Plan[],
  opts: RunOptions,
  tally: Tally = new Tally(),
  maxEvents = Number.POSITIVE_INFINITY,
): { events: Event[]; failure: Failure | undefined } => {
  const ls = new LockStep(lockStepOptions(opts, tally));
  const events: Event[] = [];
  try {
    if (ls.failure !== undefined) return { events, failure: ls.failure };
    const world = new World();
    for (const plan of plans) {
      // The idle thread runs no user code: only the hardware acts, until a thread wakes or time is up.
      const idle = ls.spec.curThread === ls.spec.idleThread;
      world.idleTicks = idle ? world.idleTicks + 1 : 0;
      if (world.idleTicks > IDLE_TICK_LIMIT) break;
      const steps = idle ? [() => ({ kind: 'tick' }) as const] : planSteps(plan, world);
      for (const step of steps) {
        if (ls.spec.curThread === ls.spec.idleThread && !idle) break;
        // A shrinking candidate longer than the shortest failing trace cannot improve on it: stop there.
        if (events.length >= maxEvents) return { events, failure: undefined };
        const e = step(ls.spec);
        if (e === undefined) continue;
        events.push(e);
        if (!ls.step(e)) return { events, failure: ls.failure };
      }
    }
    return { events, failure: undefined };
  } finally {
    tally.endRun(ls);
    ls.dispose();
  }
};

/** Run concrete events in lock step with fresh counters, as a replay does (so a crash in them shows again). */
export const runEvents = (events: readonly Event[], opts: RunOptions): TraceRun => runTrace(events, lockStepOptions(opts, new Tally()));

/**
 * Shrinking keeps the kind of failure it started from (and a crash keeps the
 * part that threw): a smaller trace that fails differently is another bug, and
 * would hide this one.
 */
export const sameFailure = (a: Failure, b: Failure): boolean => a.kind === b.kind && a.side === b.side && (a.kind !== 'kernel-bug' || kernelOf(a) === kernelOf(b));

/** Which kernel a kernel bug is in (its message begins with the kernel's name). */
const kernelOf = (f: Failure): string => f.message.slice(0, f.message.indexOf(':'));

/** Let the event loop run (signals, progress timers) between runs. */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class Interrupted extends Error {}

/** What exploring a slice of runs found: the runs made, their events and counts, and the first failure. */
export interface Exploration {
  readonly runs: number;
  readonly events: number;
  readonly tally: TallySnapshot;
  /** The first failing run (1-based, counted from the seed's first run), its trace and fast-check's path to it. */
  readonly found?: { readonly events: Event[]; readonly run: number; readonly path: string };
}

/** Explore runs `slice.start` … of the seed's sequence in this thread, stopping at the first failure. */
export const explore = async (opts: CheckOptions, slice: RunSlice, onRun?: (done: number, events: number) => void): Promise<Exploration> => {
  const runOpts: RunOptions = { ...opts, config: opts.config ?? CHECK_BOOT_CONFIG, fastpath: opts.fastpath ?? 'both' };
  const tally = new Tally();
  const stopped = () => opts.signal?.aborted === true;
  let runs = 0;
  let events = 0;
  let found: { events: Event[]; run: number } | undefined;
  const traces = tracePlanArbitrary(opts.steps, opts.weights, opts.swarm ?? true);
  // A throw outside the checked step (the generator's) is kept here and rethrown: never a pass.
  const toolErrors: unknown[] = [];
  const property = fc.asyncProperty(traces, async (plans) => {
    await breathe();
    if (stopped()) throw new Interrupted();
    let r: ReturnType<typeof runPlans>;
    try {
      r = runPlans(plans, runOpts, tally);
    } catch (e) {
      toolErrors.push(e);
      throw e;
    }
    runs++;
    events += r.events.length;
    onRun?.(runs, events);
    if (r.failure !== undefined) found = { events: r.events, run: slice.start + runs };
    return r.failure === undefined;
  });
  const empty = { runs, events, tally: tally.snapshot() };
  if (slice.count <= 0) return empty;
  const checked = await fc.check(property, { seed: opts.seed, numRuns: slice.count, endOnFailure: true, ...(slice.start > 0 ? { path: String(slice.start) } : {}) });
  if (toolErrors.length > 0) throw toolErrors[0];
  if (checked.failed && found === undefined && !stopped()) throw new Error(`fast-check reported a failure without a failing trace: ${String(checked.errorInstance)}`);
  const done = { runs, events, tally: tally.snapshot() };
  return found === undefined || !checked.failed ? done : { ...done, found: { events: found.events, run: found.run, path: checked.counterexamplePath ?? String(found.run - 1) } };
};

/** A result's counts, from the tally that made them. */
export const countsOf = (tally: Tally): Pick<CheckResult, 'coverage' | 'arguments' | 'statistics' | 'fastpath' | 'notModelled' | 'tally'> => ({
  coverage: tally.coverage,
  arguments: tally.arguments,
  statistics: tally.statistics,
  fastpath: tally.fastpath,
  notModelled: tally.notModelled,
  tally: tally.snapshot(),
});

export const checkRefinement = async (options: CheckOptions): Promise<CheckResult> => {
  const opts = { ...options, config: options.config ?? CHECK_BOOT_CONFIG, fastpath: options.fastpath ?? 'both' };
  // The lock-step options alone (not the seed, the worker count or the callbacks): what a replay of a trace needs.
  const runOpts: RunOptions = {
    ...(opts.mutants === undefined ? {} : { mutants: opts.mutants }),
    config: opts.config,
    fastpath: opts.fastpath,
    ...(opts.checkSpec === undefined ? {} : { checkSpec: opts.checkSpec }),
    ...(opts.strict === undefined ? {} : { strict: opts.strict }),
    ...(opts.fullCompare === undefined ? {} : { fullCompare: opts.fullCompare }),
  };
  const tally = new Tally();
  const stopped = () => opts.signal?.aborted === true;
  let runs = 0;
  let events = 0;
  const t0 = performance.now();
  const result = (extra: Partial<CheckResult> & Pick<CheckResult, 'ok' | 'timing'>): CheckResult => ({
    seed: opts.seed,
    runs,
    events,
    ...countsOf(tally),
    config: opts.config,
    interrupted: stopped(),
    ...extra,
  });

  // Phase 1: explore, counting runs and coverage, and stop at the first failure.
  const slice = opts.slice ?? { start: 0, count: opts.runs };
  const explored =
    (opts.workers ?? 1) > 1
      ? await exploreInWorkers(opts, slice, opts.workers ?? 1, (done, n) => opts.onRun?.(done, n))
      : await explore(opts, slice, (done, n) => opts.onRun?.(done, n));
  runs = explored.runs;
  events = explored.events;
  tally.absorb(explored.tally);
  const exploreSeconds = (performance.now() - t0) / 1000;
  if (explored.found === undefined) return result({ ok: !stopped(), timing: { exploreSeconds, shrinkSeconds: 0 } });
  // The failing trace again, in this thread: its failure as this process's objects (a worker's come cloned).
  const again = runEvents(explored.found.events, runOpts).failure;
  if (again === undefined) throw new Error(`run ${explored.found.run} failed while exploring but its trace passes when replayed (a nondeterminism in sel4-spec)`);
  const found = { events: explored.found.events, failure: again, run: explored.found.run };
  const foundPath = explored.found.path;
  const traces = tracePlanArbitrary(opts.steps, opts.weights, opts.swarm ?? true);
  // A throw outside the checked step (the generator's) is kept here and rethrown: never a pass.
  const toolErrors: unknown[] = [];
  const tool = <A>(f: () => A): A => {
    try {
      return f();
    } catch (e) {
      toolErrors.push(e);
      throw e;
    }
  };
  const origin = found;
  const foundInfo = { foundAtRun: origin.run, originalLength: origin.events.length };
  const t1 = performance.now();
  opts.onShrink?.({
    ...foundInfo,
    phase: 'shrink',
    length: origin.events.length,
    tries: 0,
    events: origin.events,
    failure: origin.failure,
  });

  // Phase 2: let fast-check shrink the plans from that case, within a budget of candidates
  // (past it, or once stopped, every candidate passes, which ends shrinking where it stands).
  let smallest: { events: Event[]; failure: Failure } = origin;
  let candidates = 0;
  const budget = opts.shrinkRuns ?? 250;
  const shrink = fc.asyncProperty(traces, async (plans) => {
    await breathe();
    if (candidates >= budget || stopped()) return true;
    candidates++;
    // Only a candidate that fails within the shortest failing trace's length counts as failing, so
    // fast-check's search goes towards shorter traces and no candidate costs more than the best so far.
    const r = tool(() => runPlans(plans, runOpts, new Tally(), smallest.events.length));
    if (r.failure === undefined || !sameFailure(r.failure, origin.failure)) return true;
    smallest = { events: r.events, failure: r.failure };
    opts.onShrink?.({
      ...foundInfo,
      phase: 'shrink',
      length: smallest.events.length,
      tries: candidates,
      events: smallest.events,
      failure: smallest.failure,
    });
    return false;
  });
  const shrunk = await fc.check(shrink, {
    seed: opts.seed,
    path: foundPath,
    endOnFailure: false,
  });
  if (toolErrors.length > 0) throw toolErrors[0];

  // Phase 3: delta-debug the concrete events themselves.
  const fails = (es: readonly Event[]) => {
    const f = runEvents(es, runOpts).failure;
    return f !== undefined && sameFailure(f, origin.failure);
  };
  const minimal = await minimiseTrace(smallest.events, fails, {
    stop: stopped,
    between: breathe,
    onSmaller: (es, tries) => opts.onShrink?.({ ...foundInfo, phase: 'minimise', length: es.length, tries, events: es, failure: smallest.failure }),
  });
  const replay = runEvents(minimal, runOpts);
  return result({
    ok: false,
    timing: { exploreSeconds, shrinkSeconds: (performance.now() - t1) / 1000 },
    counterexample: {
      events: minimal,
      failure: replay.failure ?? smallest.failure,
      reproduces: replay.failure !== undefined && sameFailure(replay.failure, origin.failure),
      partial: stopped(),
      outcomes: replay.outcomes,
      options: runOpts,
      path: shrunk.counterexamplePath ?? foundPath,
      originalLength: origin.events.length,
      foundAtRun: origin.run,
    },
  });
};
