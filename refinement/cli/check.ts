/**
 * `sel4-spec check`: the refinement check over random state-aware traces.
 * The seed is the first thing printed, before any run, so no interruption
 * loses it; a counterexample is saved under a name no earlier one has.
 */
import { availableParallelism } from 'node:os';
import { INVARIANT_NAMES, type InvariantSelection, specCheckOf } from '../../invariants/wellFormed';
import { type CheckResult, checkRefinement } from '../check';
import type { FastpathMode } from '../run';
import { ensureDirectory } from './files';
import { pageBase, writeHtmlReport } from './html';
import { EXIT, type Streams, UsageError, errorLine, output } from './io';
import { onInterrupt } from './interrupt';
import { progress } from './progress';
import { agreeLine, counterexampleHeadline, counterexampleTrace, printRun, printSummary, resultJson, saveCounterexample } from '../report/summary';

export interface CheckFlags {
  seed?: number;
  invariants: boolean;
  /** `--invariant NAME`: check only these kernel invariants. */
  invariant: string[];
  fastpath: FastpathMode;
  runs: number;
  steps: number;
  mutant: string[];
  json?: boolean;
  out: string;
  /** Where to write the counterexample's HTML page. */
  html?: string;
  coverage?: boolean;
  timing: boolean;
  progress: boolean;
  progressEvery: number;
  strict?: boolean;
  fullCompare?: boolean;
  swarm: boolean;
  /** Unset: the machine's cores, but at most one per 16 runs (a worker costs a second or so to start). */
  workers?: number;
  shard?: Shard;
}

/** `--shard i/n`: the i-th (1-based) of n contiguous slices of the runs. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The runs of shard i/n: [floor((i-1) * runs / n), floor(i * runs / n)). */
export const shardSlice = (runs: number, s: Shard): { start: number; count: number } => {
  const start = Math.floor(((s.index - 1) * runs) / s.count);
  return { start, count: Math.floor((s.index * runs) / s.count) - start };
};

/** The check's first line: what runs, on what (a shard's and the merged summary's start the same way). */
/** How a check's invariants read in its headline: on, off, or the ones named. */
const invariantsText = (sel: InvariantSelection): string => (sel === true ? 'on' : sel === false ? 'off' : sel.join(', '));

/** The invariants the flags select: all (default), none (--no-invariants), or those --invariant names. */
export const invariantSelection = (flags: Pick<CheckFlags, 'invariants' | 'invariant'>): InvariantSelection => {
  if (flags.invariant.length === 0) return flags.invariants;
  if (!flags.invariants) throw new UsageError('--invariant picks the invariants to check: leave out --no-invariants');
  const chosen = INVARIANT_NAMES.filter((n) => flags.invariant.includes(n));
  return chosen.length === INVARIANT_NAMES.length ? true : chosen;
};

export const checkHeadline = (
  seed: number,
  runs: number,
  flags: Pick<CheckFlags, 'steps' | 'fastpath' | 'strict' | 'fullCompare' | 'mutant'> & { readonly invariants: InvariantSelection },
): string => {
  const mutants = flags.mutant.length === 0 ? '' : `, mutants ${flags.mutant.join(', ')}`;
  return `sel4-spec check: seed ${seed}, ${runs} runs of up to ${flags.steps} steps, fastpath ${flags.fastpath}, invariants ${invariantsText(flags.invariants)}${flags.strict === true ? ', strict' : ''}${flags.fullCompare === true ? ', full compare' : ''}${mutants}`;
};

export const NOT_REPRODUCED = 'internal error: the shrunk trace does not fail the same way when replayed on its own (a nondeterminism in sel4-spec); the failure above was real';

const origin = (flags: CheckFlags, strict: boolean) => ({ mutants: flags.mutant, fastpath: flags.fastpath, invariants: invariantSelection(flags), strict });

const randomSeed = (): number => (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) & 0x7fffffff;

export const check = async (flags: CheckFlags, io: Streams): Promise<number> => {
  const o = output(io, flags.json === true);
  const seed = flags.seed ?? randomSeed();
  const strict = flags.strict === true;
  const selection = invariantSelection(flags);
  // Before any run: a counterexample found after an hour must have somewhere to go.
  ensureDirectory(flags.out, '--out');
  if (flags.html !== undefined) ensureDirectory(flags.html, '--html');
  const slice = flags.shard === undefined ? undefined : shardSlice(flags.runs, flags.shard);
  o.line(
    checkHeadline(seed, flags.runs, { ...flags, invariants: selection }) +
      (flags.shard === undefined || slice === undefined ? '' : `; shard ${flags.shard.index}/${flags.shard.count}: runs ${slice.start + 1} to ${slice.start + slice.count}`),
  );
  const p = progress(flags.progress ? io.progress : undefined, flags.progressEvery);
  const stop = onInterrupt(io);
  let result: CheckResult;
  try {
    result = await checkRefinement({
      seed,
      runs: flags.runs,
      steps: flags.steps,
      mutants: flags.mutant,
      fastpath: flags.fastpath,
      strict,
      fullCompare: flags.fullCompare === true,
      swarm: flags.swarm,
      workers: flags.workers ?? Math.max(1, Math.min(availableParallelism(), Math.floor((slice?.count ?? flags.runs) / 16))),
      ...(slice === undefined ? {} : { slice }),
      signal: stop.signal,
      ...(selection === false ? {} : { checkSpec: specCheckOf(selection) }),
      onRun: (done, events) => p.explore(done, slice?.count ?? flags.runs, events),
      onShrink: (s) => p.shrink(s.failure.kind, s.foundAtRun, s.originalLength, s.length, s.tries),
    });
  } finally {
    p.stop();
    stop.dispose();
  }
  const interrupted = stop.received();
  const summary = { fastpath: flags.fastpath, coverage: flags.coverage === true, timing: flags.timing };
  printSummary(o, result, summary);
  let file: string | undefined;
  let page: string | undefined;
  let unsaved: unknown;
  const c = result.counterexample;
  if (c !== undefined) {
    o.line(counterexampleHeadline(c, result, flags.timing));
    const story = printRun(o, c.events, c.outcomes, c.failure, c.options);
    try {
      file = saveCounterexample(flags.out, 'counterexample-', c, result, origin(flags, strict));
      o.line(`trace written to ${file}; replay it with: npx sel4-spec replay ${file}`);
    } catch (e) {
      // The counterexample stands; only its file is lost: say so, and keep the trace in --json.
      if (!(e instanceof UsageError)) throw e;
      unsaved = counterexampleTrace(c, result, origin(flags, strict));
      errorLine(io, e.message);
    }
    if (flags.html !== undefined) {
      if (story === undefined) {
        errorLine(io, `--html: no page written: the steps could not be told`);
      } else
        try {
          page = writeHtmlReport(
            flags.html,
            file === undefined ? `counterexample-seed-${result.seed}-${c.failure.kind}` : pageBase(file),
            `counterexample, seed ${result.seed}`,
            story,
            c.failure,
          );
          o.line(`HTML report written to ${page}`);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
          errorLine(io, e.message);
        }
    }
    if (!c.reproduces) errorLine(io, NOT_REPRODUCED);
  } else if (interrupted === undefined) {
    o.line(agreeLine(result.notModelled.events, result.notModelled.runs));
    if (flags.html !== undefined) o.line('no counterexample, so no HTML report (replay a trace with --html to see one)');
  }
  if (interrupted !== undefined)
    o.line(`INTERRUPTED by ${interrupted} after ${result.runs} of ${flags.runs} runs (${result.events} events); seed ${seed}: run again with --seed ${seed}`);
  if (flags.json === true) {
    const json = resultJson(result, {
      ...summary,
      ...(file === undefined ? {} : { file }),
      ...(page === undefined ? {} : { html: page }),
      ...(unsaved === undefined ? {} : { trace: unsaved }),
      ...(interrupted === undefined ? {} : { interrupted }),
    });
    // A shard's summary carries what `sel4-spec merge` needs to rebuild the whole check's.
    o.json(
      flags.shard === undefined || slice === undefined
        ? json
        : {
            ...json,
            shard: { index: flags.shard.index, count: flags.shard.count, runs: flags.runs, start: slice.start, end: slice.start + slice.count },
            options: {
              steps: flags.steps,
              mutants: flags.mutant,
              fastpath: flags.fastpath,
              invariants: selection,
              strict,
              fullCompare: flags.fullCompare === true,
              swarm: flags.swarm,
            },
            tally: result.tally,
            ...(c === undefined ? {} : { counterexampleTrace: counterexampleTrace(c, result, origin(flags, strict)) }),
            timing: { exploreSeconds: result.timing.exploreSeconds, shrinkSeconds: result.timing.shrinkSeconds },
          },
    );
  }
  if (interrupted !== undefined) return EXIT[interrupted];
  if (c !== undefined && !c.reproduces) return EXIT.internal;
  return result.ok ? EXIT.ok : EXIT.failed;
};
