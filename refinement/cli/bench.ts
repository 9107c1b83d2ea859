/** `sel4-spec bench`: the ping-pong benchmark, fastpath against slow path, as ratios measured in one run. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ChildBench, type KernelFigures, runKernelsAlone, runPingPong } from '../bench/pingpong';
import { type CheckBench, type Rate, runCheckBench } from '../bench/checkBench';
import { EXIT, type Streams, output } from './io';

const SEL4_SPEC = fileURLToPath(new URL('./sel4-spec.mjs', import.meta.url));

/** The kernel alone in a child process, as built or with the seams compiled out; a child that fails is an error, not a missing figure. */
const childBench: ChildBench = (rounds, seams) => {
  const env = seams === 'compiled out' ? { ...process.env, SEL4_SPEC_SEAMS: 'off' } : process.env;
  const child = spawnSync(process.execPath, [SEL4_SPEC, 'bench', '--kernel-alone', '--rounds', String(rounds)], { env, encoding: 'utf8' });
  const failed = (why: string) => new Error(`the benchmark's child process (seams ${seams}) ${why}`);
  if (child.status !== 0) throw failed(`exited with ${child.status ?? child.signal}: ${child.stderr.trim().split('\n')[0] ?? ''}`);
  let r: unknown;
  try {
    r = JSON.parse(child.stdout);
  } catch {
    throw failed('printed no JSON');
  }
  if (typeof r === 'object' && r !== null && 'ipcsPerSecond' in r && typeof r.ipcsPerSecond === 'number') return r.ipcsPerSecond;
  throw failed('printed no ipcsPerSecond');
};

export interface BenchFlags {
  rounds: number;
  json?: boolean;
  kernelAlone?: boolean;
  checkRuns: number;
  scalingRounds: number;
  workerRuns: number;
}

const perSecond = (r: Rate): string => `${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s`;

/** The check's own figures: the default check, the oracle, the parts alone, and the cost against system size. */
const printCheckBench = (line: (s: string) => void, c: CheckBench): void => {
  line(`sel4-spec bench: the check, seed ${c.seed}, ${c.runs} runs of up to ${c.steps} steps (three-way, invariants on)`);
  line(`  default check (incremental)  ${perSecond(c.check)} over ${c.check.events} events`);
  line(`  --full-compare               ${perSecond(c.full)}; incremental / full ${c.ratios.incrementalOverFull.toFixed(2)}x`);
  line(`  on the same events: concrete kernel alone ${perSecond(c.implAlone)}, spec alone ${perSecond(c.specAlone)}, lock step without the generator ${perSecond(c.lockStep)}`);
  line(
    `  ${c.workerRuns} runs in 1 and in 2 worker threads: ${Math.round(c.workers['1']).toLocaleString('en-US')} and ${Math.round(c.workers['2']).toLocaleString('en-US')} events/s; 2 workers / 1 ${c.ratios.workerSpeedup.toFixed(2)}x`,
  );
  line(
    `    (one thread keeps ${c.coresBusyInOneThread.toFixed(2)} cores busy: V8 compiles and collects on the other; this machine's second core gives a fixed loop ${c.machine.computeBound.toFixed(2)}x on registers, ${c.machine.memoryBound.toFixed(2)}x over 8 MiB)`,
  );
  line(`  check / kernel alone: the check is ${c.ratios.checkOverImplAlone.toFixed(1)}x slower than the kernel it checks`);
  line(`  cost per event against system size (IPC round trips with cap copies and deletes; three-way, invariants on):`);
  for (const p of c.scaling)
    line(`    ${String(p.objects).padStart(5)} live objects  ${p.microsecondsPerEvent.toFixed(0).padStart(6)} us/event  (${Math.round(p.eventsPerSecond)} events/s)`);
  line(`    largest / smallest: ${c.ratios.scalingLargestOverSmallest.toFixed(2)}x the cost per event`);
};

export const bench = async (flags: BenchFlags, io: Streams): Promise<number> => {
  if (flags.kernelAlone === true) {
    const { slow, fast } = runKernelsAlone(flags.rounds, undefined, [], false);
    output(io, true).json({ ipcsPerSecond: (slow.events + fast.events) / (slow.seconds + fast.seconds) });
    return EXIT.ok;
  }
  const o = output(io, flags.json === true);
  const r = runPingPong(flags.rounds, undefined, childBench);
  const row = (name: string, f: KernelFigures) =>
    o.line(
      `  ${name.padEnd(22)} ${Math.round(f.eventsPerSecond).toString().padStart(10)} ${f.wordsPerIPC.toFixed(1).padStart(10)} ${f.readsPerIPC.toFixed(1).padStart(7)} ${f.writesPerIPC.toFixed(1).padStart(7)} ${String(f.fastpathHits).padStart(8)}`,
    );
  o.line(`sel4-spec bench: ping-pong, a client's Call and a server's ReplyRecv, ${r.rounds} rounds (${2 * r.rounds} IPCs)`);
  o.line(`  ${''.padEnd(22)} ${'IPCs/s'.padStart(10)} ${'words/IPC'.padStart(10)} ${'reads'.padStart(7)} ${'writes'.padStart(7)} ${'fastpath'.padStart(8)}`);
  row('concrete, slow path', r.slow);
  row('concrete, fastpath', r.fast);
  o.line(`  fastpath / slow path: ${r.ratios.speed.toFixed(2)}x the speed, ${r.ratios.words.toFixed(2)}x the memory words touched by the kernel`);
  const sm = r.seams;
  const out = sm.children === null ? 'not measured' : `${sm.children.ratio.toFixed(2)}x the speed (mean of ${sm.children.pairs} pairs of child processes)`;
  o.line(
    `  seams (impl/model/seam.ts), slow and fast kernel together: as built / compiled out ${out}; every seam patched by the identity / as built ${(sm.allPatched / sm.asBuilt).toFixed(2)}x`,
  );
  o.line(`  abstract spec alone: ${Math.round(r.spec.eventsPerSecond)} events/s (${(r.slow.eventsPerSecond / r.spec.eventsPerSecond).toFixed(1)}x slower than the slow path)`);
  o.line(`  lock-step check (spec, slow and fast kernels, abstraction after every event): ${Math.round(r.check.eventsPerSecond)} events/s over ${r.check.events} events`);
  const m = r.memory;
  const spec = m.specStateBytes === null ? 'not measured (no forced GC)' : `${(m.specStateBytes / 1024).toFixed(0)} KiB of heap for ${m.specObjects} objects`;
  o.line(`  memory: a spec state ${spec}; a concrete kernel ${(m.concreteBytes / 2 ** 20).toFixed(0)} MiB of simulated RAM, ${m.concretePagesInUse} pages in use`);
  const c = await runCheckBench({ runs: flags.checkRuns, rounds: flags.scalingRounds, workerRuns: flags.workerRuns });
  printCheckBench((l) => o.line(l), c);
  if (flags.json === true) o.json({ ...r, pingPongCheck: r.check, ...c, ratios: { ...r.ratios, ...c.ratios } });
  return EXIT.ok;
};
