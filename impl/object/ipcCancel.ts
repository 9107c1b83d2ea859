/**
 * Aborting IPC and signals, unbinding, suspending, and the non-recursive part
 * of deletion (unlinking a slot from the MDB list; deleting a cap that needs
 * no recursion), on the packed representation.
 *
 * seL4: C src/object/endpoint.c (cancelIPC, cancelAllIPC, cancelBadgedSends),
 * src/object/notification.c, src/object/tcb.c (suspend), src/object/cnode.c
 * (emptySlot, cteDeleteOne), src/object/interrupt.c; spec twin:
 * spec/object/ipcCancel.ts.
 */
import { FAULT_IP, NEXT_IP, TCB_REPLY } from '../../spec/api';
import {
  Cap,
  CapTag,
  type CapT,
  EP_IDLE,
  EP_SEND,
  Endpoint,
  Mdb,
  NTFN_IDLE,
  NTFN_WAITING,
  Notification,
  TS,
  Tcb,
  ThreadStateW,
  capGet,
  capType,
  getField,
  nullCapT,
} from '../model/layout';
import {
  getMdbNode,
  mdbFirstBadged,
  getRegister,
  getSlotCap,
  mdbNext,
  mdbNodeNext,
  mdbNodePrev,
  nullMdbNode,
  objGet,
  objSet,
  setMdbFirstBadged,
  setMdbNext,
  setMdbNode,
  setMdbPrev,
  setRegister,
  setSlotCap,
  slotPtr,
  tcbGet,
  tcbSet,
  threadStateType,
  tsGet,
} from '../model/heap';
import { KernelBug } from '../model/memory';
import { IRQ_INACTIVE, type Kernel } from '../model/state';
import { seam } from '../model/seam';
import { isFinalCapability } from '../kernel/cspace';
import { rescheduleRequired, setThreadState, tcbSchedDequeue, tcbSchedEnqueue } from '../kernel/thread';
import { EP_QUEUE, NTFN_QUEUE, getQueue, setQueue, tcbEPDequeue } from './tcbQueue';

// ---------------------------------------------------------------- notifications

export const cancelSignal = (k: Kernel, t: number, ntfn: number): void => {
  const q = tcbEPDequeue(k, t, getQueue(k, ntfn, NTFN_QUEUE));
  setQueue(k, ntfn, NTFN_QUEUE, q);
  if (q.head === 0) objSet(k, ntfn, Notification.state, NTFN_IDLE);
  setThreadState(k, t, TS.Inactive);
};

export const cancelAllSignals = (k: Kernel, ntfn: number): void => {
  if (objGet(k, ntfn, Notification.state) !== NTFN_WAITING) return;
  let t = objGet(k, ntfn, Notification.queueHead);
  objSet(k, ntfn, Notification.state, NTFN_IDLE);
  setQueue(k, ntfn, NTFN_QUEUE, { head: 0, end: 0 });
  for (; t !== 0; t = tcbGet(k, t, Tcb.epNext)) {
    setThreadState(k, t, TS.Restart);
    tcbSchedEnqueue(k, t);
  }
  rescheduleRequired(k);
};

/** `doUnbindNotification`: both ends of the binding let go. */
const doUnbindNotification = (k: Kernel, ntfn: number, t: number): void => {
  objSet(k, ntfn, Notification.boundTCB, 0);
  tcbSet(k, t, Tcb.boundNotification, 0);
};

/** `unbindNotification`: the thread loses its bound notification, if any. */
export const unbindNotification = (k: Kernel, t: number): void => {
  const ntfn = tcbGet(k, t, Tcb.boundNotification);
  if (ntfn !== 0) doUnbindNotification(k, ntfn, t);
};

/** `unbindMaybeNotification`: the notification loses its bound thread, if any. */
export const unbindMaybeNotification = (k: Kernel, ntfn: number): void => {
  const t = objGet(k, ntfn, Notification.boundTCB);
  if (t !== 0) doUnbindNotification(k, ntfn, t);
};

// ---------------------------------------------------------------- endpoints

export const cancelIPC = seam('cancelIPC', (k: Kernel, t: number): void => {
  switch (threadStateType(k, t)) {
    case TS.BlockedOnSend:
    case TS.BlockedOnReceive: {
      const ep = tsGet(k, t, ThreadStateW.blockingObject);
      const q = tcbEPDequeue(k, t, getQueue(k, ep, EP_QUEUE));
      setQueue(k, ep, EP_QUEUE, q);
      if (q.head === 0) objSet(k, ep, Endpoint.state, EP_IDLE);
      setThreadState(k, t, TS.Inactive);
      return;
    }
    case TS.BlockedOnNotification:
      cancelSignal(k, t, tsGet(k, t, ThreadStateW.blockingObject));
      return;
    case TS.BlockedOnReply: {
      clearFault(k, t);
      const caller = mdbNext(k, slotPtr(t, TCB_REPLY));
      if (caller !== 0) cteDeleteOne(k, caller);
      return;
    }
    default:
      return;
  }
});

export const cancelAllIPC = (k: Kernel, ep: number): void => {
  if (objGet(k, ep, Endpoint.state) === EP_IDLE) return;
  let t = objGet(k, ep, Endpoint.queueHead);
  objSet(k, ep, Endpoint.state, EP_IDLE);
  setQueue(k, ep, EP_QUEUE, { head: 0, end: 0 });
  for (; t !== 0; t = tcbGet(k, t, Tcb.epNext)) {
    setThreadState(k, t, TS.Restart);
    tcbSchedEnqueue(k, t);
  }
  rescheduleRequired(k);
};

export const cancelBadgedSends = (k: Kernel, ep: number, badge: number): void => {
  if (objGet(k, ep, Endpoint.state) !== EP_SEND) return;
  let q = getQueue(k, ep, EP_QUEUE);
  objSet(k, ep, Endpoint.state, EP_IDLE);
  setQueue(k, ep, EP_QUEUE, { head: 0, end: 0 });
  for (let t = q.head, next = 0; t !== 0; t = next) {
    next = tcbGet(k, t, Tcb.epNext);
    if (tsGet(k, t, ThreadStateW.badge) === badge) {
      setThreadState(k, t, TS.Restart);
      tcbSchedEnqueue(k, t);
      q = tcbEPDequeue(k, t, q);
    }
  }
  setQueue(k, ep, EP_QUEUE, q);
  if (q.head !== 0) objSet(k, ep, Endpoint.state, EP_SEND);
  rescheduleRequired(k);
};

// ---------------------------------------------------------------- threads

export const suspend = (k: Kernel, t: number): void => {
  cancelIPC(k, t);
  if (threadStateType(k, t) === TS.Running) setRegister(k, t, FAULT_IP, getRegister(k, t, NEXT_IP));
  setThreadState(k, t, TS.Inactive);
  tcbSchedDequeue(k, t);
};

// ---------------------------------------------------------------- emptying slots

/** `deletedIRQHandler`: the IRQ may be issued again, and is masked meanwhile. */
const postCapDeletion = (k: Kernel, info: CapT): void => {
  if (capType(info) !== CapTag.IRQHandler) return;
  const irq = capGet(info, Cap.IRQHandler.irq);
  k.intStateIRQTable.set(irq, IRQ_INACTIVE);
  k.irqMasked.set(irq, 1);
};

/** `emptySlot`: unlink the slot from the MDB list; the next entry inherits the first-badged mark. */
export const emptySlot = seam('emptySlot', (k: Kernel, slot: number, info: CapT): void => {
  if (capType(getSlotCap(k, slot)) === CapTag.Null) return;
  const node = getMdbNode(k, slot);
  const prev = mdbNodePrev(node);
  const next = mdbNodeNext(node);
  if (prev !== 0) setMdbNext(k, prev, next);
  if (next !== 0) {
    setMdbPrev(k, next, prev);
    const inherited = mdbFirstBadged(k, next) || getField(node.w0, Mdb.firstBadged) === 1;
    setMdbFirstBadged(k, next, inherited);
  }
  setSlotCap(k, slot, nullCapT);
  setMdbNode(k, slot, nullMdbNode);
  postCapDeletion(k, info);
});

/** Finalisation of the caps cteDeleteOne meets (never recursive). */
const fastFinalise = (k: Kernel, cap: CapT, final: boolean): void => {
  switch (capType(cap)) {
    case CapTag.Null:
    case CapTag.Reply:
      return;
    case CapTag.Endpoint:
      if (final) cancelAllIPC(k, capGet(cap, Cap.Endpoint.ptr));
      return;
    case CapTag.Notification:
      if (final) {
        const n = capGet(cap, Cap.Notification.ptr);
        unbindMaybeNotification(k, n);
        cancelAllSignals(k, n);
      }
      return;
    default:
      throw new KernelBug('cteDeleteOne: cap needs a full delete');
  }
};

export const cteDeleteOne = (k: Kernel, slot: number): void => {
  const cap = getSlotCap(k, slot);
  if (capType(cap) === CapTag.Null) return;
  fastFinalise(k, cap, isFinalCapability(k, slot));
  emptySlot(k, slot, nullCapT);
};

export const deletingIRQHandler = (k: Kernel, irq: number): void => cteDeleteOne(k, slotPtr(k.intStateIRQNode, irq));

/** Clear a stored fault (the C kernel's seL4_Fault_NullFault). */
export const clearFault = (k: Kernel, t: number): void => {
  tcbSet(k, t, Tcb.fault0, 0);
  tcbSet(k, t, Tcb.fault1, 0);
};
