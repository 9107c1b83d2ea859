/**
 * What two concrete kernels must agree on beyond their abstractions: the
 * fastpath's contract is that it changes nothing but speed, so a kernel with
 * it on and one with it off must also agree on what the abstraction forgets:
 * the order of the MDB list and its flag bits, the raw cap words, the
 * intrusive queue links of every thread, and the scheduler's globals and
 * bitmaps. Stale fields of words nobody reads (a Running thread's old
 * blocking badge) may differ, as they may between C's fast and slow paths.
 *
 * seL4: the fastpath's equivalence is proved at the Haskell level
 * (l4v proof/crefine/ARM/Fastpath_Equiv.thy), where the MDB order, the queue
 * order and the scheduler state are part of the state.
 */
import { TCB_SLOT_COUNT } from '../spec/model/structures';
import { CTE_CAP_W0, CTE_CAP_W1, CTE_MDB_W0, CTE_MDB_W1, Tcb, ThreadStateW, getField } from '../impl/model/layout';
import { slotPtr, tcbGet } from '../impl/model/heap';
import type { Kernel } from '../impl/model/state';

export interface ConcreteView {
  /** Every non-empty slot: cap words, then MDB words (prev, next, revocable, first-badged). */
  readonly slots: Readonly<Record<string, readonly number[]>>;
  /** Every thread's queue links: ready-queue next/prev, endpoint-queue next/prev, the queued bit. */
  readonly threadLinks: Readonly<Record<string, readonly number[]>>;
  readonly scheduler: {
    readonly curThread: number;
    readonly action: number;
    readonly curDomain: number;
    readonly domainTime: string;
    readonly domainScheduleIndex: number;
    /** Non-empty ready queues: `domain/priority` → [head, tail]. */
    readonly readyQueues: Readonly<Record<string, readonly number[]>>;
    readonly l1Bitmap: readonly number[];
    readonly l2Bitmap: readonly number[];
  };
}

const hex = (p: number): string => '0x' + p.toString(16);

const slotWords = (k: Kernel, slot: number): number[] => [
  k.mem.peek(slot + 4 * CTE_CAP_W0),
  k.mem.peek(slot + 4 * CTE_CAP_W1),
  k.mem.peek(slot + 4 * CTE_MDB_W0),
  k.mem.peek(slot + 4 * CTE_MDB_W1),
];

/** Read a kernel's hidden structure (without counting the reads as kernel work). */
export const concreteView = (k: Kernel): ConcreteView => {
  const slots: Record<string, number[]> = {};
  const threadLinks: Record<string, number[]> = {};
  const addSlots = (obj: number, count: number) => {
    for (let i = 0; i < count; i++) {
      const p = slotPtr(obj, i);
      const w = slotWords(k, p);
      if (w.some((x) => x !== 0)) slots[hex(p)] = w;
    }
  };
  const before = k.mem.reads;
  for (const [p, o] of k.ghostObjects) {
    if (o.type === 'CNode') addSlots(p, 2 ** o.sizeBits / 16);
    if (o.type === 'TCB') {
      addSlots(p, TCB_SLOT_COUNT);
      threadLinks[hex(p)] = [
        tcbGet(k, p, Tcb.schedNext),
        tcbGet(k, p, Tcb.schedPrev),
        tcbGet(k, p, Tcb.epNext),
        tcbGet(k, p, Tcb.epPrev),
        getField(tcbGet(k, p, Tcb.state2), ThreadStateW.tcbQueued),
      ];
    }
  }
  k.mem.reads = before;
  const readyQueues: Record<string, number[]> = {};
  k.ksReadyQueueHead.forEach((head, i) => {
    if (head !== 0 || k.ksReadyQueueTail[i] !== 0) readyQueues[`${Math.floor(i / 256)}/${i % 256}`] = [head, k.ksReadyQueueTail[i] ?? 0];
  });
  return {
    slots,
    threadLinks,
    scheduler: {
      curThread: k.ksCurThread,
      action: k.ksSchedulerAction,
      curDomain: k.ksCurDomain,
      domainTime: k.ksDomainTime.toString(),
      domainScheduleIndex: k.ksDomScheduleIdx,
      readyQueues,
      l1Bitmap: [...k.ksReadyQueuesL1Bitmap],
      l2Bitmap: [...k.ksReadyQueuesL2Bitmap],
    },
  };
};
