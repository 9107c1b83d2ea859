/**
 * The worker side of a check in worker threads: explore the block of runs it
 * is sent and post back what the block found (its counts and the failing
 * trace; the main thread replays the trace to shrink it).
 */
import { parentPort } from 'node:worker_threads';
import { specCheckOf } from '../../invariants/wellFormed';
import { describeThrown } from '../crash';
import { explore } from '../check';
import type { WorkerMessage, WorkerRequest } from './pool';

export const serveExplore = (): void => {
  const port = parentPort;
  if (port === null) throw new Error('exploreWorker runs only as a worker thread');
  const post = (m: WorkerMessage) => port.postMessage(m);
  let stop = new AbortController();
  port.on('message', (req: WorkerRequest) => {
    if (req.kind === 'stop') return stop.abort();
    stop = new AbortController();
    const signal = stop.signal;
    const opts = { ...req.options, signal, ...(req.invariants === null ? {} : { checkSpec: specCheckOf(req.invariants) }) };
    explore(opts, req.slice, (runs, events) => post({ kind: 'progress', block: req.block, runs, events })).then(
      (result) => post({ kind: 'done', block: req.block, result: { ...result, ...(signal.aborted ? { partial: true } : {}) } }),
      (e: unknown) => post({ kind: 'error', block: req.block, message: describeThrown(e).message }),
    );
  });
};
