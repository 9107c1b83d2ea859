/**
 * The `sel4-spec` command line: `check` runs the refinement check over random
 * state-aware traces, `replay` re-runs a trace file, `mutants` lists the
 * deliberately broken kernels. Exit codes: 0 agreement, 1 counterexample,
 * 2 bad input or usage (with a one-line message, never a stack trace).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import * as E from 'fp-ts/Either';
import { MUTANTS, isMutantName } from '../../impl/mutants';
import { checkRefinement } from '../../properties/refinement';
import { hunt } from '../../properties/mutation';
import { wellFormed } from '../../invariants/wellFormed';
import { type KernelFigures, runPingPong } from '../bench/pingpong';
import { TraceFile, TRACE_VERSION, bootConfigOf, parseTrace } from '../trace/codec';
import { type Failure, type FastpathMode, outcomeText, runTrace } from '../run';
import type { Event } from '../../spec/api';
import type { Outcome } from '../../spec/kernel';
import { FALLBACK_REASONS } from '../../impl/fastpath/stats';
import type { FastpathTally } from '../../properties/statistics';
import { renderFailure, renderSteps } from '../report';

class UsageError extends Error {}

const integer = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => (v: string): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
};

const collect = (v: string, acc: string[]): string[] => {
  if (!isMutantName(v)) throw new InvalidArgumentError(`unknown mutant '${v}' (see 'sel4-spec mutants')`);
  return [...acc, v];
};

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');


const FASTPATH_MODES: readonly FastpathMode[] = ['off', 'on', 'both'];
const fastpathMode = (v: string): FastpathMode => {
  const m = FASTPATH_MODES.find((x) => x === v);
  if (m === undefined) throw new InvalidArgumentError(`--fastpath must be one of ${FASTPATH_MODES.join(', ')}, got '${v}'`);
  return m;
};

const ratio = (x: number): string => `${Math.round(100 * x)}%`;
const percent = (n: number, of: number): string => ratio(of === 0 ? 0 : n / of);

const AGREE = 'OK: the spec and the concrete kernel agree after every event.';

/** A run's numbered steps with what each did, then its failure or the agreement line. */
const printRun = (events: readonly Event[], outcomes: readonly Outcome[], failure: Failure | undefined): void => {
  for (const l of renderSteps(events, outcomes.map(outcomeText))) out(l);
  if (failure === undefined) out(AGREE);
  else for (const l of renderFailure(failure)) out(l);
};

/** The size of a batch of generated traces, shared by check and mutants --hunt. */
const traceSizeOptions = (c: Command, runsHelp: string): Command =>
  c
    .option('--runs <n>', runsHelp, integer('--runs', 1), 100)
    .option('--steps <n>', 'longest trace, in generated steps', integer('--steps', 1, 100_000), 200);

/** The fastpath's share of Call/ReplyRecv and the reasons it fell back (every reason, met or not). */
const printFastpath = (t: FastpathTally, mode: FastpathMode): void => {
  if (mode === 'off') return;
  const per = t.perRun();
  out(
    `fastpath (${mode}): ${t.total.hits} of ${t.ipcs} IPCs (Call on an endpoint, ReplyRecv) took it (${ratio(t.hitRate)}); ` +
      `per run min ${ratio(per.min)} median ${ratio(per.median)} max ${ratio(per.max)}; hits in ${t.runsWithHits} runs`,
  );
  out(`  attempts: Call ${t.total.bySyscall.Call.hits}/${t.total.bySyscall.Call.attempts}, ReplyRecv ${t.total.bySyscall.ReplyRecv.hits}/${t.total.bySyscall.ReplyRecv.attempts} hit; fell back because:`);
  for (const r of FALLBACK_REASONS) out(`  ${String(t.total.fallbacks[r]).padStart(7)}  ${r}${t.total.fallbacks[r] === 0 ? '   (never)' : ''}`);
};

const fastpathJson = (t: FastpathTally, mode: FastpathMode) =>
  mode === 'off'
    ? null
    : { mode, ipcs: t.ipcs, attempts: t.total.attempts, hits: t.total.hits, hitRate: Number(t.hitRate.toFixed(4)), perRun: t.perRun(), runsWithHits: t.runsWithHits, fallbacks: t.total.fallbacks, bySyscall: t.total.bySyscall };

const randomSeed = (): number => (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) & 0x7fffffff;

interface CheckFlags {
  seed?: number;
  invariants: boolean;
  fastpath: FastpathMode;
  runs: number;
  steps: number;
  mutant: string[];
  json?: boolean;
  out: string;
  coverage?: boolean;
  timing: boolean;
  progress: boolean;
}

const check = (flags: CheckFlags): number => {
  const seed = flags.seed ?? randomSeed();
  const showProgress = flags.progress && !flags.json;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'checking [{bar}] {value}/{total} runs | {events} events',
      noTTYOutput: true,
      notTTYSchedule: 5000,
      hideCursor: false,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  if (showProgress) bar.start(flags.runs, 0, { events: 0 });
  const t0 = performance.now();
  const result = checkRefinement({
    seed,
    runs: flags.runs,
    steps: flags.steps,
    mutants: flags.mutant,
    fastpath: flags.fastpath,
    ...(flags.invariants ? { checkSpec: wellFormed } : {}),
    onRun: (done, events) => {
      if (showProgress) bar.update(done, { events });
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (showProgress) bar.stop();
  const cov = result.coverage.summary();
  const eventsPerSecond = result.events / Math.max(seconds, 1e-9);
  const timing = flags.timing ? `in ${seconds.toFixed(1)} s (${Math.round(eventsPerSecond)} events/s)` : '';
  out(`sel4-spec check: seed ${seed}, ${result.runs} runs, ${result.events} events ${timing}`.trimEnd());
  out(`coverage: ${cov.hit} of ${cov.known} known (invocation, outcome) pairs reached`);
  out('what the traces did:              runs with it   times');
  for (const r of result.statistics.rows())
    out(`  ${r.label.padEnd(42)} ${String(r.runs).padStart(4)} (${percent(r.runs, result.runs).padStart(4)})  ${String(r.count).padStart(6)}`);
  printFastpath(result.fastpath, flags.fastpath);
  if (flags.coverage === true) {
    for (const row of result.coverage.table()) out(`  ${String(row.count).padStart(7)}  ${row.pair}${row.known ? '' : '   (not in the known list)'}`);
  }
  let file: string | undefined;
  const c = result.counterexample;
  if (c === undefined) {
    out(AGREE);
  } else {
    out(`COUNTEREXAMPLE: ${c.events.length} events (shrunk from ${c.originalLength}); seed ${seed}, path ${c.path}`);
    printRun(c.events, c.outcomes, c.failure);
    const doc: TraceFile = {
      version: TRACE_VERSION,
      seed,
      path: c.path,
      mutants: [...flags.mutant],
      domainSchedule: [...result.config.domainSchedule],
      fastpath: flags.fastpath,
      invariants: flags.invariants,
      events: [...c.events],
      failure: { step: c.failure.step, kind: c.failure.kind, message: c.failure.message, report: renderFailure(c.failure) },
    };
    mkdirSync(flags.out, { recursive: true });
    file = join(flags.out, `counterexample-seed-${seed}.trace.json`);
    writeFileSync(file, JSON.stringify(TraceFile.encode(doc), null, 2) + '\n');
    out(`trace written to ${file}; replay it with: npx sel4-spec replay ${file}`);
  }
  if (flags.json === true) {
    out(
      JSON.stringify({
        ok: result.ok,
        seed,
        runs: result.runs,
        events: result.events,
        seconds: flags.timing ? Number(seconds.toFixed(3)) : null,
        eventsPerSecond: flags.timing ? Math.round(eventsPerSecond) : null,
        coverage: cov,
        fastpath: fastpathJson(result.fastpath, flags.fastpath),
        statistics: Object.fromEntries(result.statistics.rows().map((r) => [r.name, { runs: r.runs, count: r.count }])),
        ...(file === undefined ? {} : { counterexample: file }),
      }),
    );
  }
  return result.ok ? 0 : 1;
};

const replay = (file: string, flags: { json?: boolean; mutant: string[] }): number => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = parseTrace(text, file);
  if (E.isLeft(parsed)) throw new UsageError(`${parsed.left.where}: ${parsed.left.message}`);
  const trace = parsed.right;
  const mutants = flags.mutant.length > 0 ? flags.mutant : (trace.mutants ?? []);
  for (const m of mutants) if (!isMutantName(m)) throw new UsageError(`${file}: mutants: unknown mutant '${m}'`);
  // The trace runs as it was checked: its boot schedule, fastpath mode and invariants (on unless it says otherwise).
  const invariants = trace.invariants ?? true;
  const r = runTrace(trace.events, { mutants, config: bootConfigOf(trace), fastpath: trace.fastpath ?? 'off', ...(invariants ? { checkSpec: wellFormed } : {}) });
  out(`sel4-spec replay: ${file}, ${trace.events.length} events${mutants.length > 0 ? `, mutants: ${mutants.join(', ')}` : ''}`);
  printRun(trace.events.slice(0, r.steps), r.outcomes, r.failure);
  if (flags.json === true) out(JSON.stringify({ ok: r.failure === undefined, events: trace.events.length, steps: r.steps, failure: r.failure === undefined ? null : { step: r.failure.step, kind: r.failure.kind } }));
  return r.failure === undefined ? 0 : 1;
};

/** `bench`: the ping-pong benchmark, fastpath against slow path, as ratios measured in one run. */
const bench = (flags: { rounds: number; json?: boolean }): number => {
  const r = runPingPong(flags.rounds);
  const row = (name: string, f: KernelFigures) =>
    out(`  ${name.padEnd(22)} ${Math.round(f.eventsPerSecond).toString().padStart(10)} ${f.wordsPerIPC.toFixed(1).padStart(10)} ${f.readsPerIPC.toFixed(1).padStart(7)} ${f.writesPerIPC.toFixed(1).padStart(7)} ${String(f.fastpathHits).padStart(8)}`);
  out(`sel4-spec bench: ping-pong, a client's Call and a server's ReplyRecv, ${r.rounds} rounds (${2 * r.rounds} IPCs)`);
  out(`  ${''.padEnd(22)} ${'IPCs/s'.padStart(10)} ${'words/IPC'.padStart(10)} ${'reads'.padStart(7)} ${'writes'.padStart(7)} ${'fastpath'.padStart(8)}`);
  row('concrete, slow path', r.slow);
  row('concrete, fastpath', r.fast);
  out(`  fastpath / slow path: ${r.ratios.speed.toFixed(2)}x the speed, ${r.ratios.words.toFixed(2)}x the memory words touched by the kernel`);
  out(`  abstract spec alone: ${Math.round(r.spec.eventsPerSecond)} events/s (${(r.slow.eventsPerSecond / r.spec.eventsPerSecond).toFixed(1)}x slower than the slow path)`);
  out(`  lock-step check (spec, slow and fast kernels, abstraction after every event): ${Math.round(r.check.eventsPerSecond)} events/s over ${r.check.events} events`);
  const m = r.memory;
  const spec = m.specStateBytes === null ? 'not measured (no forced GC)' : `${(m.specStateBytes / 1024).toFixed(0)} KiB of heap for ${m.specObjects} objects`;
  out(`  memory: a spec state ${spec}; a concrete kernel ${(m.concreteBytes / 2 ** 20).toFixed(0)} MiB of simulated RAM, ${m.concretePagesInUse} pages in use`);
  if (flags.json === true) out(JSON.stringify(r));
  return 0;
};

interface HuntFlags {
  hunt?: boolean;
  only: string[];
  seed: number;
  runs: number;
  steps: number;
  json?: boolean;
  timing: boolean;
}

/** `mutants --hunt`: every mutant must be caught; exit 1 if one survives. */
const huntAll = (flags: HuntFlags): number => {
  const chosen = flags.only.length > 0 ? MUTANTS.filter((m) => flags.only.includes(m.name)) : MUTANTS;
  out(`sel4-spec mutants --hunt: seed ${flags.seed}, up to ${flags.runs} runs each`);
  out(`  ${'mutant'.padEnd(38)} ${'checker'.padEnd(10)} caught  runs ${flags.timing ? ' seconds' : ''}  shrunk (from)`);
  const hunts = chosen.map((m) => {
    const h = hunt(m, { seed: flags.seed, runs: flags.runs, steps: flags.steps });
    const shrunk = h.caught ? `${String(h.shrunkLength).padStart(6)} (${h.originalLength})` : '     -';
    const secs = flags.timing ? h.seconds.toFixed(1).padStart(8) : '';
    out(`  ${m.name.padEnd(38)} ${m.checker.padEnd(10)} ${(h.caught ? 'yes' : 'NO').padEnd(6)} ${String(h.runs).padStart(5)} ${secs}  ${shrunk}`);
    return h;
  });
  const caught = hunts.filter((h) => h.caught).length;
  out(`${caught} of ${hunts.length} mutants caught`);
  if (flags.json === true)
    out(
      JSON.stringify({
        caught,
        total: hunts.length,
        mutants: hunts.map((h) => ({
          name: h.mutant.name,
          checker: h.mutant.checker,
          caught: h.caught,
          runs: h.runs,
          seconds: flags.timing ? Number(h.seconds.toFixed(2)) : null,
          shrunkLength: h.shrunkLength ?? null,
          originalLength: h.originalLength ?? null,
          replays: h.replays ?? null,
        })),
      }),
    );
  return caught === hunts.length ? 0 : 1;
};

export const program = (): Command => {
  const p = new Command('sel4-spec');
  p.description('An executable seL4 specification and a refinement checker for a word-level seL4 kernel.')
    .exitOverride()
    .configureOutput({ outputError: (s) => err(`sel4-spec: ${s.replace(/^error: /, '').trim()} (see sel4-spec --help)`) });
  traceSizeOptions(p.command('check'), 'number of traces')
    .description('check the concrete kernel against the spec over random state-aware syscall traces')
    .option('--seed <n>', 'random seed (printed; the same seed gives the same traces)', integer('--seed', -0x80000000, 0x7fffffff))
    .option('--mutant <name>', 'switch on a deliberately broken kernel (repeatable)', collect, [])
    .option('--no-invariants', 'skip the kernel invariants on the spec state after every event (faster)')
    .option('--fastpath <mode>', 'IPC fastpath: off, on, or both (a kernel with it on checked against one without)', fastpathMode, 'both' as FastpathMode)
    .option('--json', 'end with one JSON line: {ok, seed, runs, events, seconds, eventsPerSecond, coverage, fastpath, statistics}')
    .option('--coverage', 'print the (invocation, outcome) coverage table')
    .option('--out <dir>', 'where counterexample traces are written', '.counterexamples')
    .option('--no-timing', 'leave wall-clock figures out, so the output is the same byte for byte')
    .option('--no-progress', 'no progress line on stderr')
    .action((flags: CheckFlags) => {
      process.exitCode = check(flags);
    });
  p.command('replay')
    .description('re-run a trace file through both kernels (exit 0 when they agree, 1 when they part)')
    .argument('<file>', 'a trace file written by check')
    .option('--mutant <name>', 'switch on a mutant instead of those the file names (repeatable)', collect, [])
    .option('--json', 'end with one JSON line')
    .action((file: string, flags: { json?: boolean; mutant: string[] }) => {
      process.exitCode = replay(file, flags);
    });
  p.command('bench')
    .description('benchmark the IPC fastpath against the slow path (ping-pong of Call and ReplyRecv): speed and memory words touched')
    .option('--rounds <n>', 'Call/ReplyRecv rounds', integer('--rounds', 1, 10_000_000), 20_000)
    .option('--json', 'end with one JSON line of all the figures')
    .action((flags: { rounds: number; json?: boolean }) => {
      process.exitCode = bench(flags);
    });
  traceSizeOptions(p.command('mutants'), 'runs per hunt (with --hunt)')
    .description('list the deliberately broken kernels, one per line (with --hunt, run the default check on each)')
    .option('--hunt', 'run the check against each mutant: caught or not, runs and seconds to catch, shrunk length')
    .option('--only <name>', 'hunt just this mutant (repeatable)', collect, [])
    .option('--seed <n>', 'random seed of the hunts', integer('--seed', -0x80000000, 0x7fffffff), 1)
    .option('--json', 'end with one JSON line: {caught, total, mutants: [...]}')
    .option('--no-timing', 'leave wall-clock figures out')
    .action((flags: HuntFlags) => {
      if (flags.hunt !== true) {
        for (const m of MUTANTS) out(`${m.name}\t${m.description}`);
        return;
      }
      process.exitCode = huntAll(flags);
    });
  return p;
};

export const main = (argv: readonly string[]): void => {
  // A closed pipe (`sel4-spec mutants | head`) is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  try {
    program().parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UsageError) {
      err(`sel4-spec: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
};
