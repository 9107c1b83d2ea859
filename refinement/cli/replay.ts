/**
 * `sel4-spec replay FILE`: re-run a trace file through the kernels as it was
 * checked (its boot schedule, fastpath mode, invariants and strictness) and
 * print each step with its outcome.
 */
import * as E from 'fp-ts/Either';
import { specCheckOf } from '../../invariants/wellFormed';
import { type RunOptions, runEvents } from '../check';
import { fastpathModeOf } from '../run';
import { MAX_TRACE_FILE_BYTES, type TraceFile, bootConfigOf, parseTrace } from '../trace/codec';
import { readInputFile } from './files';
import { basename } from 'node:path';
import { asTest } from '../scenario/asTest';
import { pageBase, writeHtmlReport } from './html';
import { tell } from '../report/story';
import { EXIT, type Streams, UsageError, errorLine, output } from './io';
import { failureJson, printRun } from '../report/summary';
import { stateLines, stepChanges, viewOfState } from '../report/stateView';

export interface ReplayFlags {
  json?: boolean;
  mutant: string[];
  /** Print the spec state after this step (0: the boot state). */
  state?: number;
  /** Print what each step changed. */
  diff?: boolean;
  /** Write the told replay as an HTML page into this directory. */
  html?: string;
  /** Print the trace as a vitest scenario instead. */
  asTest?: boolean;
  /** Where that test imports the scenario API from. */
  importFrom?: string;
}

/** A trace file read and decoded (one line naming what is wrong and where, exit 2, when it cannot be). */
export const readTrace = (file: string): TraceFile => {
  const parsed = parseTrace(readInputFile(file, MAX_TRACE_FILE_BYTES), file);
  if (E.isLeft(parsed)) throw new UsageError(`${parsed.left.where}: ${parsed.left.message}`);
  return parsed.right;
};

/**
 * The lock-step options a trace runs with, as it was checked: its boot
 * schedule, fastpath mode, strictness and invariants (on unless it says
 * otherwise), and its mutants unless others are given.
 */
export const runOptionsOf = (trace: TraceFile, mutants: readonly string[] = []): RunOptions => ({
  mutants: mutants.length > 0 ? mutants : (trace.mutants ?? []),
  config: bootConfigOf(trace),
  fastpath: fastpathModeOf(trace.fastpath),
  strict: trace.strict ?? false,
  ...(trace.invariants === false ? {} : { checkSpec: specCheckOf(trace.invariants) }),
});

/** `--as-test`: the test alone on stdout (to redirect into a file); on stderr, how it will fare. */
const printAsTest = (file: string, trace: TraceFile, options: RunOptions, flags: ReplayFlags, io: Streams): number => {
  const clash = flags.json === true ? '--json' : flags.state !== undefined ? '--state' : flags.diff === true ? '--diff' : flags.html !== undefined ? '--html' : undefined;
  if (clash !== undefined) throw new UsageError(`--as-test prints a test and nothing else: leave out ${clash}`);
  const story = tell(trace.events, options);
  io.out(asTest({ title: basename(file), events: trace.events, options, story, importFrom: flags.importFrom ?? 'sel4-spec' }));
  const f = story.failure;
  errorLine(
    io,
    f === undefined
      ? `${file}: the test passes (the kernels agree on all ${trace.events.length} steps)`
      : `${file}: the test fails as the trace does (${f.kind} ${f.step === 0 ? 'at boot' : `after step ${f.step}`}) until that is fixed`,
  );
  return EXIT.ok;
};

export const replay = (file: string, flags: ReplayFlags, io: Streams): number => {
  const o = output(io, flags.json === true);
  const trace = readTrace(file);
  if (flags.state !== undefined && flags.state > trace.events.length)
    throw new UsageError(`--state ${flags.state}: ${file} has ${trace.events.length} events (0 is the boot state)`);
  const options = runOptionsOf(trace, flags.mutant);
  if (flags.asTest === true) return printAsTest(file, trace, options, flags, io);
  if (flags.importFrom !== undefined) throw new UsageError('--import-from is for --as-test');
  const mutants = options.mutants ?? [];
  const r = runEvents(trace.events, options);
  const wanted = flags.state;
  if (wanted !== undefined && wanted > r.steps) throw new UsageError(`--state ${wanted}: the replay stops at its failure after step ${r.steps} (0 is the boot state)`);
  o.line(`sel4-spec replay: ${file}, ${trace.events.length} events${mutants.length > 0 ? `, mutants: ${mutants.join(', ')}` : ''}`);
  const story = printRun(o, trace.events.slice(0, r.steps), r.outcomes, r.failure, options);
  if (flags.html !== undefined) {
    if (story === undefined) throw new UsageError('--html: no page written: the steps could not be told');
    o.line(`HTML report written to ${writeHtmlReport(flags.html, pageBase(file), basename(file), story)}`);
  }
  const state = wanted === undefined ? undefined : story?.states[wanted];
  const names = wanted === undefined ? undefined : story?.namesAt[wanted];
  const view = state === undefined || names === undefined ? undefined : viewOfState(names, state);
  if (view !== undefined) {
    o.line(`state after step ${wanted}${wanted === 0 ? ' (the boot state)' : ''}:`);
    for (const l of stateLines(view)) o.line(`  ${l}`);
  } else if (wanted !== undefined) o.line(`no state after step ${wanted}: ${wanted === 0 ? 'the boot failed' : 'the spec threw at it'}`);
  const diffs = flags.diff !== true || story === undefined ? undefined : stepChanges(story.namesAt, story.states);
  if (diffs !== undefined)
    for (const d of diffs) {
      o.line(`step ${d.step} changed ${d.changes.length === 0 ? 'nothing' : `${d.changes.length} ${d.changes.length === 1 ? 'thing' : 'things'}`}:`);
      for (const c of d.changes) o.line(`  ${c.path}: ${c.before} → ${c.after}`);
    }
  if (flags.json === true)
    o.json({
      ok: r.failure === undefined,
      events: trace.events.length,
      steps: r.steps,
      outcomes: r.outcomes,
      failure: r.failure === undefined ? null : failureJson(r.failure),
      ...(view === undefined ? {} : { state: { step: wanted, ...view } }),
      ...(diffs === undefined ? {} : { diffs }),
    });
  return r.failure === undefined ? EXIT.ok : EXIT.failed;
};
