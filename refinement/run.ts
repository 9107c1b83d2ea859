/**
 * The lock-step runner: the spec and the concrete kernel boot the same system
 * and take the same events; after every event the concrete state is abstracted
 * and compared with the spec's. The first step where they part, where the
 * representation invariant breaks, or where either kernel hits an internal
 * assertion, ends the run with a report.
 */
import { patchesOf } from '../properties/mutants';
import { type FastpathStats, countingFastpath, newFastpathStats } from '../properties/fastpathStats';
import type { BootConfig, Event } from '../spec/api';
import { defaultBootConfig } from '../spec/api';
import { bootState, step as specStep } from '../spec/kernel';
import type { Outcome } from '../spec/kernel';
import type { KernelState } from '../spec/model/state';
import { SpecAssertionFailed } from '../spec/model/assert';
import { type OutcomeLabel, isNotModelled, labelOutcome, outcomeText } from '../properties/outcome';
import { boot, step as implStep, type Kernel } from '../impl/kernel';
import { KernelBug, releaseMemory } from '../impl/model/memory';
import { abstract, type Violation } from './abstract';
import { AbstractImage, type Footprint, mergeFootprints, takeFootprint } from './abstract/image';
import { type Difference, deepEqual, diff, equalSince } from './diff';
import { concreteDifferences } from './concrete';
import { readyQueueTableWrites } from './abstract/scheduler';
import { describeThrown } from './crash';
import { KernelIdentity } from './twin';
import type { SpecCheck } from '../invariants/wellFormed';

export type FailureKind = 'divergence' | 'representation' | 'fastpath-divergence' | 'spec-assertion' | 'kernel-bug' | 'invariant' | 'crash' | 'not-modelled';

/** The part of a checked step that threw (a crash names it). */
export type CrashSide = 'boot' | 'spec' | 'impl' | 'impl (fastpath on)' | 'abstraction' | 'invariants' | 'observer';

/**
 * Memory words one kernel entry may touch before the runner calls it a runaway
 * (a loop that never ends). The largest honest entry, the reset of a 16 MiB
 * untyped, zeroes 4 Mi words. A count, not a time: the verdict is the same on
 * any machine.
 */
export const ENTRY_WORD_LIMIT = 16 * 2 ** 20;

export interface Failure {
  /** 0 for the boot state, n for the state after the n-th event. */
  readonly step: number;
  readonly event: Event | undefined;
  readonly kind: FailureKind;
  readonly message: string;
  readonly differences: readonly Difference[];
  /** What the two sides of each difference are: the spec and the impl, or the slow and the fast kernel. */
  readonly sides: readonly [string, string];
  readonly violations: readonly Violation[];
  /** For a crash: the part that threw, and the stack frames of the throw. */
  readonly side?: CrashSide;
  readonly stack?: readonly string[];
}

/** How reports name a concrete kernel. */
const kernelName = (k: Kernel): 'impl' | 'impl (fastpath on)' => (k.fastpath ? 'impl (fastpath on)' : 'impl');

/**
 * The fastpath switch of a lock-step run: the concrete kernel runs with it
 * off, on, or both (a twin kernel with it on steps alongside the one without,
 * and the two must also agree concretely: the three-way check).
 */
export const FASTPATH_MODES = ['off', 'on', 'both'] as const;
export type FastpathMode = (typeof FASTPATH_MODES)[number];

export interface LockStepOptions {
  readonly config?: BootConfig;
  readonly mutants?: readonly string[];
  /** The IPC fastpath: off (default), on, or both; `true` means on. */
  readonly fastpath?: boolean | FastpathMode;
  /**
   * Extra checks on each spec state (the kernel invariants); violations end
   * the run. One with an incremental form runs in it unless `fullCompare`.
   */
  readonly checkSpec?: SpecCheck;
  /** Called after every event that all sides agree on (statistics, coverage); a throw is a crash of the observer. */
  readonly observe?: StepObserver;
  /** Events the spec does not model (outcome NotModelled) end the run as a failure instead of passing. */
  readonly strict?: boolean;
  /**
   * Compare whole states after every event (the abstraction rebuilt from all of
   * memory, every object of the two concrete kernels), rather than what the
   * event wrote: slower, and the oracle the incremental comparison is tested
   * against (`--full-compare`).
   */
  readonly fullCompare?: boolean;
  /** The spec's step function (tests replace it to show that a throwing spec is caught). */
  readonly specStep?: typeof specStep;
}

export type StepObserver = (before: KernelState, after: KernelState, event: Event, outcome: Outcome) => void;

export const fastpathModeOf = (f: LockStepOptions['fastpath']): FastpathMode => (f === true ? 'on' : f === false || f === undefined ? 'off' : f);

/** The spec and the concrete kernel (and in 'both' mode its fastpath twin), stepped together. */
export class LockStep {
  spec: KernelState;
  /** The concrete kernel (with the fastpath in 'on' mode, without it otherwise). */
  readonly impl: Kernel;
  /** In 'both' mode, the kernel with the fastpath on. */
  readonly twin: Kernel | undefined;
  /** What the fastpath did on the kernel that runs it (counted by patches of its entry points), or undefined if none does. */
  readonly fastpathStats: FastpathStats | undefined;
  steps = 0;
  failure: Failure | undefined;
  /** What the spec's step said the last event did (unset when the spec threw). */
  lastOutcome: Outcome | undefined;
  private readonly checkSpec: ((s: KernelState) => readonly Violation[]) | undefined;
  private readonly observe: StepObserver | undefined;
  private readonly strict: boolean;
  private readonly specStep: typeof specStep;
  private readonly fullCompare: boolean;
  /** Per concrete kernel: its incremental image, and the spec state and image it last agreed with. */
  private readonly images = new Map<Kernel, { image: AbstractImage; spec: KernelState | undefined; state: KernelState | undefined }>();
  /** The two kernels' ready-queue table writes when they were last compared concretely. */
  private tableWrites = -1;
  /** What each kernel wrote in the current step (taken once, read by every comparison). */
  private footprints = new Map<Kernel, Footprint>();
  /** Whether the twin is word for word the other kernel (from the twin's first look on). */
  private identity: KernelIdentity | undefined;
  /** What the twin wrote in the steps it was not looked at, since its image's last update. */
  private twinWrote: Footprint[] = [];

  constructor(opts: LockStepOptions = {}) {
    const config = opts.config ?? defaultBootConfig;
    const mode = fastpathModeOf(opts.fastpath);
    this.fullCompare = opts.fullCompare ?? false;
    // The incremental form looks at what each step changed; it is given every state of the run in turn.
    this.checkSpec = this.fullCompare ? opts.checkSpec : (opts.checkSpec?.incremental?.() ?? opts.checkSpec);
    this.observe = opts.observe;
    this.strict = opts.strict ?? false;
    this.specStep = opts.specStep ?? specStep;
    // A boot that throws leaves nothing to step: the run fails at step 0 with a crash.
    let spec: KernelState | undefined;
    let impl: Kernel | undefined;
    let twin: Kernel | undefined;
    const stats = newFastpathStats();
    this.fastpathStats = mode === 'off' ? undefined : stats;
    try {
      spec = bootState(config);
      const broken = patchesOf(opts.mutants ?? []);
      const counted = [...broken, ...countingFastpath(stats)];
      impl = boot(config, mode === 'on' ? counted : broken, { fastpath: mode === 'on' });
      twin = mode === 'both' ? boot(config, counted, { fastpath: true }) : undefined;
    } catch (e) {
      this.crash('boot', undefined, e);
    }
    // After a failed boot the run is over before it starts: nothing reads these.
    this.spec = spec as KernelState;
    this.impl = impl as Kernel;
    this.twin = twin;
    if (this.failure === undefined) this.guard('abstraction', undefined, () => this.compare(undefined));
  }

  private fail(f: Omit<Failure, 'step' | 'sides'> & { readonly sides?: Failure['sides'] }): void {
    // A fastpath divergence compares two concrete kernels: the slow one, then the fast one.
    this.failure = { step: this.steps, ...f, sides: f.sides ?? (f.kind === 'fastpath-divergence' ? ['slow', 'fast'] : ['spec', 'impl']) };
  }

  private crash(side: CrashSide, event: Event | undefined, e: unknown): void {
    const t = describeThrown(e, /refinement\/run\.ts:/);
    this.fail({ event, kind: 'crash', message: `${side} threw ${t.message}`, differences: [], violations: [], side, stack: t.stack });
  }

  /** Run one part of a step; anything it throws is a crash of that part (fail closed). */
  private guard(side: CrashSide, event: Event | undefined, f: () => void): boolean {
    try {
      f();
    } catch (e) {
      this.crash(side, event, e);
    }
    return this.failure === undefined;
  }

  /** Compare one concrete kernel's abstraction with the spec; false after a failure. */
  private compareWith(k: Kernel, event: Event | undefined): boolean {
    if (this.fullCompare) {
      const a = abstract(k);
      return this.agrees(
        k,
        event,
        a.violations,
        () => deepEqual(this.spec, a.state),
        () => a,
      );
    }
    let known = this.images.get(k);
    let violations: readonly Violation[] = [];
    if (known === undefined) {
      // A kernel's image is built whole the first time it is compared (the twin's: at the fastpath's first hit).
      takeFootprint(k);
      known = { image: new AbstractImage(k), spec: undefined, state: undefined };
      this.images.set(k, known);
      violations = known.image.initialViolations;
    } else {
      violations = known.image.update(k, this.footprints.get(k) ?? takeFootprint(k)).violations;
    }
    const { image, spec, state } = known;
    // Found by looking at what changed; reported from the whole state, as --full-compare reports it.
    const ok = this.agrees(
      k,
      event,
      violations,
      () => equalSince(spec, this.spec, state, image.state),
      () => abstract(k),
    );
    this.images.set(k, { image, spec: this.spec, state: image.state });
    return ok;
  }

  private agrees(
    k: Kernel,
    event: Event | undefined,
    violations: readonly Violation[],
    equal: () => boolean,
    whole: () => { state: KernelState; violations: readonly Violation[] },
  ): boolean {
    const which = kernelName(k);
    if (violations.length > 0) {
      const all = whole().violations;
      this.fail({
        event,
        kind: 'representation',
        message: `the ${which} breaks its representation invariant`,
        differences: [],
        violations: all.length > 0 ? all : violations,
      });
      return false;
    }
    if (!equal()) {
      this.fail({
        event,
        kind: 'divergence',
        message: `spec and abstracted ${which} differ`,
        // The kernel that parted from the spec: the one with the fastpath on, when it was that one.
        sides: ['spec', which],
        differences: diff(this.spec, whole().state),
        violations: [],
      });
      return false;
    }
    return true;
  }

  private compare(event: Event | undefined): void {
    if (!this.compareWith(this.impl, event)) return;
    // Until the twin's fastpath first succeeds it has run exactly the code the other kernel ran.
    if (this.twin !== undefined && (this.fastpathStats?.hits ?? 0) > 0) {
      const twin = this.twin;
      const firstLook = !this.images.has(twin);
      if (!this.fullCompare && this.twinIsImpl(firstLook)) return;
      if (!this.compareWith(twin, event)) return;
      const image = this.images.get(this.impl)?.image;
      const tableWrites = readyQueueTableWrites(this.impl) + readyQueueTableWrites(twin);
      const tables = tableWrites !== this.tableWrites;
      this.tableWrites = tableWrites;
      const touched = this.fullCompare || firstLook || image === undefined ? undefined : image.touched([this.impl, twin].map((k) => this.footprints.get(k) ?? takeFootprint(k)));
      const differences =
        touched === undefined ? concreteDifferences(this.impl, twin) : concreteDifferences(this.impl, twin, touched.objects, { cnodeCells: touched.cnodeCells, tables });
      if (differences.length > 0) {
        this.fail({
          event,
          kind: 'fastpath-divergence',
          message: 'the kernels with the fastpath off (left) and on (right) differ in what the abstraction hides',
          differences: touched === undefined ? differences : concreteDifferences(this.impl, twin),
          violations: [],
        });
        return;
      }
    }
  }

  /**
   * Whether the twin is, after this step, word for word the kernel just
   * compared with the spec (then it agrees with the spec and with that kernel
   * in everything, and needs no look of its own). What it wrote meanwhile is
   * kept for its image's next update.
   */
  private twinIsImpl(firstLook: boolean): boolean {
    const twin = this.twin;
    if (twin === undefined) return false;
    const mine = this.footprints.get(this.impl);
    const its = this.footprints.get(twin);
    if (firstLook || this.identity === undefined || mine === undefined || its === undefined) {
      // The first look builds the twin's image whole; the identity starts from a whole comparison too.
      this.identity = new KernelIdentity(this.impl, twin);
      return false;
    }
    if (this.identity.update(mine, its)) {
      this.twinWrote.push(its);
      this.tableWrites = readyQueueTableWrites(this.impl) + readyQueueTableWrites(twin);
      return true;
    }
    if (this.twinWrote.length > 0) {
      this.footprints.set(twin, mergeFootprints([...this.twinWrote, its]));
      this.twinWrote = [];
    }
    return false;
  }

  private checkInvariants(event: Event | undefined): void {
    if (this.checkSpec === undefined) return;
    const vs = this.checkSpec(this.spec);
    if (vs.length > 0) this.fail({ event, kind: 'invariant', message: 'the spec state breaks a kernel invariant', differences: [], violations: vs });
  }

  /** Give the concrete machines' memory back for reuse; the lock step must not be used afterwards. */
  dispose(): void {
    if (this.impl !== undefined) releaseMemory(this.impl.mem);
    if (this.twin !== undefined) releaseMemory(this.twin.mem);
  }

  /** Take one event; returns false once the run has failed. */
  step(event: Event): boolean {
    if (this.failure !== undefined) return false;
    this.steps++;
    this.lastOutcome = undefined;
    const before = this.spec;
    let outcome: Outcome;
    try {
      const r = this.specStep(this.spec, event);
      this.spec = r.state;
      outcome = r.outcome;
      this.lastOutcome = outcome;
    } catch (e) {
      if (e instanceof SpecAssertionFailed) this.fail({ event, kind: 'spec-assertion', message: e.message, differences: [], violations: [] });
      else this.crash('spec', event, e);
      return false;
    }
    for (const k of this.twin === undefined ? [this.impl] : [this.impl, this.twin]) {
      try {
        // A kernel entry that touches more words than any honest one is a loop that does not end.
        k.mem.accessLimit = k.mem.reads + k.mem.writes + ENTRY_WORD_LIMIT;
        implStep(k, event);
      } catch (e) {
        if (e instanceof KernelBug) this.fail({ event, kind: 'kernel-bug', message: `${kernelName(k)}: ${e.message}`, differences: [], violations: [] });
        else this.crash(kernelName(k), event, e);
        return false;
      } finally {
        k.mem.accessLimit = Infinity;
      }
    }
    // What this step wrote, taken once from each kernel for every comparison below.
    this.footprints = new Map((this.twin === undefined ? [this.impl] : [this.impl, this.twin]).map((k) => [k, takeFootprint(k)]));
    if (!this.guard('abstraction', event, () => this.compare(event))) return false;
    if (!this.guard('invariants', event, () => this.checkInvariants(event))) return false;
    if (this.strict && isNotModelled(outcome)) {
      const what = outcomeText(labelOutcome(before, outcome));
      this.fail({
        event,
        kind: 'not-modelled',
        message: `${what}: the spec does not model this event (--strict)`,
        differences: [],
        violations: [],
      });
      return false;
    }
    const observe = this.observe;
    if (observe !== undefined && !this.guard('observer', event, () => observe(before, this.spec, event, outcome))) return false;
    return true;
  }
}

export interface TraceRun {
  readonly steps: number;
  readonly failure: Failure | undefined;
  /** What the spec said each step did, as the reports name it. */
  readonly outcomes: readonly OutcomeLabel[];
}

/** Run a whole trace in lock step; the result is the first failure, if any. */
export const runTrace = (events: readonly Event[], opts: LockStepOptions = {}): TraceRun => {
  const ls = new LockStep(opts);
  const outcomes: OutcomeLabel[] = [];
  for (const e of events) {
    const before = ls.spec;
    const ok = ls.step(e);
    if (ls.lastOutcome !== undefined) outcomes.push(labelOutcome(before, ls.lastOutcome));
    if (!ok) break;
  }
  ls.dispose();
  return { steps: ls.steps, failure: ls.failure, outcomes };
};
