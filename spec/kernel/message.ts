/**
 * Message registers: MR0..MR3 in r2..r5, MR4.. in the IPC buffer (only when
 * the thread has one), the message-info register, and the extra-cap and
 * receive-slot words of the IPC buffer.
 *
 * seL4: Haskell Object/TCB.lhs (getMRs, setMRs, copyMRs, getExtraCPtrs,
 * lookupExtraCaps, setMessageInfo), Object/CNode.lhs (getReceiveSlots); C
 * src/kernel/thread.c, src/object/tcb.c.
 */
import * as E from 'fp-ts/Either';
import { MSG_MAX_LENGTH, N_MSG_REGISTERS } from '../api/config';
import { type Fault, capFault } from '../api/errors';
import { IPCBUF_CAPS_OR_BADGES, IPCBUF_RECEIVE_CNODE, IPCBUF_RECEIVE_DEPTH, IPCBUF_RECEIVE_INDEX, ipcBufferMR } from '../api/ipcBuffer';
import { type MessageInfo, messageInfoFromWord, wordFromMessageInfo } from '../api/messageInfo';
import { MSG_INFO_REGISTER, MSG_REGISTERS } from '../api/registers';
import { type Transition, getCap, loadWord, storeWord } from '../model/heap';
import type { KernelState } from '../model/state';
import type { PPtr, SlotPtr } from '../model/structures';
import { type CapAndSlot, lookupCap, lookupCapAndSlot, lookupTargetSlot } from './cspace';
import { getRegister, setRegister } from './thread';

/** The physical address of word `i` of an IPC buffer. */
export const bufferWord = (buffer: number, i: number): number => buffer + 4 * i;

export const getMessageInfo = (s: KernelState, t: PPtr): MessageInfo =>
  messageInfoFromWord(getRegister(s, t, MSG_INFO_REGISTER));

export const setMessageInfo = (t: PPtr, mi: MessageInfo): Transition => setRegister(t, MSG_INFO_REGISTER, wordFromMessageInfo(mi));

/** `getMRs`: the first `length` message registers; without a buffer at most four. */
export const getMRs = (s: KernelState, t: PPtr, buffer: number | undefined, length: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < length && i < N_MSG_REGISTERS; i++) out.push(getRegister(s, t, MSG_REGISTERS[i] ?? 0));
  if (buffer !== undefined)
    for (let i = N_MSG_REGISTERS; i < length && i < MSG_MAX_LENGTH; i++) out.push(loadWord(s, bufferWord(buffer, ipcBufferMR(i))));
  return out;
};

/** `setMRs`: write message registers; returns how many fit (four without a buffer). */
export const setMRs = (t: PPtr, buffer: number | undefined, data: readonly number[]) => (s: KernelState) => {
  const max = buffer === undefined ? N_MSG_REGISTERS : MSG_MAX_LENGTH;
  const n = Math.min(data.length, max);
  let s1 = s;
  for (let i = 0; i < n; i++) {
    const v = data[i] ?? 0;
    s1 = i < N_MSG_REGISTERS ? setRegister(t, MSG_REGISTERS[i] ?? 0, v)(s1) : storeWord(bufferWord(buffer ?? 0, ipcBufferMR(i)), v)(s1);
  }
  return { state: s1, length: n };
};

/**
 * `copyMRs`: copy `n` message registers from sender to receiver, register to
 * register and buffer to buffer (word by word, so overlapping buffers behave
 * as in C); returns how many were copied.
 */
export const copyMRs =
  (sender: PPtr, sendBuf: number | undefined, receiver: PPtr, recvBuf: number | undefined, n: number) =>
  (s: KernelState) => {
    let s1 = s;
    for (let i = 0; i < n && i < N_MSG_REGISTERS; i++) {
      const r = MSG_REGISTERS[i] ?? 0;
      s1 = setRegister(receiver, r, getRegister(s1, sender, r))(s1);
    }
    if (sendBuf === undefined || recvBuf === undefined) return { state: s1, length: Math.min(n, N_MSG_REGISTERS) };
    for (let i = N_MSG_REGISTERS; i < n; i++) {
      const w = ipcBufferMR(i);
      s1 = storeWord(bufferWord(recvBuf, w), loadWord(s1, bufferWord(sendBuf, w)))(s1);
    }
    return { state: s1, length: n };
  };

/** The extra-cap cptrs a message names (none without a buffer). */
export const getExtraCPtrs = (s: KernelState, buffer: number | undefined, info: MessageInfo): number[] => {
  if (buffer === undefined) return [];
  const out: number[] = [];
  for (let i = 0; i < info.extraCaps; i++) out.push(loadWord(s, bufferWord(buffer, IPCBUF_CAPS_OR_BADGES + i)));
  return out;
};

/** `lookupExtraCaps`: look every extra cptr up in the thread's CSpace; a failure is a cap fault. */
export const lookupExtraCaps = (
  s: KernelState,
  t: PPtr,
  buffer: number | undefined,
  info: MessageInfo,
): E.Either<Fault, CapAndSlot[]> => {
  const out: CapAndSlot[] = [];
  for (const cptr of getExtraCPtrs(s, buffer, info)) {
    const r = lookupCapAndSlot(s, t, cptr);
    if (E.isLeft(r)) return E.left(capFault(cptr, false, r.left));
    out.push(r.right);
  }
  return E.right(out);
};

/**
 * `getReceiveSlots`: the empty slot a receiver named for an incoming cap (its
 * buffer's receiveCNode/Index/Depth); none on any lookup failure or a full slot.
 */
export const getReceiveSlots = (s: KernelState, t: PPtr, buffer: number | undefined): SlotPtr[] => {
  if (buffer === undefined) return [];
  const cnode = lookupCap(s, t, loadWord(s, bufferWord(buffer, IPCBUF_RECEIVE_CNODE)));
  if (E.isLeft(cnode)) return [];
  const slot = lookupTargetSlot(
    s,
    cnode.right,
    loadWord(s, bufferWord(buffer, IPCBUF_RECEIVE_INDEX)),
    loadWord(s, bufferWord(buffer, IPCBUF_RECEIVE_DEPTH)),
  );
  if (E.isLeft(slot) || getCap(s, slot.right)._tag !== 'NullCap') return [];
  return [slot.right];
};
