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
import { type FastpathSnapshot, FastpathTally, Statistics } from './statistics';

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

  snapshot(): NotModelledSnapshot {
    return { events: this.events, runs: this.runs, byKey: [...this.byKey] };
  }
  absorb(s: NotModelledSnapshot): void {
    this.events += s.events;
    this.runs += s.runs;
    for (const [k, n] of s.byKey) this.byKey.set(k, (this.byKey.get(k) ?? 0) + n);
  }
}

export interface NotModelledSnapshot {
  readonly events: number;
  readonly runs: number;
  readonly byKey: ReadonlyArray<readonly [string, number]>;
}

/** A tally of whole runs as plain data: what a worker thread or a CI shard hands over. */
export interface TallySnapshot {
  readonly coverage: ReturnType<Coverage['snapshot']>;
  readonly arguments: ReturnType<ArgumentCoverage['snapshot']>;
  readonly statistics: ReturnType<Statistics['snapshot']>;
  readonly fastpath: FastpathSnapshot;
  readonly notModelled: NotModelledSnapshot;
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

  snapshot(): TallySnapshot {
    return {
      coverage: this.coverage.snapshot(),
      arguments: this.arguments.snapshot(),
      statistics: this.statistics.snapshot(),
      fastpath: this.fastpath.snapshot(),
      notModelled: this.notModelled.snapshot(),
    };
  }

  /** Add another tally's runs to this one's (the runs after this one's, so per-run figures stay in run order). */
  absorb(s: TallySnapshot): void {
    this.coverage.absorb(s.coverage);
    this.arguments.absorb(s.arguments);
    this.statistics.absorb(s.statistics);
    this.fastpath.absorb(s.fastpath);
    this.notModelled.absorb(s.notModelled);
  }

  /** Close a run: per-run counts, and the fastpath statistics of its fast kernel. */
  endRun(ls: LockStep): void {
    this.statistics.endRun();
    this.notModelled.endRun();
    if (ls.fastpathStats !== undefined) this.fastpath.addRun(ls.fastpathStats);
  }
}
