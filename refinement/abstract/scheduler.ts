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
import { type Violation, tcbWord } from './read';

export const abstractSchedulerAction = (k: Kernel): SchedulerAction => {
  const a = k.ksSchedulerAction;
  if (a === SCHED_RESUME_CURRENT_THREAD) return { _tag: 'ResumeCurrentThread' };
  if (a === SCHED_CHOOSE_NEW_THREAD) return { _tag: 'ChooseNewThread' };
  return { _tag: 'SwitchToThread', tcb: a };
};

export const abstractReadyQueues = (k: Kernel, v: Violation[]): Map<number, readonly PPtr[]> => {
  const queues = new Map<number, readonly PPtr[]>();
  const queued = new Set<PPtr>();
  for (let dom = 0; dom < NUM_DOMAINS; dom++) {
    const l1 = k.ksReadyQueuesL1Bitmap[dom] ?? 0;
    for (let prio = 0; prio < NUM_PRIORITIES; prio++) {
      const idx = dom * NUM_PRIORITIES + prio;
      const head = k.ksReadyQueueHead[idx] ?? 0;
      const tail = k.ksReadyQueueTail[idx] ?? 0;
      const l2 = k.ksReadyQueuesL2Bitmap[dom * 8 + (7 - (prio >>> 5))] ?? 0;
      const inL2 = ((l2 >>> (prio & 31)) & 1) === 1;
      const inL1 = ((l1 >>> (prio >>> 5)) & 1) === 1;
      const path = `readyQueues[${dom}:${prio}]`;
      if (head === 0) {
        if (tail !== 0) v.push({ path, message: 'empty queue with a tail' });
        if (inL2) v.push({ path, message: 'L2 bitmap bit set for an empty queue' });
        continue;
      }
      if (!inL2) v.push({ path, message: 'L2 bitmap bit clear for a non-empty queue' });
      if (!inL1) v.push({ path, message: 'L1 bitmap bit clear for a non-empty queue' });
      const q = walkQueue(k, head, tail, Tcb.schedNext, Tcb.schedPrev, path, v);
      for (const t of q) {
        queued.add(t);
        if (tcbWord(k, t, Tcb.domain) !== dom || tcbWord(k, t, Tcb.priority) !== prio)
          v.push({ path, message: `0x${t.toString(16)} sits in the wrong queue for its domain and priority` });
      }
      queues.set(idx, q);
    }
    for (let i = 0; i < 8; i++) {
      const l2 = k.ksReadyQueuesL2Bitmap[dom * 8 + (7 - i)] ?? 0;
      if ((((l1 >>> i) & 1) === 1) !== (l2 !== 0)) v.push({ path: `readyQueues.bitmap[${dom}]`, message: `L1 bit ${i} disagrees with its L2 word` });
    }
  }
  for (const [p, g] of k.ghostObjects) {
    if (g.type !== 'TCB') continue;
    const bit = getField(tcbWord(k, p, Tcb.state2), ThreadStateW.tcbQueued) === 1;
    if (bit !== queued.has(p)) v.push({ path: `objects[0x${p.toString(16)}].tcbQueued`, message: `is ${bit} but the thread is ${queued.has(p) ? '' : 'not '}in a ready queue` });
  }
  return queues;
};
