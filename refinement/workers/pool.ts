/**
 * `check --workers N`: the exploration phase in N worker threads. The slice of
 * runs is cut into blocks, handed out in order, and merged in run order up to
 * the block holding the first failure; blocks after it are dropped. Each run
 * is the same trace in any block (fast-check's path into the seed's sequence),
 * so the merged result is the one a single thread finds, for any N.
 */
import { Worker } from 'node:worker_threads';
import type { CheckOptions, Exploration, RunSlice } from '../check';
import { Tally } from '../../properties/tally';

/** What a worker is asked: a block to explore (plain data only: functions do not cross threads), or to stop it at its next run. */
export type WorkerRequest = BlockRequest | { readonly kind: 'stop' };

export interface BlockRequest {
  readonly kind: 'explore';
  readonly block: number;
  readonly slice: RunSlice;
  readonly options: Omit<CheckOptions, 'checkSpec' | 'onRun' | 'onShrink' | 'signal' | 'workers' | 'slice'>;
  /** The kernel invariants to check, by name (null: none). */
  readonly invariants: readonly string[] | null;
}

/** A block's result as it crosses back (the failing trace, without a Failure: the main thread replays it); `partial` when stopped. */
export type BlockResult = Exploration & { readonly partial?: boolean };

export type WorkerMessage =
  | { readonly kind: 'progress'; readonly block: number; readonly runs: number; readonly events: number }
  | { readonly kind: 'done'; readonly block: number; readonly result: BlockResult }
  | { readonly kind: 'error'; readonly block: number; readonly message: string };

const ENTRY = new URL('./exploreWorker.mjs', import.meta.url);

/** Blocks of about a quarter of each worker's share: small enough to balance, few enough to cost nothing. */
export const blocksOf = (slice: RunSlice, workers: number): RunSlice[] => {
  const size = Math.max(1, Math.ceil(slice.count / (workers * 4)));
  const out: RunSlice[] = [];
  for (let s = 0; s < slice.count; s += size) out.push({ start: slice.start + s, count: Math.min(size, slice.count - s) });
  return out;
};

export const exploreInWorkers = (opts: CheckOptions, slice: RunSlice, workers: number, onRun: (done: number, events: number) => void): Promise<BlockResult> => {
  const invariants = opts.checkSpec === undefined ? null : (opts.checkSpec.invariants ?? null);
  if (opts.checkSpec !== undefined && invariants === null)
    throw new Error('a check in worker threads can run the kernel invariants (all of them or a selection by name) or none, not other spec checks');
  const { checkSpec: _c, onRun: _r, onShrink: _s, signal, workers: _w, slice: _l, ...options } = opts;
  const blocks = blocksOf(slice, workers);
  const results: Array<BlockResult | undefined> = blocks.map(() => undefined);
  const progress = blocks.map(() => ({ runs: 0, events: 0 }));
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0;
    /** The first block known to hold a failure: no block after it matters. */
    let firstFailure = Infinity;
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const merged = (): BlockResult => {
      const tally = new Tally();
      let runs = 0;
      let events = 0;
      for (const r of results) {
        // Only a contiguous prefix of finished blocks counts (an interrupted check keeps what it has).
        if (r === undefined) break;
        tally.absorb(r.tally);
        runs += r.runs;
        events += r.events;
        if (r.found !== undefined) return { runs, events, tally: tally.snapshot(), found: r.found };
        if (r.partial === true) break;
      }
      return { runs, events, tally: tally.snapshot() };
    };
    let stopping = false;
    const inFlight = new Set<number>();
    const done = () => (stopping ? inFlight.size === 0 : results.every((r, i) => r !== undefined || i > firstFailure));
    // Interrupted: every worker stops at its next run and sends what its block did so far.
    const onAbort = () => {
      stopping = true;
      if (done()) return finish(() => resolve(merged()));
      for (const w of pool) w.postMessage({ kind: 'stop' } satisfies WorkerRequest);
    };
    signal?.addEventListener('abort', onAbort);
    const give = (w: Worker) => {
      if (next >= blocks.length || next > firstFailure || stopping) return;
      const block = next++;
      inFlight.add(block);
      const request: BlockRequest = { kind: 'explore', block, slice: blocks[block] as RunSlice, options, invariants };
      w.postMessage(request);
    };
    for (let i = 0; i < Math.min(workers, blocks.length); i++) {
      const w = new Worker(ENTRY);
      pool.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'progress') {
          progress[m.block] = { runs: m.runs, events: m.events };
          onRun(
            progress.reduce((n, p) => n + p.runs, 0),
            progress.reduce((n, p) => n + p.events, 0),
          );
          return;
        }
        if (m.kind === 'error') return finish(() => reject(new Error(m.message)));
        results[m.block] = m.result;
        inFlight.delete(m.block);
        if (m.result.found !== undefined) firstFailure = Math.min(firstFailure, m.block);
        if (done()) return finish(() => resolve(merged()));
        give(w);
      });
      w.on('error', (e) => finish(() => reject(e)));
      // A worker that ends without a word (killed, out of memory) must not leave the check waiting, nor pass.
      w.on('exit', (code) => finish(() => reject(new Error(`a worker thread exited (code ${code}) before its block was done`))));
      give(w);
    }
    if (blocks.length === 0) finish(() => resolve(merged()));
  });
};
