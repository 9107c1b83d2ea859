/**
 * Thread helpers for scenario tests: spawn a thread the way a root task does
 * (retype a TCB, Configure, SetSchedParams, Resume), name it by its root slot,
 * and build the IPC syscalls a thread makes. Events always act for the current
 * thread, so tests arrange who runs with priorities and Yield.
 */
import {
  type Event,
  InitSlot,
  ROOT_CNODE_PTR,
  ROOT_IPC_BUFFER_PTR,
  ROOT_IPC_BUFFER_VADDR,
  SysCall,
  SysNBRecv,
  SysNBSend,
  SysRecv,
  SysReply,
  SysReplyRecv,
  SysSend,
  SysYield,
  messageInfo,
  syscallEvent,
} from '../../spec/api';
import { getCap, getTCB, slotOf } from '../../spec/model/heap';
import type { KernelState } from '../../spec/model/state';
import type { PPtr, TCB } from '../../spec/model/structures';
import { CNODE, ObjType, untypedSlot } from './boot';
import { invoke } from './scenario';

/** Threads and their objects come from a 21-bit untyped (room for many). */
export const BIG_UT = untypedSlot(21);

/** Retype `count` objects of `type` into root slots `slot`.. (a Call by the current thread). */
export const retypeInto = (type: number, slot: number, count = 1, size = 0): Event => invoke(BIG_UT, 'UntypedRetype', [type, size, 0, 0, slot, count], [CNODE]);

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
    invoke(slot, 'TCBConfigure', [o.faultEP ?? 0, 0, 0, buffer === 0 ? 0 : bufferVaddr(buffer)], [CNODE, InitSlot.ThreadVSpace, InitSlot.ThreadIPCBuffer]),
    invoke(slot, 'TCBSetSchedParams', [o.mcp ?? prio, prio], [InitSlot.ThreadTCB]), // arguments: MCP, then priority
  ];
  if (o.suspended !== true) events.push(invoke(slot, 'TCBResume'));
  return events;
};

/** The TCB a root slot's thread cap names. */
export const tcbAt = (s: KernelState, slot: number): PPtr => {
  const cap = getCap(s, slotOf(ROOT_CNODE_PTR, slot));
  if (cap._tag !== 'ThreadCap') throw new Error(`root slot ${slot} holds ${cap._tag}, not a thread cap`);
  return cap.tcb;
};
export const tcbOf = (s: KernelState, slot: number): TCB => getTCB(s, tcbAt(s, slot));

/** An IPC syscall with a message (label, words) and optional extra caps and receive slot. */
export const ipc = (
  sysno: number,
  cptr: number,
  o: {
    label?: number;
    mrs?: readonly number[];
    caps?: readonly number[];
    length?: number;
    recv?: { cnode: number; index: number; depth: number };
  } = {},
): Event =>
  syscallEvent({
    sysno,
    cptr,
    info: messageInfo(o.label ?? 0, 0, o.caps?.length ?? 0, o.length ?? o.mrs?.length ?? 0),
    mrs: o.mrs ?? [],
    caps: o.caps ?? [],
    ...(o.recv === undefined ? {} : { recv: o.recv }),
  });

export const send = (cptr: number, o: Parameters<typeof ipc>[2] = {}) => ipc(SysSend, cptr, o);
export const nbSend = (cptr: number, o: Parameters<typeof ipc>[2] = {}) => ipc(SysNBSend, cptr, o);
export const call = (cptr: number, o: Parameters<typeof ipc>[2] = {}) => ipc(SysCall, cptr, o);
export const recv = (cptr: number, o: Parameters<typeof ipc>[2] = {}) => ipc(SysRecv, cptr, o);
export const nbRecv = (cptr: number, o: Parameters<typeof ipc>[2] = {}) => ipc(SysNBRecv, cptr, o);
export const reply = (o: Parameters<typeof ipc>[2] = {}) => ipc(SysReply, 0, o);
export const replyRecv = (cptr: number, o: Parameters<typeof ipc>[2] = {}) => ipc(SysReplyRecv, cptr, o);
export const yieldNow = (): Event => syscallEvent({ sysno: SysYield });

/**
 * Spawn threads that run in the order listed when they share a priority. A
 * resumed thread goes to the head of its ready queue (seL4's tcbSchedEnqueue),
 * so equal-priority threads spawned one after another run last-spawned first;
 * this spawns them in reverse to undo that.
 */
export const spawnInOrder = (threads: ReadonlyArray<readonly [number, SpawnOptions?]>): Event[] => [...threads].reverse().flatMap(([slot, o]) => spawnThread(slot, o ?? {}));
