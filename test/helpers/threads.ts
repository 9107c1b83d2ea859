/**
 * Thread helpers for scenario tests: spawn a thread the way a root task does
 * (retype a TCB, Configure, SetSchedParams, Resume, with the scenario API's
 * libsel4 builders) and name it by its root slot. The IPC a thread makes is
 * written with the API's builders (send, call, recv, ...). Events always act
 * for the current thread, so tests arrange who runs with priorities and Yield.
 */
import { type Event, InitSlot, ROOT_IPC_BUFFER_PTR, ROOT_IPC_BUFFER_VADDR } from '../../spec/api';
import { TCB, Untyped } from '../../refinement/scenario';
import { CNODE, ObjType, untypedSlot } from './boot';

export { tcbAt, tcbOf } from '../../refinement/scenario';

/** Threads and their objects come from a 21-bit untyped (room for many). */
export const BIG_UT = untypedSlot(21);

/** Retype `count` objects of `type` into root slots `slot`.. (a Call by the current thread). */
export const retypeInto = (type: number, slot: number, count = 1, size = 0): Event => Untyped.retype(BIG_UT, type, size, CNODE, 0, 0, slot, count);

/** Thread `k`'s IPC buffer: a 512-byte window of the root task's IPC buffer frame. */
export const bufferVaddr = (k: number): number => ROOT_IPC_BUFFER_VADDR + 512 * k;
export const bufferPaddr = (k: number): number => ROOT_IPC_BUFFER_PTR + 512 * k;

export interface SpawnOptions {
  /** Priority and maximum controlled priority (default 255, 255). */
  readonly prio?: number;
  readonly mcp?: number;
  /** The fault handler cptr (in the thread's CSpace), 0 for none. */
  readonly faultEP?: number;
  /** Which 512-byte window of the root IPC buffer frame to use (1..7); 0 for no IPC buffer. */
  readonly buffer?: number;
  /** Leave the thread Inactive. */
  readonly suspended?: boolean;
}

/**
 * The events that create a thread in root slot `slot` sharing the root task's
 * CSpace and VSpace. Resume queues it at the head of its priority's ready
 * queue (as seL4 does), so equal-priority threads run last-spawned first.
 */
export const spawnThread = (slot: number, o: SpawnOptions = {}): Event[] => {
  const prio = o.prio ?? 255;
  const buffer = o.buffer ?? 1;
  const events: Event[] = [
    retypeInto(ObjType.TCB, slot),
    TCB.configure(slot, o.faultEP ?? 0, CNODE, 0, InitSlot.ThreadVSpace, 0, buffer === 0 ? 0 : bufferVaddr(buffer), InitSlot.ThreadIPCBuffer),
    TCB.setSchedParams(slot, InitSlot.ThreadTCB, o.mcp ?? prio, prio),
  ];
  if (o.suspended !== true) events.push(TCB.resume(slot));
  return events;
};

/**
 * Spawn threads that run in the order listed when they share a priority. A
 * resumed thread goes to the head of its ready queue (seL4's tcbSchedEnqueue),
 * so equal-priority threads spawned one after another run last-spawned first;
 * this spawns them in reverse to undo that.
 */
export const spawnInOrder = (threads: ReadonlyArray<readonly [number, SpawnOptions?]>): Event[] => [...threads].reverse().flatMap(([slot, o]) => spawnThread(slot, o ?? {}));
