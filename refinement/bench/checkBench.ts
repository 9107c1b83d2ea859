/**
 * What the check costs: the default check (generation, the spec, both
 * kernels, the incremental comparison and the invariants), the same with
 * `--full-compare`, the same in one and in two fresh worker threads (with
 * this machine's own 2-core speed-up as a yardstick), and, on the traces those
 * checks run, the concrete kernel alone, the spec alone and the lock step
 * without the generator; then the
 * cost per event against the size of the system: one fixed workload (IPC
 * round trips and cap copies and deletes) on systems of about 10, 100 and
 * 1,000 live objects. All as ratios from one run on one machine.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { type BootConfig, type Event, InitSlot, LABEL, SysCall, SysReplyRecv, invocationEvent, messageInfo, syscallEvent } from '../../spec/api';
import { BOOT_UNTYPEDS, FIRST_FREE_SLOT } from '../../spec/api/bootLayout';
import { bootState, step as specStep } from '../../spec/kernel';
import type { KernelState } from '../../spec/model/state';
import { boot, step as implStep } from '../../impl/kernel';
import { releaseMemory } from '../../impl/model/memory';
import { wellFormed } from '../../invariants/wellFormed';
import { tracePlanArbitrary } from '../../properties/arbitraries/plan';
import { CHECK_BOOT_CONFIG, type CheckOptions, type CheckResult, checkRefinement, runPlans } from '../check';
import { exploreInWorkers } from '../workers/pool';
import { LockStep } from '../run';
import { type MachineSpeedup, secondCoreSpeedup } from './machine';
import { pingPongSetup } from './pingpong';

export interface Rate {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface ScalingPoint {
  /** Live objects in the spec state when the workload starts. */
  readonly objects: number;
  readonly eventsPerSecond: number;
  /** Microseconds per event of the three-way check with invariants. */
  readonly microsecondsPerEvent: number;
}

export interface CheckBench {
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  /** The default check: three-way, incremental, invariants on. */
  readonly check: Rate;
  /** The same runs with `--full-compare`. */
  readonly full: Rate;
  /** The events of those runs, replayed without the generator. */
  readonly implAlone: Rate;
  readonly specAlone: Rate;
  readonly lockStep: Rate;
  readonly scaling: readonly ScalingPoint[];
  /** The default check's events/s in 1 and in 2 fresh worker threads (the same `workerRuns` runs; each worker compiles the code anew). */
  readonly workers: { readonly '1': number; readonly '2': number };
  readonly workerRuns: number;
  /** The cores the default check in this thread keeps busy (V8 compiles and collects garbage on other threads): process CPU time over wall time. */
  readonly coresBusyInOneThread: number;
  /** What a second core gives a fixed loop on this machine, the yardstick for the 2-worker speed-up. */
  readonly machine: MachineSpeedup;
  readonly ratios: {
    /** 2 workers over 1. */
    readonly workerSpeedup: number;
    readonly checkOverImplAlone: number;
    readonly incrementalOverFull: number;
    /** Per-event cost on the largest system over the smallest. */
    readonly scalingLargestOverSmallest: number;
  };
}

const rate = (events: number, seconds: number): Rate => ({ events, seconds, eventsPerSecond: events / seconds });

const timed = (f: () => number): Rate => {
  const t0 = performance.now();
  const events = f();
  return rate(events, (performance.now() - t0) / 1000);
};

const exploreRate = (r: CheckResult): Rate => {
  if (!r.ok) throw new Error(`the benchmark's check failed: ${r.counterexample?.failure.message ?? 'not all runs made'}`);
  return rate(r.events, r.timing.exploreSeconds);
};

/** The traces a check with this seed generates, resolved to events. */
export const checkTraces = (seed: number, runs: number, steps: number): Event[][] =>
  fc.sample(tracePlanArbitrary(steps), { seed, numRuns: runs }).map((plans) => runPlans(plans, { config: CHECK_BOOT_CONFIG, fastpath: 'both' }).events);

const implAlone = (traces: readonly Event[][], config: BootConfig): number => {
  let n = 0;
  for (const t of traces) {
    const k = boot(config, [], { fastpath: false });
    for (const e of t) implStep(k, e);
    releaseMemory(k.mem);
    n += t.length;
  }
  return n;
};

const specAlone = (traces: readonly Event[][], config: BootConfig): number => {
  let n = 0;
  for (const t of traces) {
    let s: KernelState = bootState(config);
    for (const e of t) s = specStep(s, e).state;
    n += t.length;
  }
  return n;
};

/** The lock step a check runs (spec, both kernels, invariants), on given events; a failure is an error of the benchmark. */
const lockStep = (events: readonly Event[], config: BootConfig, before: readonly Event[] = []): number => {
  const ls = new LockStep({ config, fastpath: 'both', checkSpec: wellFormed });
  try {
    for (const e of before) if (!ls.step(e)) break;
    const t0 = performance.now();
    for (const e of events) if (ls.failure === undefined) ls.step(e);
    if (ls.failure !== undefined) throw new Error(`the benchmark's lock step failed at step ${ls.failure.step}: ${ls.failure.message}`);
    return performance.now() - t0;
  } finally {
    ls.dispose();
  }
};

// ---------------------------------------------------------------- scaling

const CNODE = InitSlot.ThreadCNode;
const DEPTH = 32;
/** Where the ping-pong puts its endpoint (pingpong.ts), and where the workload copies it to. */
const EP = FIRST_FREE_SLOT;
const SCRATCH = FIRST_FREE_SLOT + 8;
/** The first root-CNode slot of the extra objects. */
const FILL = FIRST_FREE_SLOT + 16;

/** The largest RAM untyped at boot: the extra objects come from it. */
const bigUntyped = (): number => {
  let best = 0;
  BOOT_UNTYPEDS.forEach((u, i) => {
    const b = BOOT_UNTYPEDS[best];
    if (!u.isDevice && b !== undefined && u.sizeBits > b.sizeBits) best = i;
  });
  return InitSlot.FirstUntyped + best;
};

/**
 * The root task fills its CNode with `extra` objects before the ping-pong
 * starts: endpoints, notifications and a few threads (7 : 2 : 1), retyped in
 * batches of up to 64.
 */
export const scalingSystem = (extra: number): Event[] => {
  const ut = bigUntyped();
  const kinds: ReadonlyArray<readonly [number, number]> = [
    // [object type, how many of every ten]
    [2, 7], // endpoints
    [3, 2], // notifications
    [1, 1], // TCBs
  ];
  const out: Event[] = [];
  let slot = FILL;
  for (const [type, share] of kinds) {
    let left = Math.round((extra * share) / 10);
    while (left > 0) {
      const n = Math.min(64, left);
      out.push(invocationEvent(ut, LABEL.UntypedRetype, [type, 0, 0, 0, slot, n], [CNODE]));
      slot += n;
      left -= n;
    }
  }
  return [...out, ...pingPongSetup()];
};

/** One round of the workload: the client copies the endpoint cap, Calls, is answered, and deletes the copy. */
export const scalingRound = (i: number): Event[] => [
  invocationEvent(CNODE, LABEL.CNodeCopy, [SCRATCH, DEPTH, EP, DEPTH, 0xf], [CNODE]),
  syscallEvent({ sysno: SysCall, cptr: EP, info: messageInfo(1, 0, 0, 2), mrs: [i >>> 0, 0xc0ffee] }),
  syscallEvent({ sysno: SysReplyRecv, cptr: EP, info: messageInfo(0, 0, 0, 2), mrs: [i >>> 0, 0xbeef] }),
  invocationEvent(CNODE, LABEL.CNodeDelete, [SCRATCH, DEPTH]),
];

/** Live objects after the system is built (the spec's count). */
export const liveObjects = (setup: readonly Event[], config: BootConfig): number => setup.reduce((s, e) => specStep(s, e).state, bootState(config)).objects.size;

/**
 * The workload on each system size, timed at its best of five; the sizes take
 * turns, so a machine that speeds up or slows down meanwhile (a shared VM
 * does) shifts them all alike rather than the ratio between them.
 */
const scalingPoints = (sizes: readonly number[], rounds: number, config: BootConfig): ScalingPoint[] => {
  const work = Array.from({ length: rounds }, (_, i) => scalingRound(i)).flat();
  const points = sizes.map((n) => ({ setup: scalingSystem(n), ms: Infinity }));
  // A warm-up first, as the kernel benchmark does.
  for (const p of points) lockStep(work.slice(0, 40), config, p.setup);
  for (let turn = 0; turn < 5; turn++) for (const p of points) p.ms = Math.min(p.ms, lockStep(work, config, p.setup));
  return points.map((p) => ({
    objects: liveObjects(p.setup, config),
    eventsPerSecond: work.length / (p.ms / 1000),
    microsecondsPerEvent: (p.ms * 1000) / work.length,
  }));
};

export const SCALING_SIZES: readonly number[] = [10, 100, 1000];

/** A check's explore rate, and the cores the process kept busy meanwhile. */
const withCores = async (f: () => Promise<CheckResult>): Promise<{ rate: Rate; cores: number }> => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rate = exploreRate(await f());
  const cpu = process.cpuUsage(cpu0);
  return { rate, cores: (cpu.user + cpu.system) / 1000 / (performance.now() - t0) };
};

/**
 * The exploration in `n` fresh worker threads, from their start to the last
 * run (1 as well as 2: each worker loads and compiles the code anew, which a
 * comparison with this already warm thread would leave out).
 */
const inWorkers = async (opts: CheckOptions, n: number): Promise<Rate> => {
  const t0 = performance.now();
  const r = await exploreInWorkers(opts, { start: 0, count: opts.runs }, n, () => undefined);
  if (r.found !== undefined || r.runs !== opts.runs) throw new Error(`the benchmark's check in ${n} worker threads failed or stopped at run ${r.runs}`);
  return rate(r.events, (performance.now() - t0) / 1000);
};

export const runCheckBench = async (
  opts: { seed?: number; runs?: number; steps?: number; rounds?: number; sizes?: readonly number[]; workerRuns?: number; machineTries?: number } = {},
): Promise<CheckBench> => {
  const seed = opts.seed ?? 3;
  const runs = opts.runs ?? 30;
  const workerRuns = opts.workerRuns ?? 200;
  const steps = opts.steps ?? 200;
  const config = CHECK_BOOT_CONFIG;
  // A few runs first, so the first measurement does not pay for compiling the code the others reuse.
  await checkRefinement({ seed: seed + 1, runs: Math.min(runs, 5), steps, checkSpec: wellFormed, fullCompare: true });
  const inThread = await withCores(() => checkRefinement({ seed, runs, steps, checkSpec: wellFormed }));
  const check = inThread.rate;
  const full = exploreRate(await checkRefinement({ seed, runs, steps, checkSpec: wellFormed, fullCompare: true }));
  const oneWorker = await inWorkers({ seed, runs: workerRuns, steps, checkSpec: wellFormed }, 1);
  const twoWorkers = await inWorkers({ seed, runs: workerRuns, steps, checkSpec: wellFormed }, 2);
  const machine = await secondCoreSpeedup(opts.machineTries);
  const traces = checkTraces(seed, runs, steps);
  const impl = timed(() => implAlone(traces, config));
  const spec = timed(() => specAlone(traces, config));
  let lockStepSeconds = 0;
  for (const t of traces) lockStepSeconds += lockStep(t, config) / 1000;
  const events = traces.reduce((n, t) => n + t.length, 0);
  const scaling = scalingPoints(opts.sizes ?? SCALING_SIZES, opts.rounds ?? 250, config);
  const first = scaling[0];
  const last = scaling[scaling.length - 1];
  return {
    seed,
    runs,
    steps,
    check,
    full,
    implAlone: impl,
    specAlone: spec,
    lockStep: rate(events, lockStepSeconds),
    scaling,
    workers: { '1': oneWorker.eventsPerSecond, '2': twoWorkers.eventsPerSecond },
    workerRuns,
    coresBusyInOneThread: inThread.cores,
    machine,
    ratios: {
      workerSpeedup: twoWorkers.eventsPerSecond / oneWorker.eventsPerSecond,
      checkOverImplAlone: impl.eventsPerSecond / check.eventsPerSecond,
      incrementalOverFull: check.eventsPerSecond / full.eventsPerSecond,
      scalingLargestOverSmallest: first === undefined || last === undefined ? 1 : last.microsecondsPerEvent / first.microsecondsPerEvent,
    },
  };
};
