/**
 * Abstraction of the scheduler: ready queues walked from their heads through
 * tcbSchedNext, checked against the tail pointers, the back links, each
 * thread's tcbQueued bit and the two-level priority bitmaps.
 */
import { NUM_DOMAINS, NUM_PRIORITIES } from '../../spec/api';
import type { PPtr } from '../../spec/model/structures';
import type { SchedulerAction } from '../../spec/model/state';
import { Tcb, ThreadStateW, getField } from '../../impl/model/layout';
import { type Kernel, SCHED_CHOOSE_NEW_THREAD, SCHED_RESUME_CURRENT_THREAD } from '../../impl/model/state';
import { walkQueue } from './objects';
import { type Violation, hex, tcbWord } from './read';

export const abstractSchedulerAction = (k: Kernel): SchedulerAction => {
  const a = k.ksSchedulerAction;
  if (a === SCHED_RESUME_CURRENT_THREAD) return { _tag: 'ResumeCurrentThread' };
  if (a === SCHED_CHOOSE_NEW_THREAD) return { _tag: 'ChooseNewThread' };
  return { _tag: 'SwitchToThread', tcb: a };
};

/** How many words the kernel has written to its ready-queue tables so far: unchanged exactly when it wrote none since. */
export const readyQueueTableWrites = (k: Kernel): number => k.ksReadyQueueHead.writes + k.ksReadyQueueTail.writes + k.ksReadyQueuesL1Bitmap.writes + k.ksReadyQueuesL2Bitmap.writes;

export interface ReadyQueues {
  /** The non-empty queues by index, in index order. */
  readonly queues: ReadonlyArray<readonly [number, readonly PPtr[]]>;
  /** Every thread in some ready queue. */
  readonly queued: ReadonlySet<PPtr>;
}

/** The numbers in either sorted list, sorted, once each. */
export const unionSorted = (a: readonly number[], b: readonly number[]): number[] => {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i] ?? Infinity;
    const y = b[j] ?? Infinity;
    const next = Math.min(x, y);
    out.push(next);
    if (x === next) i++;
    if (y === next) j++;
  }
  return out;
};

/** Walk every ready queue and check the bitmaps against them. */
export const abstractReadyQueues = (k: Kernel, v: Violation[]): ReadyQueues => {
  const queues: Array<readonly [number, readonly PPtr[]]> = [];
  const queued = new Set<PPtr>();
  const heads = k.ksReadyQueueHead.raw;
  const tails = k.ksReadyQueueTail.raw;
  // The bitmap words the queues call for, to compare with the kernel's.
  const l1 = new Uint32Array(NUM_DOMAINS);
  const l2 = new Uint32Array(NUM_DOMAINS * 8);
  // A queue with neither a head nor a tail is empty: only the others are looked at.
  for (const idx of unionSorted(k.ksReadyQueueHead.nonZeroIndices(), k.ksReadyQueueTail.nonZeroIndices())) {
    const head = heads[idx] ?? 0;
    const tail = tails[idx] ?? 0;
    const dom = Math.floor(idx / NUM_PRIORITIES);
    const prio = idx % NUM_PRIORITIES;
    const path = (): string => `readyQueues[${dom}:${prio}]`;
    if (head === 0) {
      v.push({ path: path(), message: 'empty queue with a tail' });
      continue;
    }
    l1[dom] = ((l1[dom] ?? 0) | (1 << (prio >>> 5))) >>> 0;
    l2[dom * 8 + (7 - (prio >>> 5))] = ((l2[dom * 8 + (7 - (prio >>> 5))] ?? 0) | (1 << (prio & 31))) >>> 0;
    const q = walkQueue(k, head, tail, Tcb.schedNext, Tcb.schedPrev, path, v);
    for (const t of q) {
      queued.add(t);
      if (tcbWord(k, t, Tcb.domain) !== dom || tcbWord(k, t, Tcb.priority) !== prio)
        v.push({ path: path(), message: `${hex(t)} sits in the wrong queue for its domain and priority` });
    }
    queues.push([idx, q]);
  }
  for (let dom = 0; dom < NUM_DOMAINS; dom++) {
    if ((k.ksReadyQueuesL1Bitmap.raw[dom] ?? 0) !== l1[dom])
      v.push({
        path: `readyQueues.l1Bitmap[${dom}]`,
        message: `is ${hex(k.ksReadyQueuesL1Bitmap.raw[dom] ?? 0)}, the queues call for ${hex(l1[dom] ?? 0)}`,
      });
    for (let i = 0; i < 8; i++) {
      const w = dom * 8 + i;
      if ((k.ksReadyQueuesL2Bitmap.raw[w] ?? 0) !== l2[w])
        v.push({
          path: `readyQueues.l2Bitmap[${dom}][${i}]`,
          message: `is ${hex(k.ksReadyQueuesL2Bitmap.raw[w] ?? 0)}, the queues call for ${hex(l2[w] ?? 0)}`,
        });
    }
  }
  return { queues, queued };
};

/** Each of these threads' tcbQueued bit is set exactly when it is in a ready queue. */
export const checkQueuedBits = (k: Kernel, threads: Iterable<PPtr>, queued: ReadonlySet<PPtr>, v: Violation[]): void => {
  for (const p of threads) {
    if (k.ghostObjects.get(p)?.type !== 'TCB') continue;
    const bit = getField(tcbWord(k, p, Tcb.state2), ThreadStateW.tcbQueued) === 1;
    if (bit !== queued.has(p))
      v.push({
        path: `objects[${hex(p)}].tcbQueued`,
        message: `is ${bit} but the thread is ${queued.has(p) ? '' : 'not '}in a ready queue`,
      });
  }
};
