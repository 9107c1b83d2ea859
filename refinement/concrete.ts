/**
 * What two concrete kernels must agree on beyond their abstractions: the
 * fastpath's contract is that it changes nothing but speed, so a kernel with
 * it on and one with it off must also agree on what the abstraction forgets:
 * the order of the MDB list and its flag bits, the raw cap words, the
 * intrusive queue links of every queued thread, and the scheduler's globals
 * and bitmaps. Stale fields nobody reads (a Running thread's old blocking
 * badge, a dequeued thread's old links) may differ, as they may between C's
 * fast and slow paths.
 *
 * seL4: the fastpath's equivalence is proved at the Haskell level
 * (l4v proof/crefine/ARM/Fastpath_Equiv.thy), where the MDB order, the queue
 * order and the scheduler state are part of the state.
 */
import { PAGE_BITS, RAM_BASE, TCB_OFFSET, hex } from '../spec/api';
import { TCB_SLOT_COUNT } from '../spec/model/structures';
import { CTE_BYTES, type Field, Mdb, TS, Tcb, ThreadStateW, getField } from '../impl/model/layout';
import type { GhostObject, Kernel } from '../impl/model/state';
import type { KernelArray } from '../impl/model/memory';
import { unionSorted } from './abstract/scheduler';
import type { Difference } from './diff';

/** The fields of each word of a slot, to name what differs. */
const CTE_WORD_FIELDS: ReadonlyArray<ReadonlyArray<readonly [string, Field | undefined]>> = [
  [['cap.w0', undefined]],
  [['cap.w1', undefined]],
  [
    ['mdb.next', Mdb.next],
    ['mdb.revocable', Mdb.revocable],
    ['mdb.firstBadged', Mdb.firstBadged],
  ],
  [['mdb.prev', Mdb.prev]],
];
/** Thread states in which a thread sits in an endpoint or notification queue. */
const IN_IPC_QUEUE: ReadonlySet<number> = new Set([TS.BlockedOnReceive, TS.BlockedOnSend, TS.BlockedOnNotification]);

const wordIndex = (paddr: number): number => (paddr - RAM_BASE) / 4;

/**
 * Where the kernel with the fastpath off (`slow`) and the one with it on
 * (`fast`) differ in their hidden structure; empty when they agree. Reads the
 * memory arrays directly: this is the checker looking, not the kernel working.
 * `objects` limits the object-by-object part to those (the ones the step wrote,
 * when the kernels agreed before it); the globals are always compared.
 */
export const concreteDifferences = (
  slow: Kernel,
  fast: Kernel,
  objects: Iterable<readonly [number, GhostObject]> = slow.ghostObjects,
  only?: { readonly cnodeCells: ReadonlyMap<number, ReadonlySet<number>>; readonly tables: boolean },
): Difference[] => {
  const out: Difference[] = [];
  const a = slow.mem.words;
  const b = fast.mem.words;
  // Paths are built only for what differs: this runs after every event once the fastpath has been taken.
  const word = (obj: string, name: string, i: number) => {
    if (a[i] !== b[i]) out.push({ path: `${obj}.${name}`, spec: a[i], impl: b[i] });
  };
  const perPage = 2 ** (PAGE_BITS - 2);
  const compareWord = (obj: number, first: number, w: number) => {
    if (a[first + w] === b[first + w]) return;
    const slot = obj + Math.floor(w / 4) * CTE_BYTES;
    const x = a[first + w] ?? 0;
    const y = b[first + w] ?? 0;
    for (const [name, f] of CTE_WORD_FIELDS[w % 4] ?? []) {
      const [fx, fy] = f === undefined ? [x, y] : [getField(x, f), getField(y, f)];
      if (fx !== fy) out.push({ path: `slot[${hex(slot)}].${name}`, spec: fx, impl: fy });
    }
  };
  const slots = (obj: number, count: number) => {
    const first = wordIndex(obj);
    const cells = only?.cnodeCells.get(obj);
    if (cells !== undefined) {
      // Only these slots were written (a cell is one slot): the rest agree as before.
      for (const c of [...cells].sort((x, y) => x - y)) for (let w = (c - obj) / 4; w < (c - obj) / 4 + CTE_BYTES / 4; w++) compareWord(obj, first, w);
      return;
    }
    const total = (count * CTE_BYTES) / 4;
    for (let w = 0; w < total; w++) {
      // A page that is all zero in both kernels holds no difference.
      if ((first + w) % perPage === 0 || w === 0) {
        const page = obj + 4 * w;
        if (!slow.mem.pageMayBeDirty(page) && !fast.mem.pageMayBeDirty(page)) {
          w += perPage - ((first + w) % perPage) - 1;
          continue;
        }
      }
      compareWord(obj, first, w);
    }
  };
  for (const [p, o] of objects) {
    if (o.type === 'CNode') slots(p, 2 ** o.sizeBits / CTE_BYTES);
    if (o.type === 'TCB') {
      slots(p, TCB_SLOT_COUNT);
      // A thread's queue links mean something only while it is queued (C leaves stale ones behind).
      const fields = wordIndex(p + TCB_OFFSET);
      const queued = (k: Kernel) => getField(k.mem.words[fields + Tcb.state2] ?? 0, ThreadStateW.tcbQueued);
      const inIPCQueue = (k: Kernel) => IN_IPC_QUEUE.has(getField(k.mem.words[fields + Tcb.state0] ?? 0, ThreadStateW.tsType));
      const tcb = `tcb[${hex(p)}]`;
      if (queued(slow) !== queued(fast)) out.push({ path: `${tcb}.tcbQueued`, spec: queued(slow), impl: queued(fast) });
      else if (queued(slow) === 1) {
        word(tcb, 'schedNext', fields + Tcb.schedNext);
        word(tcb, 'schedPrev', fields + Tcb.schedPrev);
      }
      if (inIPCQueue(slow) && inIPCQueue(fast)) {
        word(tcb, 'epNext', fields + Tcb.epNext);
        word(tcb, 'epPrev', fields + Tcb.epPrev);
      }
    }
  }
  const scalar = (path: string, x: unknown, y: unknown) => {
    if (x !== y) out.push({ path, spec: x, impl: y });
  };
  scalar('ksCurThread', slow.ksCurThread, fast.ksCurThread);
  scalar('ksSchedulerAction', slow.ksSchedulerAction, fast.ksSchedulerAction);
  scalar('ksCurDomain', slow.ksCurDomain, fast.ksCurDomain);
  scalar('ksDomainTime', slow.ksDomainTime, fast.ksDomainTime);
  scalar('ksDomScheduleIdx', slow.ksDomScheduleIdx, fast.ksDomScheduleIdx);
  const arrays: ReadonlyArray<readonly [string, KernelArray, KernelArray]> = [
    ['ksReadyQueueHead', slow.ksReadyQueueHead, fast.ksReadyQueueHead],
    ['ksReadyQueueTail', slow.ksReadyQueueTail, fast.ksReadyQueueTail],
    ['ksReadyQueuesL1Bitmap', slow.ksReadyQueuesL1Bitmap, fast.ksReadyQueuesL1Bitmap],
    ['ksReadyQueuesL2Bitmap', slow.ksReadyQueuesL2Bitmap, fast.ksReadyQueuesL2Bitmap],
  ];
  // Unless either kernel wrote them since they last agreed.
  if (only?.tables === false) return out;
  // A word that is zero in both kernels agrees: only the indices either holds non-zero are compared.
  for (const [name, x, y] of arrays)
    for (const i of unionSorted(x.nonZeroIndices(), y.nonZeroIndices())) if (x.raw[i] !== y.raw[i]) out.push({ path: `${name}[${i}]`, spec: x.raw[i], impl: y.raw[i] });
  return out;
};
