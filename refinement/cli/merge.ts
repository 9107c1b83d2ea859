/**
 * `sel4-spec merge a.json b.json …`: the summaries of CI shards (`check
 * --shard i/n --json`) merged into the summary one machine would have printed
 * for the whole check: the counts of every shard up to and including the first
 * (in run order) that found a counterexample, and that counterexample, replayed
 * here for its report. The CI system is the distributed engine; this is its
 * reduce step.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/PathReporter';
import { specCheckOf } from '../../invariants/wellFormed';
import { FALLBACK_REASONS } from '../../impl/fastpath/reasons';
import { STATISTICS } from '../../properties/statistics';
import { Tally, type TallySnapshot } from '../../properties/tally';
import { CHECK_BOOT_CONFIG, type CheckResult, type Counterexample, type RunOptions, countsOf, runEvents } from '../check';
import { FASTPATH_MODES, type FastpathMode } from '../run';
import { InvariantsField, MAX_TRACE_FILE_BYTES, bootConfigOf, decodeTrace } from '../trace/codec';
import { agreeLine, counterexampleHeadline, printRun, printSummary, resultJson } from '../report/summary';
import { NOT_REPRODUCED, checkHeadline, shardSlice } from './check';
import { readInputFile } from './files';
import { EXIT, type Streams, UsageError, errorLine, output } from './io';

const Options = t.type({
  steps: t.number,
  mutants: t.array(t.string),
  fastpath: t.keyof(Object.fromEntries(FASTPATH_MODES.map((m) => [m, null])) as Record<FastpathMode, null>),
  invariants: InvariantsField,
  strict: t.boolean,
  fullCompare: t.boolean,
  swarm: t.boolean,
});

const Pairs = t.array(t.tuple([t.string, t.number]));
const numbersOf = (keys: readonly string[]) => t.type(Object.fromEntries(keys.map((k) => [k, t.number])));
const Counts = t.type({ attempts: t.number, hits: t.number });
const FastpathTotal = t.type({ attempts: t.number, hits: t.number, fallbacks: numbersOf(FALLBACK_REASONS), bySyscall: t.type({ Call: Counts, ReplyRecv: Counts }) });
const ShardSummary = t.type({
  seed: t.number,
  runs: t.number,
  events: t.number,
  interrupted: t.union([t.string, t.undefined]),
  shard: t.type({ index: t.number, count: t.number, runs: t.number, start: t.number, end: t.number }),
  options: Options,
  tally: t.type({
    coverage: Pairs,
    arguments: t.array(t.tuple([t.string, t.array(t.tuple([t.string, Pairs]))])),
    statistics: t.type({ counts: numbersOf(STATISTICS), runsWith: numbersOf(STATISTICS) }),
    fastpath: t.type({ total: FastpathTotal, perRunHitRates: t.array(t.number), runsWithHits: t.number, ipcs: t.number }),
    notModelled: t.type({ events: t.number, runs: t.number, byKey: Pairs }),
  }),
  timing: t.type({ exploreSeconds: t.number, shrinkSeconds: t.number }),
  counterexample: t.union([
    t.undefined,
    t.type({ shrunkFrom: t.number, foundAtRun: t.number, path: t.string, reproduces: t.boolean, partial: t.boolean, file: t.union([t.string, t.undefined]) }),
  ]),
  counterexampleTrace: t.unknown,
});
type ShardSummary = t.TypeOf<typeof ShardSummary>;

export interface MergeFlags {
  json?: boolean;
  coverage?: boolean;
  timing: boolean;
}

const read = (file: string): ShardSummary => {
  let json: unknown;
  try {
    json = JSON.parse(readInputFile(file, MAX_TRACE_FILE_BYTES));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = ShardSummary.decode(json);
  if (E.isLeft(r)) throw new UsageError(`${file}: not the --json summary of a check --shard (${PathReporter.report(r)[0] ?? 'malformed'})`);
  return r.right;
};

const sameOptions = (a: ShardSummary, b: ShardSummary): boolean =>
  a.seed === b.seed && a.shard.count === b.shard.count && a.shard.runs === b.shard.runs && JSON.stringify(a.options) === JSON.stringify(b.options);

export const merge = (files: readonly string[], flags: MergeFlags, io: Streams): number => {
  const o = output(io, flags.json === true);
  const shards = files.map((f) => ({ file: f, s: read(f) }));
  const first = shards[0];
  if (first === undefined) throw new UsageError('merge needs at least one shard summary');
  for (const { file, s } of shards) {
    if (!sameOptions(first.s, s)) throw new UsageError(`${file}: a shard of another check than ${first.file} (seed, runs, shard count or options differ)`);
    if (s.interrupted !== undefined) throw new UsageError(`${file}: shard ${s.shard.index}/${s.shard.count} was interrupted; run it again`);
    const slice = shardSlice(s.shard.runs, { index: s.shard.index, count: s.shard.count });
    if (s.shard.start !== slice.start || s.shard.end !== slice.start + slice.count)
      throw new UsageError(`${file}: shard ${s.shard.index}/${s.shard.count} of ${s.shard.runs} runs should hold runs ${slice.start + 1} to ${slice.start + slice.count}`);
    // A shard that found nothing must have made every run of its slice.
    if (s.counterexample === undefined && s.runs !== slice.count) throw new UsageError(`${file}: made ${s.runs} of its ${slice.count} runs without a counterexample`);
  }
  const n = first.s.shard.count;
  const byIndex = new Map<number, { file: string; s: ShardSummary }>();
  for (const x of shards) {
    const other = byIndex.get(x.s.shard.index);
    if (other !== undefined) throw new UsageError(`${x.file}: shard ${x.s.shard.index}/${n} is also ${other.file}`);
    byIndex.set(x.s.shard.index, x);
  }
  const ordered: Array<{ file: string; s: ShardSummary }> = [];
  for (let i = 1; i <= n; i++) {
    const x = byIndex.get(i);
    if (x === undefined) throw new UsageError(`shard ${i}/${n} is missing (given: ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')})`);
    ordered.push(x);
  }

  // The runs one machine would have made: every shard's, up to the first counterexample.
  const tally = new Tally();
  let runs = 0;
  let events = 0;
  let exploreSeconds = 0;
  let failing: { file: string; s: ShardSummary } | undefined;
  for (const x of ordered) {
    // The codec checked every count the snapshot holds; its keys are the tally's own.
    tally.absorb(x.s.tally as unknown as TallySnapshot);
    runs += x.s.runs;
    events += x.s.events;
    exploreSeconds += x.s.timing.exploreSeconds;
    if (x.s.counterexample !== undefined) {
      failing = x;
      break;
    }
  }
  const opts = first.s.options;
  const counterexample = failing === undefined ? undefined : replayed(failing.file, failing.s);
  const result: CheckResult = {
    ok: counterexample === undefined,
    seed: first.s.seed,
    runs,
    events,
    ...countsOf(tally),
    config: CHECK_BOOT_CONFIG,
    interrupted: false,
    timing: { exploreSeconds, shrinkSeconds: failing?.s.timing.shrinkSeconds ?? 0 },
    ...(counterexample === undefined ? {} : { counterexample }),
  };
  const summary = { fastpath: opts.fastpath, coverage: flags.coverage === true, timing: flags.timing };
  o.line(checkHeadline(result.seed, first.s.shard.runs, { ...opts, mutant: opts.mutants }));
  printSummary(o, result, summary);
  const file = failing?.s.counterexample?.file;
  if (counterexample !== undefined) {
    o.line(counterexampleHeadline(counterexample, result, flags.timing));
    printRun(o, counterexample.events, counterexample.outcomes, counterexample.failure, counterexample.options);
    if (file !== undefined) o.line(`trace written to ${file}; replay it with: npx sel4-spec replay ${file}`);
    if (!counterexample.reproduces) errorLine(io, NOT_REPRODUCED);
  } else o.line(agreeLine(result.notModelled.events, result.notModelled.runs));
  if (flags.json === true) o.json(resultJson(result, { ...summary, ...(file === undefined ? {} : { file }) }));
  // As the single check: a counterexample that did not replay on its own is an error of the tool.
  if (counterexample !== undefined && !counterexample.reproduces) return EXIT.internal;
  return result.ok ? EXIT.ok : EXIT.failed;
};

/** The shard's counterexample, replayed from its trace for the report (the report is the replay's, as a single check's is). */
const replayed = (file: string, s: ShardSummary): Counterexample => {
  const trace = decodeTrace(s.counterexampleTrace, `${file}: counterexampleTrace`);
  if (E.isLeft(trace)) throw new UsageError(`${trace.left.where}: ${trace.left.message}`);
  const tr = trace.right;
  const c = s.counterexample as NonNullable<ShardSummary['counterexample']>;
  const options: RunOptions = {
    mutants: tr.mutants ?? [],
    config: bootConfigOf(tr),
    fastpath: s.options.fastpath,
    strict: s.options.strict,
    fullCompare: s.options.fullCompare,
    ...(s.options.invariants === false ? {} : { checkSpec: specCheckOf(s.options.invariants) }),
  };
  const r = runEvents(tr.events, options);
  if (r.failure === undefined) throw new UsageError(`${file}: its counterexample passes when replayed here (another version of sel4-spec?)`);
  return {
    events: tr.events,
    failure: r.failure,
    path: c.path,
    originalLength: c.shrunkFrom,
    foundAtRun: c.foundAtRun,
    reproduces: c.reproduces,
    partial: c.partial,
    outcomes: r.outcomes,
    options,
  };
};
