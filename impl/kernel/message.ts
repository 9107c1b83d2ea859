/**
 * Message registers and IPC-buffer words on the packed kernel: syscall
 * arguments read on demand (as C's getSyscallArg), setMR with its "no buffer,
 * no MR4.." rule, copyMRs, the extra-cap lookup into the current-extra-caps
 * global, and the receive slot.
 *
 * seL4: C src/object/tcb.c (lookupExtraCaps, copyMRs, setMRs_syscall_error),
 * src/kernel/thread.c,
 * src/object/cnode.c (getReceiveSlots); spec twin: spec/kernel/message.ts.
 */
import {
  IPCBUF_CAPS_OR_BADGES,
  IPCBUF_RECEIVE_CNODE,
  IPCBUF_RECEIVE_DEPTH,
  IPCBUF_RECEIVE_INDEX,
  MSG_MAX_EXTRA_CAPS,
  MSG_REGISTERS,
  N_MSG_REGISTERS,
  capFault,
  ipcBufferMR,
} from '../../spec/api';
import { tableAt } from '../model/memory';
import { CapTag, capType } from '../model/layout';
import { getRegister, getSlotCap, setRegister } from '../model/heap';
import { EXCEPTION_NONE, type Exception, type Kernel } from '../model/state';
import { lookupCap, lookupSlot, lookupTargetSlot } from './cspace';

export const bufferWordPtr = (buffer: number, i: number): number => buffer + 4 * i;

/** `getSyscallArg`: argument i of the current invocation (a register for i < 4). */
export const getSyscallArg = (k: Kernel, i: number, buffer: number): number =>
  i < N_MSG_REGISTERS ? getRegister(k, k.ksCurThread, tableAt(MSG_REGISTERS, i, 'MSG_REGISTERS')) : k.mem.load(bufferWordPtr(buffer, ipcBufferMR(i)));

/** `setMR`: write MR i; returns the message length so far (capped at 4 without a buffer). */
export const setMR = (k: Kernel, t: number, buffer: number, i: number, v: number): number => {
  if (i >= N_MSG_REGISTERS) {
    if (buffer === 0) return N_MSG_REGISTERS;
    k.mem.store(bufferWordPtr(buffer, ipcBufferMR(i)), v >>> 0);
    return i + 1;
  }
  setRegister(k, t, tableAt(MSG_REGISTERS, i, 'MSG_REGISTERS'), v);
  return i + 1;
};

/** Write consecutive MRs from `start`; returns the resulting length. */
export const setMRs = (k: Kernel, t: number, buffer: number, start: number, words: readonly number[]): number => {
  let len = start;
  words.forEach((w, j) => {
    len = setMR(k, t, buffer, start + j, w);
  });
  return len;
};

/** `copyMRs`: registers always, buffer words only if both buffers exist; returns how many. */
export const copyMRs = (k: Kernel, sender: number, sendBuf: number, receiver: number, recvBuf: number, n: number): number => {
  let i = 0;
  for (; i < n && i < N_MSG_REGISTERS; i++) {
    const r = tableAt(MSG_REGISTERS, i, 'MSG_REGISTERS');
    setRegister(k, receiver, r, getRegister(k, sender, r));
  }
  if (recvBuf === 0 || sendBuf === 0) return i;
  for (; i < n; i++) k.mem.store(bufferWordPtr(recvBuf, ipcBufferMR(i)), k.mem.load(bufferWordPtr(sendBuf, ipcBufferMR(i))));
  return i;
};

/**
 * `lookupExtraCaps`: the slots of the extra caps, left in k.currentExtraCaps.
 * A failed lookup sets k.currentFault (a send-phase cap fault).
 */
export const lookupExtraCaps = (k: Kernel, t: number, buffer: number, extraCaps: number): Exception => {
  k.currentExtraCaps = [];
  if (buffer === 0) return EXCEPTION_NONE;
  for (let i = 0; i < extraCaps && i < MSG_MAX_EXTRA_CAPS; i++) {
    const cptr = k.mem.load(bufferWordPtr(buffer, IPCBUF_CAPS_OR_BADGES + i));
    const r = lookupSlot(k, t, cptr);
    if (r.status !== EXCEPTION_NONE) {
      k.currentFault = capFault(cptr, false, k.currentLookupFault);
      return r.status;
    }
    k.currentExtraCaps.push(r.slot);
  }
  return EXCEPTION_NONE;
};

/** `getReceiveSlots`: the empty slot the receiver named, or 0. */
export const getReceiveSlots = (k: Kernel, receiver: number, buffer: number): number => {
  if (buffer === 0) return 0;
  const cnode = lookupCap(k, receiver, k.mem.load(bufferWordPtr(buffer, IPCBUF_RECEIVE_CNODE)));
  if (cnode.status !== EXCEPTION_NONE) return 0;
  const index = k.mem.load(bufferWordPtr(buffer, IPCBUF_RECEIVE_INDEX));
  const depth = k.mem.load(bufferWordPtr(buffer, IPCBUF_RECEIVE_DEPTH));
  const lu = lookupTargetSlot(k, cnode.cap, index, depth);
  if (lu.status !== EXCEPTION_NONE) return 0;
  if (capType(getSlotCap(k, lu.slot)) !== CapTag.Null) return 0;
  return lu.slot;
};
