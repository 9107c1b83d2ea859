/**
 * The worker side of a check in worker threads: explore the block of runs it
 * is sent and post back what the block found (its counts and the failing
 * trace; the main thread replays the trace to shrink it).
 */
import { parentPort } from 'node:worker_threads';
import { wellFormed } from '../../invariants/wellFormed';
import { describeThrown } from '../crash';
import { explore } from '../check';
import type { BlockRequest, WorkerMessage } from './pool';

export const serveExplore = (): void => {
  const port = parentPort;
  if (port === null) throw new Error('exploreWorker runs only as a worker thread');
  const post = (m: WorkerMessage) => port.postMessage(m);
  port.on('message', (req: BlockRequest) => {
    const opts = { ...req.options, ...(req.invariants ? { checkSpec: wellFormed } : {}) };
    explore(opts, req.slice, (runs, events) => post({ kind: 'progress', block: req.block, runs, events })).then(
      (result) => post({ kind: 'done', block: req.block, result }),
      (e: unknown) => post({ kind: 'error', block: req.block, message: describeThrown(e).message }),
    );
  });
};
