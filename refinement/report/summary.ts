/**
 * What the check commands print and save about a result: the summary
 * (coverage, what the traces did, the fastpath, events not modelled), the
 * counterexample as numbered steps with the failure, the trace file that
 * replays it, and the same as JSON.
 */
import type { Event } from '../../spec/api';
import type { InvariantSelection } from '../../invariants/wellFormed';
import { FALLBACK_REASONS } from '../../impl/fastpath/reasons';
import type { CheckResult, Counterexample, RunOptions } from '../check';
import type { FastpathTally } from '../../properties/statistics';
import type { NotModelledTally } from '../../properties/tally';
import type { ArgumentCoverage } from '../../properties/argumentCoverage';
import { type OutcomeLabel, outcomeText } from '../../properties/outcome';
import { render } from '../diff';
import { renderFailure, renderSteps } from './counterexample';
import { type Story, renderStory, tell } from './story';
import { describeThrown } from '../crash';
import type { Failure, FastpathMode } from '../run';
import type * as t from 'io-ts';
import { TRACE_VERSION, TraceFile } from '../trace/codec';
import type { Output } from '../cli/io';
import { writeNewFile } from '../cli/files';

/** `1 event`, `2 events`. */
export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const ratio = (x: number): string => `${Math.round(100 * x)}%`;
const percent = (n: number, of: number): string => ratio(of === 0 ? 0 : n / of);

const AGREE = 'OK: the spec and the concrete kernel agree after every event.';

/** The verdict when all agree: it says how many events passed unchecked because the spec does not model them. */
export const agreeLine = (notModelled: number, runs?: number): string =>
  notModelled === 0
    ? AGREE
    : `OK: the spec and the concrete kernel agree after every event, but ${count(notModelled, 'event')}${runs === undefined ? '' : ` in ${count(runs, 'run')}`} ${notModelled === 1 ? 'was' : 'were'} not modelled and passed unchecked (--strict fails them).`;

/**
 * A run's numbered steps told in seL4's terms (./story.ts: who acts, the cap
 * each cptr lands on, the message decoded by it, the sides at the failing
 * step), then its failure or the agreement line (saying what was not
 * modelled). Should the telling itself fail, the steps are printed as
 * recorded, with a line saying so: the counterexample is never lost to it.
 */
export const printRun = (o: Output, events: readonly Event[], outcomes: readonly OutcomeLabel[], failure: Failure | undefined, opts: RunOptions): Story | undefined => {
  let story: Story | undefined;
  try {
    story = tell(events, opts);
  } catch (e) {
    o.line(`(the steps could not be told in seL4's terms: ${describeThrown(e).message}; here they are as recorded)`);
  }
  if (story !== undefined) {
    for (const l of renderStory(story)) o.line(l);
    const told = story.failure;
    // The replay's own failure, if the telling has no lines for it (one at boot).
    if (told !== undefined && story.failureLines.length === 0) for (const l of renderFailure(told)) o.line(l);
    // A failure the report's replay did not meet again is printed as found.
    const same = told !== undefined && failure !== undefined && told.kind === failure.kind && told.step === failure.step && told.message === failure.message;
    if (failure !== undefined && !same) {
      o.line(
        `(the replay for this report ended ${told === undefined ? 'without a failure' : `with ${told.kind} ${told.step === 0 ? 'at boot' : `after step ${told.step}`}`}; the failure as found:)`,
      );
      for (const l of renderFailure(failure)) o.line(l);
    }
  } else {
    for (const l of renderSteps(events, outcomes.map(outcomeText))) o.line(l);
    if (failure !== undefined) for (const l of renderFailure(failure)) o.line(l);
  }
  // They agree only if neither the run nor the report's replay of it failed.
  if (failure === undefined && story?.failure === undefined) o.line(agreeLine(outcomes.filter((x) => x.result === 'NotModelled').length));
  return story;
};

/** The fastpath's share of Call/ReplyRecv and the reasons it fell back (every reason, met or not). */
const printFastpath = (o: Output, t: FastpathTally, mode: FastpathMode): void => {
  if (mode === 'off') return;
  const per = t.perRun();
  o.line(
    `fastpath (${mode}): ${t.total.hits} of ${t.ipcs} IPCs (Call on an endpoint, ReplyRecv) took it (${ratio(t.hitRate)}); ` +
      `per run min ${ratio(per.min)} median ${ratio(per.median)} max ${ratio(per.max)}; hits in ${t.runsWithHits} runs`,
  );
  o.line(
    `  attempts: Call ${t.total.bySyscall.Call.hits}/${t.total.bySyscall.Call.attempts}, ReplyRecv ${t.total.bySyscall.ReplyRecv.hits}/${t.total.bySyscall.ReplyRecv.attempts} hit; fell back because:`,
  );
  for (const r of FALLBACK_REASONS) o.line(`  ${String(t.total.fallbacks[r]).padStart(7)}  ${r}${t.total.fallbacks[r] === 0 ? '   (never)' : ''}`);
};

const fastpathJson = (t: FastpathTally, mode: FastpathMode) =>
  mode === 'off'
    ? null
    : {
        mode,
        ipcs: t.ipcs,
        attempts: t.total.attempts,
        hits: t.total.hits,
        hitRate: Number(t.hitRate.toFixed(4)),
        perRun: t.perRun(),
        runsWithHits: t.runsWithHits,
        fallbacks: t.total.fallbacks,
        bySyscall: t.total.bySyscall,
      };

const printNotModelled = (o: Output, nm: NotModelledTally): void => {
  if (nm.events === 0) return;
  const kinds = [...nm.byKey.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k} ${n}`);
  o.line(`not modelled (passed unchecked): ${count(nm.events, 'event')} in ${count(nm.runs, 'run')}: ${kinds.join(', ')}`);
};

export interface SummaryOptions {
  readonly fastpath: FastpathMode;
  readonly coverage: boolean;
  readonly timing: boolean;
}

/** The summary after the runs: throughput, coverage, what the traces did, the fastpath, what was not modelled. */
export const printSummary = (o: Output, r: CheckResult, opts: SummaryOptions): void => {
  const seconds = r.timing.exploreSeconds + r.timing.shrinkSeconds;
  const timing = opts.timing ? ` in ${r.timing.exploreSeconds.toFixed(1)} s (${Math.round(r.events / Math.max(r.timing.exploreSeconds, 1e-9))} events/s)` : '';
  o.line(
    `${r.runs} runs, ${r.events} events${timing}${opts.timing && r.counterexample !== undefined ? `; shrinking took ${r.timing.shrinkSeconds.toFixed(1)} s more (${seconds.toFixed(1)} s in all)` : ''}`,
  );
  const cov = r.coverage.summary();
  o.line(`coverage: ${cov.hit} of ${cov.known} known (invocation, outcome) pairs reached`);
  o.line('what the traces did:              runs with it   times');
  for (const row of r.statistics.rows())
    o.line(`  ${row.label.padEnd(42)} ${String(row.runs).padStart(4)} (${percent(row.runs, r.runs).padStart(4)})  ${String(row.count).padStart(6)}`);
  printFastpath(o, r.fastpath, opts.fastpath);
  printNotModelled(o, r.notModelled);
  if (!opts.coverage) return;
  for (const row of r.coverage.table()) o.line(`  ${String(row.count).padStart(7)}  ${row.pair}${row.known ? '' : '   (not in the known list)'}`);
  printArguments(o, r.arguments);
};

/** Coverage by argument: one line per invocation and dimension, then what was never met. */
const printArguments = (o: Output, a: ArgumentCoverage): void => {
  o.line('by argument (invocation, what varies: each value and how often it was met):');
  for (const row of a.rows()) o.line(`  ${row.invocation.padEnd(24)} ${`${row.dimension}:`.padEnd(12)} ${row.counts.map(([v, n]) => `${v} ${n}`).join(', ')}`);
  const never = a.neverReached();
  o.line(never.length === 0 ? 'never reached: nothing (every value of every argument above was met)' : `never reached (${never.length}):`);
  for (let i = 0; i < never.length; i += 4) o.line(`  ${never.slice(i, i + 4).join('; ')}`);
};

/** The counterexample's first line: its length, where it came from, and (with timing) how long finding and shrinking took. */
export const counterexampleHeadline = (c: Counterexample, r: CheckResult, timing: boolean): string => {
  const found = timing
    ? `found in run ${c.foundAtRun} after ${r.timing.exploreSeconds.toFixed(1)} s, shrunk in ${r.timing.shrinkSeconds.toFixed(1)} s`
    : `found in run ${c.foundAtRun}`;
  const partial = c.partial ? '; shrinking was interrupted, so it may not be minimal' : '';
  return `COUNTEREXAMPLE: ${count(c.events.length, 'event')} (shrunk from ${c.originalLength}), ${found}; seed ${r.seed}, path ${c.path}${partial}`;
};

export interface TraceOrigin {
  readonly mutants: readonly string[];
  readonly fastpath: FastpathMode;
  readonly invariants: InvariantSelection;
  readonly strict: boolean;
}

/** The trace file of a counterexample, as `replay` reads it (encoded: plain JSON). */
export const counterexampleTrace = (c: Counterexample, r: CheckResult, origin: TraceOrigin): t.OutputOf<typeof TraceFile> => {
  const doc: TraceFile = {
    version: TRACE_VERSION,
    seed: r.seed,
    path: c.path,
    mutants: [...origin.mutants],
    domainSchedule: [...r.config.domainSchedule],
    fastpath: origin.fastpath,
    invariants: typeof origin.invariants === 'boolean' ? origin.invariants : [...origin.invariants],
    strict: origin.strict,
    events: [...c.events],
    failure: { step: c.failure.step, kind: c.failure.kind, message: c.failure.message, report: renderFailure(c.failure) },
  };
  return TraceFile.encode(doc);
};

/** Save a counterexample under a name no earlier one has (named by seed and kind, numbered after the first). */
export const saveCounterexample = (dir: string, prefix: string, c: Counterexample, r: CheckResult, origin: TraceOrigin): string =>
  writeNewFile(dir, `${prefix}seed-${r.seed}-${c.failure.kind}`, 'trace.json', JSON.stringify(counterexampleTrace(c, r, origin), null, 2) + '\n');

/** A failure as JSON: its kind, step, the two sides' names, the differences rendered as the report shows them. */
export const failureJson = (f: Failure) => ({
  kind: f.kind,
  step: f.step,
  message: f.message,
  ...(f.side === undefined ? {} : { side: f.side }),
  ...(f.stack === undefined ? {} : { stack: f.stack }),
  sides: f.sides,
  differences: f.differences.map((d) => ({ path: d.path, [f.sides[0]]: render(d.spec), [f.sides[1]]: render(d.impl) })),
  violations: f.violations,
});

/** The whole result as one JSON object (`--json`). */
export const resultJson = (r: CheckResult, opts: SummaryOptions & { file?: string; trace?: unknown; interrupted?: string }) => {
  const c = r.counterexample;
  const seconds = r.timing.exploreSeconds + r.timing.shrinkSeconds;
  return {
    ok: r.ok && opts.interrupted === undefined,
    verdict: opts.interrupted !== undefined ? 'interrupted' : r.ok ? 'agree' : 'counterexample',
    ...(opts.interrupted === undefined ? {} : { interrupted: opts.interrupted }),
    seed: r.seed,
    runs: r.runs,
    events: r.events,
    seconds: opts.timing ? Number(seconds.toFixed(3)) : null,
    secondsToFailure: opts.timing && c !== undefined ? Number(r.timing.exploreSeconds.toFixed(3)) : null,
    secondsShrinking: opts.timing && c !== undefined ? Number(r.timing.shrinkSeconds.toFixed(3)) : null,
    eventsPerSecond: opts.timing ? Math.round(r.events / Math.max(r.timing.exploreSeconds, 1e-9)) : null,
    notModelled: {
      events: r.notModelled.events,
      runs: r.notModelled.runs,
      byOutcome: Object.fromEntries([...r.notModelled.byKey.entries()].sort()),
    },
    coverage: {
      ...r.coverage.summary(),
      pairs: r.coverage.table(),
      arguments: r.arguments.rows(),
      neverReached: r.arguments.neverReached(),
    },
    fastpath: fastpathJson(r.fastpath, opts.fastpath),
    statistics: Object.fromEntries(r.statistics.rows().map((row) => [row.name, { runs: row.runs, count: row.count }])),
    ...(c === undefined
      ? {}
      : {
          counterexample: {
            ...(opts.file === undefined ? {} : { file: opts.file }),
            // The trace itself, when it could not be saved.
            ...(opts.trace === undefined ? {} : { trace: opts.trace }),
            length: c.events.length,
            shrunkFrom: c.originalLength,
            foundAtRun: c.foundAtRun,
            path: c.path,
            reproduces: c.reproduces,
            partial: c.partial,
            failure: failureJson(c.failure),
          },
        }),
  };
};
