/**
 * The refinement property: for every generated trace, the abstract spec and the
 * concrete kernel agree after every event (and the concrete state keeps its
 * representation invariant). `checkRefinement` runs it with fast-check, counts
 * coverage, and turns a failure into a minimal replayable counterexample.
 */
import fc from 'fast-check';
import type { BootConfig, Event } from '../spec/api';
import type { KernelState } from '../spec/model/state';
import type { Outcome } from '../spec/kernel';
import { type Failure, type FastpathMode, LockStep, runTrace } from '../refinement/run';
import { minimiseTrace } from '../refinement/minimise';
import type { Violation } from '../refinement/abstract';
import { planSteps } from './arbitraries/resolve';
import { type Op, type Plan, tracePlanArbitrary } from './arbitraries/plan';
import { Coverage } from './coverage';
import { FastpathTally, Statistics } from './statistics';
import { World } from './arbitraries/world';

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
  readonly checkSpec?: (s: KernelState) => readonly Violation[];
  /** Called after each run of the main phase (not during shrinking). */
  readonly onRun?: (done: number, events: number) => void;
  /** Called as shrinking proceeds. */
  readonly onShrink?: (steps: number) => void;
  /**
   * How many candidate traces fast-check may try while shrinking a counterexample
   * before delta debugging takes over (default 40). A count, not a time: the same
   * seed gives the same counterexample on any machine.
   */
  readonly shrinkRuns?: number;
}

export interface Counterexample {
  readonly events: readonly Event[];
  readonly failure: Failure;
  /** fast-check's path to the shrunk case, to replay it with the same seed. */
  readonly path: string;
  /** Length of the trace fast-check first found, before shrinking. */
  readonly originalLength: number;
  /** The shrunk trace, replayed on its own, fails again. */
  readonly reproduces: boolean;
  /** What the spec said each step of the shrunk trace did (for the report). */
  readonly outcomes: readonly Outcome[];
}

export interface CheckResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly runs: number;
  readonly events: number;
  readonly coverage: Coverage;
  readonly statistics: Statistics;
  /** The fastpath's hit rate and fallback reasons (when it was on). */
  readonly fastpath: FastpathTally;
  /** The boot configuration the traces ran on (replays need it). */
  readonly config: BootConfig;
  readonly counterexample?: Counterexample;
}

/** Run a plan sequence in lock step, resolving each plan against the spec state as it goes. */
export const runPlans = (
  plans: readonly Plan[],
  opts: Pick<CheckOptions, 'mutants' | 'config' | 'checkSpec' | 'fastpath'>,
  coverage?: Coverage,
  stats?: Statistics,
  fastpath?: FastpathTally,
): { events: Event[]; failure: Failure | undefined } => {
  const ls = new LockStep(opts);
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
        const e = step(ls.spec);
        if (e === undefined) continue;
        events.push(e);
        const before = ls.spec;
        if (!ls.step(e)) return { events, failure: ls.failure };
        if (coverage !== undefined && ls.lastOutcome !== undefined) coverage.record(ls.lastOutcome);
        stats?.observe(before, ls.spec, e, ls.lastOutcome);
        fastpath?.observe(ls.lastOutcome);
      }
    }
    return { events, failure: undefined };
  } finally {
    stats?.endRun();
    const fast = ls.fastKernel;
    if (fastpath !== undefined && fast !== undefined) fastpath.addRun(fast.fastpathStats);
    ls.dispose();
  }
};

export const checkRefinement = (options: CheckOptions): CheckResult => {
  const opts = { ...options, config: options.config ?? CHECK_BOOT_CONFIG, fastpath: options.fastpath ?? 'both' };
  const fastpath = new FastpathTally();
  const coverage = new Coverage();
  const statistics = new Statistics();
  let runs = 0;
  let events = 0;
  let found: { events: Event[]; failure: Failure } | undefined;
  // Phase 1: explore, counting runs and coverage, and stop at the first failure.
  const traces = tracePlanArbitrary(opts.steps, opts.weights);
  const explore = fc.property(traces, (plans) => {
    const r = runPlans(plans, opts, coverage, statistics, fastpath);
    runs++;
    events += r.events.length;
    opts.onRun?.(runs, events);
    if (r.failure !== undefined) found = { events: r.events, failure: r.failure };
    return r.failure === undefined;
  });
  const first = fc.check(explore, { seed: opts.seed, numRuns: opts.runs, endOnFailure: true });
  if (!first.failed || found === undefined) return { ok: true, seed: opts.seed, runs, events, coverage, statistics, fastpath, config: opts.config };
  const originalLength = found.events.length;

  // Phase 2: let fast-check shrink the plans from that case, within a budget of candidates
  // (past it every candidate passes, which ends shrinking where it stands).
  let smallest = found;
  let candidates = 0;
  const budget = opts.shrinkRuns ?? 40;
  const shrink = fc.property(traces, (plans) => {
    if (candidates++ > budget) return true;
    const r = runPlans(plans, opts);
    if (r.failure === undefined) return true;
    smallest = { events: r.events, failure: r.failure };
    opts.onShrink?.(r.events.length);
    return false;
  });
  const shrunk = fc.check(shrink, {
    seed: opts.seed,
    path: first.counterexamplePath ?? '0',
    endOnFailure: false,
  });

  // Phase 3: delta-debug the concrete events themselves.
  const fails = (es: readonly Event[]) => runTrace(es, opts).failure !== undefined;
  const minimal = minimiseTrace(smallest.events, fails);
  const replay = runTrace(minimal, opts);
  return {
    ok: false,
    seed: opts.seed,
    runs,
    events,
    coverage,
    statistics,
    fastpath,
    config: opts.config,
    counterexample: {
      events: minimal,
      failure: replay.failure ?? smallest.failure,
      reproduces: replay.failure !== undefined,
      outcomes: replay.outcomes,
      path: shrunk.counterexamplePath ?? first.counterexamplePath ?? '',
      originalLength,
    },
  };
};
