/**
 * The IPC fastpath of the packed kernel: Call and ReplyRecv carried out
 * directly on memory words when a short list of side-effect-free checks says
 * the slow path would do nothing more than hand a register-sized message to a
 * waiting thread and switch to it.
 *
 * Until the point of no return nothing is written; the first failing check is
 * returned as a fallback reason and the caller runs the ordinary
 * handleSyscall. After it, the work is done here, word by word, without the
 * slow path's IPC, CDT or scheduler functions: only field accessors, register
 * access and the ready-queue bitmap lookup are shared. Words that the C
 * fastpath overwrites whole (thread-state word 0, the endpoint's words, the
 * MDB words of the two reply slots) are overwritten whole here too, built from
 * the layouts of impl/model/layout.ts.
 *
 * The kernel entry (impl/kernel.ts) has already done the user-level stores and
 * the trap (FaultIP := the svc, NextIP := the instruction after it), as the
 * assembly entry does before it branches to the fastpath. The fastpath then
 * returns straight to the new thread's NextIP, just as the slow path's
 * activateThread leaves a Running thread's PC alone, so the two paths agree
 * on every register. The scheduler action stays ResumeCurrentThread.
 *
 * The hardware ASID check of ARM32 (the PD's stored HW ASID) has no
 * counterpart in a model without hardware ASIDs; it is modelled as "the PD's
 * ASID still names this PD in the ASID table" (findPDForASID), which is what
 * the C check guards against after an ASID or ASID pool is deleted while a
 * thread still holds the PD cap.
 *
 * seL4: C src/fastpath/fastpath.c (fastpath_call, fastpath_reply_recv),
 * include/fastpath/fastpath.h (lookup_fp and the _np setters),
 * include/arch/arm/arch/32/mode/fastpath/fastpath.h (fastpath_mi_check,
 * isValidVTableRoot_fp, fastpath_reply_cap_check, switchToThread_fp);
 * l4v proof/crefine/ARM/Fastpath_Defs.thy. Spec twin: none (the spec is the
 * slow path; refinement/run.ts checks that both give the same abstract state).
 */
import {
  BADGE_REGISTER,
  CAP_REGISTER,
  MSG_INFO_REGISTER,
  MSG_REGISTERS,
  NUM_DOMAINS,
  N_MSG_REGISTERS,
  SysCall,
  SysReplyRecv,
  WORD_BITS,
  mask,
  shl,
  shr,
  TCB_CTABLE,
  TCB_VTABLE,
  TCB_REPLY,
  TCB_CALLER,
} from '../../spec/api';
import { tableAt } from '../model/memory';
import {
  CTE_MDB_W0,
  Cap,
  CapTag,
  type CapT,
  EP_IDLE,
  EP_RECV,
  EP_SEND,
  Endpoint,
  type Field,
  Mdb,
  MessageInfoW,
  NTFN_ACTIVE,
  Notification,
  TS,
  Tcb,
  ThreadStateW,
  capGet,
  capType,
  nullCapT,
  setField,
} from '../model/layout';
import { getRegister, getSlotCap, mdbPrev, objGet, setRegister, setSlotCap, slotPtr, tcbGet, tcbSet, tsGet, tsSet } from '../model/heap';
import { replyCapNew } from '../model/capability';
import { hasFault } from '../model/fault';
import type { Kernel } from '../model/state';
import { seam } from '../model/seam';
import { isHighestPrio } from '../kernel/thread';
import { findPDForASID } from '../kernel/vspace';
import type { FallbackReason } from './reasons';

/** The result of one attempt: done by the fastpath, or why the slow path must run. */
export type FastpathResult = 'hit' | FallbackReason;

// The TCB's cap slots (the C kernel's tcb_cnode_index).

// The message-info word: length in bits 0..6, extra caps in bits 7..8, capsUnwrapped in 9..11.
const MSG_LENGTH_BITS = MessageInfoW.length.bits;
const MSG_EXTRA_CAP_BITS = MessageInfoW.extraCaps.bits;
const CAPS_UNWRAPPED_MASK = mask(MessageInfoW.capsUnwrapped.bits) << MessageInfoW.capsUnwrapped.shift;

// ---------------------------------------------------------------- raw word stores

/** Overwrite word `word` of an object with the given fields, zero elsewhere (C's whole-word `_np` stores). */
const storeObjWord = (k: Kernel, obj: number, word: number, fields: ReadonlyArray<readonly [Field, number]>): void => {
  let w = 0;
  for (const [f, v] of fields) w = setField(w, f, v);
  k.mem.store(obj + 4 * word, w);
};

/** Overwrite one of a slot's two MDB words (fields of layout.Mdb). */
const storeMdbWord = (k: Kernel, slot: number, word: number, fields: ReadonlyArray<readonly [Field, number]>): void => storeObjWord(k, slot, CTE_MDB_W0 + word, fields);

/** Overwrite a thread's state word 0 (type and blocking object), as the C `_np` setters do. */
const storeThreadStateWord0 = (k: Kernel, t: number, tsType: number, blockingObject = 0): void =>
  tcbSet(k, t, Tcb.state0, setField(setField(0, ThreadStateW.tsType, tsType), ThreadStateW.blockingObject, blockingObject));

// ---------------------------------------------------------------- checks

/**
 * `fastpath_mi_check`: at most four message registers and no extra caps, on
 * the raw word (lengths 121..127 fail too). Adding 3 to the low bits and
 * looking above bit 2 tests "extraCaps = 0 and length ≤ 4" in one go.
 */
export const messageInfoCheck = seam('fastpathMessageInfoCheck', (_k: Kernel, info: number): FallbackReason | undefined => {
  if ((((info & mask(MSG_LENGTH_BITS + MSG_EXTRA_CAP_BITS)) + 3) & ~mask(3)) === 0) return undefined;
  return (info & mask(MSG_LENGTH_BITS)) > N_MSG_REGISTERS ? 'message-too-long' : 'extra-caps';
});

/**
 * `lookup_fp`: the guarded radix walk from the CSpace root, all 32 bits,
 * without lookup-failure details: any failure is the null cap. The depth
 * check is left to the end (a walk that overshoots 32 bits fails).
 */
export const lookupFp = (k: Kernel, root: CapT, cptr: number): CapT => {
  if (capType(root) !== CapTag.CNode) return nullCapT;
  let cap = root;
  let bits = 0;
  do {
    const guardBits = capGet(cap, Cap.CNode.guardSize);
    const radixBits = capGet(cap, Cap.CNode.radix);
    const cptr2 = shl(cptr, bits);
    // A zero-sized guard is not compared (its shift would be by the word width).
    if (guardBits !== 0 && shr(cptr2, WORD_BITS - guardBits) !== capGet(cap, Cap.CNode.guard)) return nullCapT;
    const radix = shr(shl(cptr2, guardBits), WORD_BITS - radixBits);
    cap = getSlotCap(k, slotPtr(capGet(cap, Cap.CNode.ptr), radix));
    bits += guardBits + radixBits;
  } while (bits < WORD_BITS && capType(cap) === CapTag.CNode);
  if (bits > WORD_BITS) return nullCapT;
  return cap;
};

/** `isValidVTableRoot_fp`: a page directory cap with an ASID (its mapped bit set). */
const isValidVTableRootFp = (c: CapT): boolean => capType(c) === CapTag.PageDirectory && capGet(c, Cap.PageDirectory.isMapped) === 1;

/** The model's stand-in for the stored HW ASID being valid: the PD's ASID still names this PD. */
const hwASIDValid = (k: Kernel, vtable: CapT): boolean => findPDForASID(k, capGet(vtable, Cap.PageDirectory.asid)) === capGet(vtable, Cap.PageDirectory.ptr);

/** `fastpath_reply_cap_check`: a reply cap whose master bit is clear. */
const isCallerReplyCap = (c: CapT): boolean => capType(c) === CapTag.Reply && capGet(c, Cap.Reply.master) === 0;

/** The domain whose bitmap the priority checks read (C: `maxDom ? ksCurDomain : 0`). */
const bitmapDomain = (k: Kernel): number => (NUM_DOMAINS > 1 ? k.ksCurDomain : 0);

/** The thread can be switched to directly only in the current domain (checked when there are domains). */
const inCurrentDomain = (k: Kernel, t: number): boolean => !(NUM_DOMAINS > 1 && tcbGet(k, t, Tcb.domain) !== k.ksCurDomain);

/**
 * The Call's receiver is what schedule would pick: it is at least as urgent
 * as the caller, or nothing ready is more urgent than it (only the idle
 * thread or lower-priority threads may be ready).
 */
export const receiverWouldBeChosen = seam('fastpathReceiverWouldBeChosen', (k: Kernel, cur: number, dest: number): boolean => {
  const destPrio = tcbGet(k, dest, Tcb.priority);
  return !(destPrio < tcbGet(k, cur, Tcb.priority) && !isHighestPrio(k, bitmapDomain(k), destPrio));
});

/** The Call's receiver runs in the current domain. */
export const receiverInCurrentDomain = seam('fastpathReceiverInCurrentDomain', (k: Kernel, dest: number): boolean => inCurrentDomain(k, dest));

/** ReplyRecv's endpoint cap carries the receive right (the cap's own seam: C tests the bit inline). */
export const endpointCapCanReceive = seam('fastpathEndpointCanReceive', (_k: Kernel, epCap: CapT): boolean => capGet(epCap, Cap.Endpoint.canReceive) === 1);

/** The thread's bound notification has a signal pending, which a receive would take instead of blocking. */
export const boundNotificationActive = seam('fastpathBoundNotificationActive', (k: Kernel, t: number): boolean => {
  const ntfn = tcbGet(k, t, Tcb.boundNotification);
  return ntfn !== 0 && objGet(k, ntfn, Notification.state) === NTFN_ACTIVE;
});

// ---------------------------------------------------------------- shared effects

/** `fastpath_copy_mrs`: the first `length` (≤ 4) message registers, register to register. */
const copyMRsFp = (k: Kernel, length: number, src: number, dest: number): void => {
  for (let i = 0; i < length; i++) {
    const r = tableAt(MSG_REGISTERS, i, 'MSG_REGISTERS');
    setRegister(k, dest, r, getRegister(k, src, r));
  }
};

/** `switchToThread_fp`: the new current thread (the address space switch has no model state). */
const switchToThreadFp = (k: Kernel, t: number): void => {
  k.ksCurThread = t;
};

/** `fastpath_restore`: the badge and message-info registers the thread returns with. */
export const restoreFp = seam('fastpathRestore', (k: Kernel, t: number, badge: number, info: number): void => {
  setRegister(k, t, BADGE_REGISTER, badge);
  setRegister(k, t, MSG_INFO_REGISTER, info);
});

/** Take dest, the head of the endpoint's receive queue, off the queue (an idle endpoint when it was the only one). */
export const dequeueReceiverFp = seam('fastpathDequeueReceiver', (k: Kernel, ep: number, dest: number): void => {
  const next = tcbGet(k, dest, Tcb.epNext);
  storeObjWord(k, ep, Endpoint.queueHead.word, [[Endpoint.queueHead, next]]);
  if (next !== 0) tcbSet(k, next, Tcb.epPrev, 0);
  else
    storeObjWord(k, ep, Endpoint.queueTail.word, [
      [Endpoint.queueTail, 0],
      [Endpoint.state, EP_IDLE],
    ]);
});

/** The reply cap goes into dest's (empty) caller slot, as the MDB child right after the caller's reply master. */
export const insertReplyCapFp = seam('fastpathInsertReplyCap', (k: Kernel, caller: number, dest: number, canGrant: boolean): void => {
  const replySlot = slotPtr(caller, TCB_REPLY);
  const callerSlot = slotPtr(dest, TCB_CALLER);
  setSlotCap(k, callerSlot, replyCapNew(caller, false, canGrant));
  storeMdbWord(k, callerSlot, Mdb.prev.word, [[Mdb.prev, replySlot]]);
  storeMdbWord(k, replySlot, Mdb.next.word, [
    [Mdb.next, callerSlot],
    [Mdb.revocable, 1],
    [Mdb.firstBadged, 1],
  ]);
});

/** Delete the used reply cap in the caller slot: the caller's reply master (its MDB predecessor) loses its only child. */
export const deleteReplyCapFp = seam('fastpathDeleteReplyCap', (k: Kernel, callerSlot: number): void => {
  storeMdbWord(k, mdbPrev(k, callerSlot), Mdb.next.word, [
    [Mdb.next, 0],
    [Mdb.revocable, 1],
    [Mdb.firstBadged, 1],
  ]);
  setSlotCap(k, callerSlot, nullCapT);
  storeMdbWord(k, callerSlot, 0, []);
  storeMdbWord(k, callerSlot, 1, []);
});

// ---------------------------------------------------------------- Call

/** `fastpath_call(cptr, msgInfo)` for the current thread: 'hit', or the first failing precondition. */
export const fastpathCall = seam('fastpathCall', (k: Kernel, cptr: number, msgInfo: number): FastpathResult => {
  const cur = k.ksCurThread;

  const mi = messageInfoCheck(k, msgInfo);
  if (mi !== undefined) return mi;
  if (hasFault(k, cur)) return 'thread-has-fault';

  const epCap = lookupFp(k, getSlotCap(k, slotPtr(cur, TCB_CTABLE)), cptr);
  if (capType(epCap) !== CapTag.Endpoint) return 'cap-not-endpoint';
  if (capGet(epCap, Cap.Endpoint.canSend) !== 1) return 'no-send-right';

  const ep = capGet(epCap, Cap.Endpoint.ptr);
  const dest = objGet(k, ep, Endpoint.queueHead);
  if (objGet(k, ep, Endpoint.state) !== EP_RECV) return 'endpoint-not-receiving';

  const vtable = getSlotCap(k, slotPtr(dest, TCB_VTABLE));
  if (!isValidVTableRootFp(vtable)) return 'dest-vspace-invalid';

  if (!receiverWouldBeChosen(k, cur, dest)) return 'dest-lower-priority';

  // A reply cap can be made only with Grant or GrantReply.
  if (capGet(epCap, Cap.Endpoint.canGrant) !== 1 && capGet(epCap, Cap.Endpoint.canGrantReply) !== 1) return 'no-grant-right';
  if (!hwASIDValid(k, vtable)) return 'dest-asid-invalid';
  if (!receiverInCurrentDomain(k, dest)) return 'dest-other-domain';

  // ---- point of no return ----

  dequeueReceiverFp(k, ep, dest);
  const badge = capGet(epCap, Cap.Endpoint.badge);

  // The caller waits for the reply.
  storeThreadStateWord0(k, cur, TS.BlockedOnReply);
  insertReplyCapFp(k, cur, dest, tsGet(k, dest, ThreadStateW.canGrant) === 1);

  copyMRsFp(k, msgInfo & mask(MSG_LENGTH_BITS), cur, dest);

  // dest runs next, without passing through the ready queues.
  storeThreadStateWord0(k, dest, TS.Running);
  switchToThreadFp(k, dest);
  restoreFp(k, dest, badge, (msgInfo & ~CAPS_UNWRAPPED_MASK) >>> 0);
  return 'hit';
});

// ---------------------------------------------------------------- ReplyRecv

/** `fastpath_reply_recv(cptr, msgInfo)` for the current thread: 'hit', or the first failing precondition. */
export const fastpathReplyRecv = seam('fastpathReplyRecv', (k: Kernel, cptr: number, msgInfo: number): FastpathResult => {
  const cur = k.ksCurThread;

  const mi = messageInfoCheck(k, msgInfo);
  if (mi !== undefined) return mi;
  if (hasFault(k, cur)) return 'thread-has-fault';

  const epCap = lookupFp(k, getSlotCap(k, slotPtr(cur, TCB_CTABLE)), cptr);
  if (capType(epCap) !== CapTag.Endpoint) return 'cap-not-endpoint';
  if (!endpointCapCanReceive(k, epCap)) return 'not-receive-right';
  if (boundNotificationActive(k, cur)) return 'bound-notification-active';

  // A queued sender would be received instead of blocking.
  const ep = capGet(epCap, Cap.Endpoint.ptr);
  if (objGet(k, ep, Endpoint.state) === EP_SEND) return 'endpoint-has-senders';

  const callerSlot = slotPtr(cur, TCB_CALLER);
  const callerCap = getSlotCap(k, callerSlot);
  if (!isCallerReplyCap(callerCap)) return 'no-reply-cap';
  const caller = capGet(callerCap, Cap.Reply.tcb);

  // A faulted caller gets a fault reply (restart or not), which is the slow path's business.
  if (hasFault(k, caller)) return 'caller-has-fault';

  const vtable = getSlotCap(k, slotPtr(caller, TCB_VTABLE));
  if (!isValidVTableRootFp(vtable)) return 'caller-vspace-invalid';

  // Stricter than the slow path: the caller must be at least as urgent as everything ready.
  if (!isHighestPrio(k, bitmapDomain(k), tcbGet(k, caller, Tcb.priority))) return 'caller-not-highest-priority';
  if (!hwASIDValid(k, vtable)) return 'caller-asid-invalid';
  if (!inCurrentDomain(k, caller)) return 'caller-other-domain';

  // ---- point of no return ----

  // The current thread blocks receiving on the endpoint, at the end of its queue.
  storeThreadStateWord0(k, cur, TS.BlockedOnReceive, ep);
  tsSet(k, cur, ThreadStateW.canGrant, capGet(epCap, Cap.Endpoint.canGrant));
  const tail = objGet(k, ep, Endpoint.queueTail);
  if (tail === 0) {
    tcbSet(k, cur, Tcb.epPrev, 0);
    tcbSet(k, cur, Tcb.epNext, 0);
    storeObjWord(k, ep, Endpoint.queueHead.word, [[Endpoint.queueHead, cur]]);
  } else {
    tcbSet(k, tail, Tcb.epNext, cur);
    tcbSet(k, cur, Tcb.epPrev, tail);
    tcbSet(k, cur, Tcb.epNext, 0);
  }
  storeObjWord(k, ep, Endpoint.queueTail.word, [
    [Endpoint.queueTail, cur],
    [Endpoint.state, EP_RECV],
  ]);

  deleteReplyCapFp(k, callerSlot);

  copyMRsFp(k, msgInfo & mask(MSG_LENGTH_BITS), cur, caller);

  storeThreadStateWord0(k, caller, TS.Running);
  switchToThreadFp(k, caller);
  // Replies carry no badge.
  restoreFp(k, caller, 0, (msgInfo & ~CAPS_UNWRAPPED_MASK) >>> 0);
  return 'hit';
});

// ---------------------------------------------------------------- entry

/** Whether a syscall number is one the fastpath handles (C's traps.S compares r7 with -1 and -2). */
export const isFastpathSyscall = (sysno: number): boolean => (sysno | 0) === SysCall || (sysno | 0) === SysReplyRecv;

/**
 * Try the fastpath for the syscall the current thread just trapped with
 * (cptr in r0, message info in r1, as the trap handler passes them). True
 * when the fastpath did the whole syscall; false when the slow path must run
 * (nothing has been changed then).
 */
export const tryFastpath = (k: Kernel, sysno: number): boolean => {
  if (!isFastpathSyscall(sysno)) return false;
  const cur = k.ksCurThread;
  const cptr = getRegister(k, cur, CAP_REGISTER);
  const info = getRegister(k, cur, MSG_INFO_REGISTER);
  return ((sysno | 0) === SysCall ? fastpathCall(k, cptr, info) : fastpathReplyRecv(k, cptr, info)) === 'hit';
};
