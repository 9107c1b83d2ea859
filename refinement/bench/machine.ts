/**
 * What a second core is worth on this machine, as a yardstick for the check's
 * own 2-worker speed-up: the same fixed loop in one worker thread and in two
 * at once, once on a few registers (compute-bound) and once over an 8 MiB
 * table read and written at random (memory-bound, as the check is: two
 * simulated kernels' RAM and persistent maps). A machine whose cores share
 * their caches and memory bandwidth gives the second much less than 2x.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/** The loops, as the source a worker runs (`kind` picks one; both do a fixed amount of work). */
const LOOPS = `
const { workerData, parentPort } = require('node:worker_threads');
let x = 1;
if (workerData === 'memory') {
  const table = new Uint32Array(2 ** 21);
  for (let i = 0; i < 4e6; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; table[x & (table.length - 1)] += i; }
  x = table[7];
} else for (let i = 0; i < 5e7; i++) x = (Math.imul(x, 31) + i) | 0;
parentPort.postMessage(x);
`;

const runLoops = (kind: 'compute' | 'memory', threads: number): Promise<number> => {
  const t0 = performance.now();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(LOOPS, { eval: true, workerData: kind });
      w.once('message', () => resolve());
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the machine benchmark's worker exited with ${code}`))));
    });
  return Promise.all(Array.from({ length: threads }, one)).then(() => performance.now() - t0);
};

export interface MachineSpeedup {
  /** Work done per second by two threads over one, on registers only. */
  readonly computeBound: number;
  /** The same over a table larger than the caches. */
  readonly memoryBound: number;
}

/** Two threads' throughput over one thread's, each loop timed at its best of `tries`. */
export const secondCoreSpeedup = async (tries = 3): Promise<MachineSpeedup> => {
  const best = async (kind: 'compute' | 'memory', threads: number) => {
    let ms = Infinity;
    for (let i = 0; i < tries; i++) ms = Math.min(ms, await runLoops(kind, threads));
    return ms;
  };
  const speedup = async (kind: 'compute' | 'memory') => (2 * (await best(kind, 1))) / (await best(kind, 2));
  return { computeBound: await speedup('compute'), memoryBound: await speedup('memory') };
};
