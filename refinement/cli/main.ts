/**
 * The `sel4-spec` command line: `check` runs the refinement check over random
 * state-aware traces, `replay` re-runs a trace file, `mutants` lists the
 * deliberately broken kernels (and hunts them), `bench` measures.
 *
 * Exit codes (`EXIT` in io.ts): 0 agreement, 1 counterexample, 2 bad usage or
 * input (one line on stderr naming what and where, never a stack trace), 3 an
 * error of the tool itself, 130/143 interrupted by SIGINT/SIGTERM, 141 stdout
 * closed under a running command.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { MUTANTS, isMutantName } from '../../properties/mutants';
import { INVARIANT_NAMES, isInvariantName } from '../../invariants/wellFormed';
import { seamsDispatch } from '../../impl/model/seam';
import { describeThrown } from '../crash';
import { FASTPATH_MODES, type FastpathMode } from '../run';
import { type BenchFlags, bench } from './bench';
import { type CheckFlags, type Shard, check } from './check';
import { type HuntFlags, huntAll } from './hunt';
import { EXIT, type Streams, UsageError, errorLine, processStreams, quote, watchStandardStreams } from './io';
import { type MergeFlags, merge } from './merge';
import { type ReplayFlags, replay } from './replay';
import { CHECK_DEFAULTS } from '../assert';
import { type ExportFlags, exportTrace } from './export';

const integer =
  (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (v: string): number => {
    if (!/^\s*-?\d{1,16}\s*$/.test(v)) throw new InvalidArgumentError(`${name} must be an integer, got ${quote(v)}`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };

const shardOf = (v: string): Shard => {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(v);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new InvalidArgumentError(`--shard must be i/n with 1 <= i <= n, got ${quote(v)}`);
  return { index, count };
};

const collect = (v: string, acc: string[]): string[] => {
  if (!isMutantName(v)) throw new InvalidArgumentError(`unknown mutant ${quote(v)} (see 'sel4-spec mutants')`);
  return [...acc, v];
};

const collectInvariant = (v: string, acc: string[]): string[] => {
  if (!isInvariantName(v)) throw new InvalidArgumentError(`unknown invariant ${quote(v)} (see 'sel4-spec invariants')`);
  return [...acc, v];
};

const fastpathMode = (v: string): FastpathMode => {
  const m = FASTPATH_MODES.find((x) => x === v);
  if (m === undefined) throw new InvalidArgumentError(`--fastpath must be one of ${FASTPATH_MODES.join(', ')}, got ${quote(v)}`);
  return m;
};

/**
 * Commander's message for an error, on one line. For a value an option's
 * parser refused, commander quotes the whole value first (a megabyte, say):
 * the parser's own message names the option and quotes the value cut short.
 */
const commanderMessage = (s: string): string => {
  const invalid = /^error: option '[^']*' argument '[\s\S]*' is invalid\. ([\s\S]*)$/.exec(s.trim());
  const text = invalid?.[1] ?? s.replace(/^error: /, '');
  return text.replace(/\s*\n\s*/g, ' ').trim();
};

const SEED = integer('--seed', -0x80000000, 0x7fffffff);

/** The size of a batch of generated traces, shared by check and mutants --hunt. */
const traceSizeOptions = (c: Command, runsHelp: string): Command =>
  c
    .option('--runs <n>', runsHelp, integer('--runs', 1, 10_000_000), CHECK_DEFAULTS.runs)
    .option('--steps <n>', 'longest trace, in generated steps', integer('--steps', 1, 20_000), CHECK_DEFAULTS.steps)
    .option('--out <dir>', 'where counterexample traces are written (never overwriting one)', '.counterexamples')
    .option('--html <dir>', 'also write the counterexample as an HTML page (steps, the state at any step, pictures) into dir')
    .option('--no-timing', 'leave wall-clock figures out, so the output is the same byte for byte')
    .option('--no-progress', 'no progress on stderr (a bar on a terminal, a line every few seconds otherwise)')
    .option('--progress-every <s>', 'seconds between progress lines when stderr is not a terminal', integer('--progress-every', 1, 3600), 5);

/** The command line; each command's exit code lands in `exit`. */
export const program = (io: Streams, exit: { code: number }): Command => {
  const p = new Command('sel4-spec');
  p.description('An executable seL4 specification and a refinement checker for a word-level seL4 kernel.')
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (s) => errorLine(io, `${commanderMessage(s)} (see sel4-spec --help)`),
    });
  traceSizeOptions(p.command('check'), 'number of traces')
    .description('check the concrete kernel against the spec over random state-aware syscall traces')
    .option('--seed <n>', 'random seed (printed first; the same seed gives the same traces)', SEED)
    .option('--mutant <name>', 'switch on a deliberately broken kernel (repeatable)', collect, [])
    .option('--no-invariants', 'skip the kernel invariants on the spec state after every event (faster)')
    .option('--invariant <name>', "check only this kernel invariant (repeatable; see 'sel4-spec invariants')", collectInvariant, [])
    .option('--fastpath <mode>', 'IPC fastpath: off, on, or both (a kernel with it on checked against one without)', fastpathMode, 'both' as FastpathMode)
    .option('--strict', 'events the spec does not model yet are failures, not passes')
    .option('--workers <n>', 'worker threads for the runs (the same result for any number; default: the cores, at most one per 16 runs)', integer('--workers', 1, 256))
    .option('--shard <i/n>', 'run only the i-th of n equal slices of the runs (1-based), for CI shards to merge', shardOf)
    .option(
      '--full-compare',
      'compare whole states and check the invariants on the whole spec state after every event, instead of what it changed (slower; the oracle of the incremental check)',
    )
    .option('--no-swarm', 'every run draws from all operation kinds (by default each run leaves out a random subset)')
    .option('--json', 'print one JSON object on stdout (the human report goes to stderr)')
    .option('--coverage', 'print the (invocation, outcome) coverage table')
    .action(async (flags: CheckFlags) => {
      exit.code = await check(flags, io);
    });
  p.command('replay')
    .description('re-run a trace file through the kernels (exit 0 when they agree, 1 when they part)')
    .argument('<file>', 'a trace file written by check')
    .option('--mutant <name>', 'switch on a mutant instead of those the file names (repeatable)', collect, [])
    .option('--json', 'print one JSON object on stdout (the steps go to stderr)')
    .option('--state <n>', 'print the spec state after step n (0: the boot state)', integer('--state', 0))
    .option('--diff', 'print what each step changed in the spec state')
    .option('--html <dir>', 'also write the replay as an HTML page (steps, the state at any step, pictures) into dir')
    .option('--as-test', 'print the trace as a vitest test written with the scenario API (it fails as the trace does)')
    .option('--import-from <module>', "where that test imports the scenario API from (default 'sel4-spec')")
    .action((file: string, flags: ReplayFlags) => {
      exit.code = replay(file, flags, io);
    });
  p.command('export')
    .description('write a trace file with its spec states to stdout in another format')
    .argument('<file>', 'a trace file written by check')
    .option('--itf', 'the Informal Trace Format (Apalache ADR-015), what Quint and its trace viewer read')
    .action((file: string, flags: ExportFlags) => {
      exit.code = exportTrace(file, flags, io);
    });
  p.command('merge')
    .description('merge the --json summaries of check --shard i/n runs into the summary of the whole check')
    .argument('<files...>', 'the shard summaries, one per shard, in any order')
    .option('--json', 'print one JSON object on stdout (the human report goes to stderr)')
    .option('--coverage', 'print the (invocation, outcome) coverage table')
    .option('--no-timing', 'leave wall-clock figures out, so the output is the same byte for byte')
    .action((files: string[], flags: MergeFlags) => {
      exit.code = merge(files, flags, io);
    });
  p.command('bench')
    .description('benchmark the IPC fastpath against the slow path (ping-pong of Call and ReplyRecv): speed and memory words touched')
    .option('--rounds <n>', 'Call/ReplyRecv rounds', integer('--rounds', 1, 1_000_000), 20_000)
    .option('--check-runs <n>', 'runs of the check benchmarks (default and --full-compare)', integer('--check-runs', 1, 100_000), 30)
    .option('--scaling-rounds <n>', 'workload rounds per system size in the scaling benchmark', integer('--scaling-rounds', 1, 1_000_000), 250)
    .option('--worker-runs <n>', 'runs of the check in 1 and in 2 worker threads (enough for the JIT warm-up to amortise)', integer('--worker-runs', 1, 100_000), 200)
    .option('--json', 'print one JSON object of all the figures on stdout (the table goes to stderr)')
    // The child the benchmark starts with the seams compiled out: the kernel alone, as JSON.
    .addOption(new Option('--kernel-alone').hideHelp())
    .action(async (flags: BenchFlags) => {
      exit.code = await bench(flags, io);
    });
  p.command('invariants')
    .description('list the kernel invariants checked on the spec state after every event, one per line (check --invariant NAME picks some)')
    .option('--json', 'print one JSON object on stdout: {invariants: [names]}')
    .action((flags: { json?: boolean }) => {
      if (flags.json === true) io.out(JSON.stringify({ invariants: INVARIANT_NAMES }) + '\n');
      else for (const n of INVARIANT_NAMES) io.out(`${n}\n`);
    });
  traceSizeOptions(p.command('mutants'), 'runs per hunt (with --hunt)')
    .description('list the deliberately broken kernels, one per line (with --hunt, run the default check on each)')
    .option('--hunt', 'run the check against each mutant: caught or not, runs and seconds to catch, shrunk length')
    .option('--only <name>', 'hunt just this mutant (repeatable)', collect, [])
    .option('--seed <n>', 'random seed of the hunts', SEED, 1)
    .option('--json', 'print one JSON object on stdout: the list, or with --hunt {caught, total, mutants: [...]}')
    .action(async (flags: HuntFlags) => {
      if (flags.hunt !== true) {
        if (flags.json === true) io.out(JSON.stringify({ mutants: MUTANTS.map((m) => ({ name: m.name, description: m.description, checker: m.checker })) }) + '\n');
        else for (const m of MUTANTS) io.out(`${m.name}\t${m.description}\n`);
        return;
      }
      exit.code = await huntAll(flags, io);
    });
  return p;
};

const COMMANDS: readonly string[] = ['check', 'replay', 'export', 'merge', 'mutants', 'invariants', 'bench'];

/** An error of the tool itself: one line (the stack with SEL4_SPEC_DEBUG=1), exit 3. */
const internalError = (io: Streams, e: unknown): number => {
  const t = describeThrown(e);
  errorLine(io, `internal error: ${t.message}${t.stack[0] === undefined ? '' : ` (${t.stack[0]})`}; this is a bug in sel4-spec (SEL4_SPEC_DEBUG=1 shows the stack)`);
  if (process.env['SEL4_SPEC_DEBUG'] === '1') io.err(`${e instanceof Error ? e.stack : String(e)}\n`);
  return EXIT.internal;
};

/** Run one command line to its exit code, writing to `io`. */
export const run = async (argv: readonly string[], io: Streams): Promise<number> => {
  const exit = { code: EXIT.ok as number };
  try {
    // Commander answers these with its whole help text on stderr: one line instead.
    if (argv.length === 0) throw new UsageError(`no command given: one of ${COMMANDS.join(', ')} (see sel4-spec --help)`);
    if (argv[0] === 'help' && argv[1] !== undefined && !COMMANDS.includes(argv[1])) throw new UsageError(`unknown command ${quote(argv[1])} (see sel4-spec --help)`);
    // Without seams no kernel can be patched: no mutant, no fastpath counting. Only the benchmark's child runs so.
    if (!seamsDispatch() && !argv.includes('--kernel-alone'))
      throw new UsageError('SEL4_SPEC_SEAMS=off compiles the kernel seams out, for the benchmark only: unset it to check, replay or hunt');
    await program(io, exit).parseAsync([...argv], { from: 'user' });
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof UsageError) {
      errorLine(io, e.message);
      return EXIT.usage;
    }
    return internalError(io, e);
  }
};

export const main = async (argv: readonly string[]): Promise<void> => {
  let finished = false;
  watchStandardStreams(() => finished);
  const fatal = (e: unknown) => process.exit(internalError(processStreams, e));
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.exitCode = await run(argv, processStreams);
  finished = true;
};
