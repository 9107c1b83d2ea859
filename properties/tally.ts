/**
 * Everything a batch of runs counts, in one place: coverage of (invocation,
 * outcome) pairs, what the traces did, the fastpath's share, and the events
 * the spec does not model yet. The lock step calls its observer after every
 * agreed event, so a throw in any of these counters is a crash the check
 * reports like any other (and a replay of the trace meets it again).
 */
import type { Event } from '../spec/api';
import type { Outcome } from '../spec/kernel';
import type { KernelState } from '../spec/model/state';
import type { LockStep, StepObserver } from '../refinement/run';
import { ArgumentCoverage } from './argumentCoverage';
import { invokedBy } from './invoked';
import { Coverage, coverageKey } from './coverage';
import { type OutcomeLabel, labelOutcome } from './outcome';
import { FastpathTally, Statistics } from './statistics';

/** Events whose outcome is NotModelled: how many, in how many runs, and which. */
export class NotModelledTally {
  events = 0;
  runs = 0;
  readonly byKey = new Map<string, number>();
  private inRun = false;

  observe(o: OutcomeLabel): void {
    if (o.result !== 'NotModelled') return;
    this.events++;
    this.inRun = true;
    const key = coverageKey(o);
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
  }

  endRun(): void {
    if (this.inRun) this.runs++;
    this.inRun = false;
  }
}

export class Tally {
  readonly coverage = new Coverage();
  readonly statistics = new Statistics();
  readonly fastpath = new FastpathTally();
  readonly notModelled = new NotModelledTally();
  readonly arguments = new ArgumentCoverage();

  readonly observer: StepObserver = (before: KernelState, after: KernelState, event: Event, outcome: Outcome) => {
    const invoked = invokedBy(before, event);
    const named = labelOutcome(before, outcome);
    this.coverage.record(named);
    if (invoked !== undefined) this.arguments.record(named, before, event, invoked);
    this.statistics.observe(before, after, event, named, invoked);
    this.fastpath.observe(named);
    this.notModelled.observe(named);
  };

  /** Close a run: per-run counts, and the fastpath statistics of its fast kernel. */
  endRun(ls: LockStep): void {
    this.statistics.endRun();
    this.notModelled.endRun();
    if (ls.fastpathStats !== undefined) this.fastpath.addRun(ls.fastpathStats);
  }
}
