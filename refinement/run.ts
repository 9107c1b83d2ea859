/**
 * The lock-step runner: the spec and the concrete kernel boot the same system
 * and take the same events; after every event the concrete state is abstracted
 * and compared with the spec's. The first step where they part, where the
 * representation invariant breaks, or where either kernel hits an internal
 * assertion, ends the run with a report.
 */
import type { BootConfig, Event } from '../spec/api';
import { defaultBootConfig } from '../spec/api';
import { bootState, step as specStep } from '../spec/kernel';
import type { Outcome } from '../spec/kernel';
import type { KernelState } from '../spec/model/state';
import { SpecAssertionFailed } from '../spec/model/assert';
import { boot, step as implStep, type Kernel } from '../impl/kernel';
import { KernelBug, releaseMemory } from '../impl/model/memory';
import { abstract, type Violation } from './abstract';
import { type Difference, deepEqual, diff } from './diff';

export type FailureKind = 'divergence' | 'representation' | 'spec-assertion' | 'kernel-bug' | 'invariant';

export interface Failure {
  /** 0 for the boot state, n for the state after the n-th event. */
  readonly step: number;
  readonly event: Event | undefined;
  readonly kind: FailureKind;
  readonly message: string;
  readonly differences: readonly Difference[];
  readonly violations: readonly Violation[];
}

export interface LockStepOptions {
  readonly config?: BootConfig;
  readonly mutants?: readonly string[];
  /** Extra checks on each spec state (the kernel invariants); violations end the run. */
  readonly checkSpec?: (s: KernelState) => readonly Violation[];
}

/** Both kernels, stepped together. */
export class LockStep {
  spec: KernelState;
  readonly impl: Kernel;
  steps = 0;
  failure: Failure | undefined;
  lastOutcome: Outcome | undefined;
  private readonly checkSpec: ((s: KernelState) => readonly Violation[]) | undefined;

  constructor(opts: LockStepOptions = {}) {
    const config = opts.config ?? defaultBootConfig;
    this.spec = bootState(config);
    this.impl = boot(config, opts.mutants ?? []);
    this.checkSpec = opts.checkSpec;
    this.compare(undefined);
  }

  private fail(f: Omit<Failure, 'step'>): void {
    this.failure = { step: this.steps, ...f };
  }

  private compare(event: Event | undefined): void {
    const a = abstract(this.impl);
    if (a.violations.length > 0) {
      this.fail({ event, kind: 'representation', message: 'the concrete state breaks its representation invariant', differences: [], violations: a.violations });
      return;
    }
    if (!deepEqual(this.spec, a.state)) {
      this.fail({ event, kind: 'divergence', message: 'spec and abstracted impl differ', differences: diff(this.spec, a.state), violations: [] });
      return;
    }
    if (this.checkSpec !== undefined) {
      const vs = this.checkSpec(this.spec);
      if (vs.length > 0) this.fail({ event, kind: 'invariant', message: 'the spec state breaks a kernel invariant', differences: [], violations: vs });
    }
  }

  /** Give the concrete machine's memory back for reuse; the lock step must not be used afterwards. */
  dispose(): void {
    releaseMemory(this.impl.mem);
  }

  /** Take one event; returns false once the run has failed. */
  step(event: Event): boolean {
    if (this.failure !== undefined) return false;
    this.steps++;
    this.lastOutcome = undefined;
    try {
      const r = specStep(this.spec, event);
      this.spec = r.state;
      this.lastOutcome = r.outcome;
    } catch (e) {
      if (!(e instanceof SpecAssertionFailed)) throw e;
      this.fail({ event, kind: 'spec-assertion', message: e.message, differences: [], violations: [] });
      return false;
    }
    try {
      implStep(this.impl, event);
    } catch (e) {
      if (!(e instanceof KernelBug)) throw e;
      this.fail({ event, kind: 'kernel-bug', message: e.message, differences: [], violations: [] });
      return false;
    }
    this.compare(event);
    return this.failure === undefined;
  }
}

export interface TraceRun {
  readonly steps: number;
  readonly failure: Failure | undefined;
  /** What the spec said each step did (for reports). */
  readonly outcomes: readonly Outcome[];
}

/** Run a whole trace in lock step; the result is the first failure, if any. */
export const runTrace = (events: readonly Event[], opts: LockStepOptions = {}): TraceRun => {
  const ls = new LockStep(opts);
  const outcomes: Outcome[] = [];
  for (const e of events) {
    const ok = ls.step(e);
    if (ls.lastOutcome !== undefined) outcomes.push(ls.lastOutcome);
    if (!ok) break;
  }
  ls.dispose();
  return { steps: ls.steps, failure: ls.failure, outcomes };
};

export const outcomeText = (o: Outcome): string => `${o.target === undefined ? '' : `${o.target}: `}${o.result}`;
