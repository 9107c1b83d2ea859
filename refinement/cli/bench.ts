/** `sel4-spec bench`: the ping-pong benchmark, fastpath against slow path, as ratios measured in one run. */
import { type KernelFigures, runPingPong } from '../bench/pingpong';
import { EXIT, type Streams, output } from './io';

export const bench = (flags: { rounds: number; json?: boolean }, io: Streams): number => {
  const o = output(io, flags.json === true);
  const r = runPingPong(flags.rounds);
  const row = (name: string, f: KernelFigures) =>
    o.line(`  ${name.padEnd(22)} ${Math.round(f.eventsPerSecond).toString().padStart(10)} ${f.wordsPerIPC.toFixed(1).padStart(10)} ${f.readsPerIPC.toFixed(1).padStart(7)} ${f.writesPerIPC.toFixed(1).padStart(7)} ${String(f.fastpathHits).padStart(8)}`);
  o.line(`sel4-spec bench: ping-pong, a client's Call and a server's ReplyRecv, ${r.rounds} rounds (${2 * r.rounds} IPCs)`);
  o.line(`  ${''.padEnd(22)} ${'IPCs/s'.padStart(10)} ${'words/IPC'.padStart(10)} ${'reads'.padStart(7)} ${'writes'.padStart(7)} ${'fastpath'.padStart(8)}`);
  row('concrete, slow path', r.slow);
  row('concrete, fastpath', r.fast);
  o.line(`  fastpath / slow path: ${r.ratios.speed.toFixed(2)}x the speed, ${r.ratios.words.toFixed(2)}x the memory words touched by the kernel`);
  o.line(`  abstract spec alone: ${Math.round(r.spec.eventsPerSecond)} events/s (${(r.slow.eventsPerSecond / r.spec.eventsPerSecond).toFixed(1)}x slower than the slow path)`);
  o.line(`  lock-step check (spec, slow and fast kernels, abstraction after every event): ${Math.round(r.check.eventsPerSecond)} events/s over ${r.check.events} events`);
  const m = r.memory;
  const spec = m.specStateBytes === null ? 'not measured (no forced GC)' : `${(m.specStateBytes / 1024).toFixed(0)} KiB of heap for ${m.specObjects} objects`;
  o.line(`  memory: a spec state ${spec}; a concrete kernel ${(m.concreteBytes / 2 ** 20).toFixed(0)} MiB of simulated RAM, ${m.concretePagesInUse} pages in use`);
  if (flags.json === true) o.json(r);
  return EXIT.ok;
};
