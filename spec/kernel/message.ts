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
import { identity, pipe } from 'fp-ts/function';
import { MSG_MAX_LENGTH, N_MSG_REGISTERS } from '../api/config';
import { type Fault, capFault } from '../api/errors';
import { IPCBUF_CAPS_OR_BADGES, IPCBUF_RECEIVE_CNODE, IPCBUF_RECEIVE_DEPTH, IPCBUF_RECEIVE_INDEX, ipcBufferMR } from '../api/ipcBuffer';
import { type MessageInfo, messageInfoFromWord, wordFromMessageInfo } from '../api/messageInfo';
import { MSG_INFO_REGISTER, MSG_REGISTERS } from '../api/registers';
import { type Transition, forEach, getCap, loadWord, storeWord } from '../model/heap';
import { range } from '../model/immutable';
import type { KernelState } from '../model/state';
import type { PPtr, SlotPtr } from '../model/structures';
import { type CapAndSlot, lookupCap, lookupCapAndSlot, lookupTargetSlot } from './cspace';
import { getRegister, setRegister } from './thread';

/** The physical address of word `i` of an IPC buffer. */
export const bufferWord = (buffer: number, i: number): number => buffer + 4 * i;

export const getMessageInfo = (s: KernelState, t: PPtr): MessageInfo => messageInfoFromWord(getRegister(s, t, MSG_INFO_REGISTER));

export const setMessageInfo = (t: PPtr, mi: MessageInfo): Transition => setRegister(t, MSG_INFO_REGISTER, wordFromMessageInfo(mi));

/** `getMRs`: the first `length` message registers; without a buffer at most four. */
export const getMRs = (s: KernelState, t: PPtr, buffer: number | null, length: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < length && i < N_MSG_REGISTERS; i++) out.push(getRegister(s, t, MSG_REGISTERS[i] ?? 0));
  if (buffer !== null) for (let i = N_MSG_REGISTERS; i < length && i < MSG_MAX_LENGTH; i++) out.push(loadWord(s, bufferWord(buffer, ipcBufferMR(i))));
  return out;
};

/** `setMRs`: write message registers, then buffer words; returns how many fit (four without a buffer). */
export const setMRs = (t: PPtr, buffer: number | null, data: readonly number[]) => (s: KernelState) => {
  const mrs = data.slice(0, buffer === null ? N_MSG_REGISTERS : MSG_MAX_LENGTH);
  const state = pipe(
    s,
    forEach(mrs.slice(0, N_MSG_REGISTERS), (v, i) => setRegister(t, MSG_REGISTERS[i] ?? 0, v)),
    buffer === null ? identity : forEach(mrs.slice(N_MSG_REGISTERS), (v, i) => storeWord(bufferWord(buffer, ipcBufferMR(N_MSG_REGISTERS + i)), v)),
  );
  return { state, length: mrs.length };
};

/**
 * `copyMRs`: copy `n` message registers from sender to receiver, register to
 * register and buffer to buffer (word by word, so overlapping buffers behave
 * as in C); returns how many were copied.
 */
export const copyMRs = (sender: PPtr, sendBuf: number | null, receiver: PPtr, recvBuf: number | null, n: number) => (s: KernelState) => {
  const copyRegister =
    (r: number): Transition =>
    (s1) =>
      setRegister(receiver, r, getRegister(s1, sender, r))(s1);
  const s1 = pipe(s, forEach(MSG_REGISTERS.slice(0, n), copyRegister));
  if (sendBuf === null || recvBuf === null) return { state: s1, length: Math.min(n, N_MSG_REGISTERS) };
  const copyWord =
    (w: number): Transition =>
    (s2) =>
      storeWord(bufferWord(recvBuf, w), loadWord(s2, bufferWord(sendBuf, w)))(s2);
  return { state: pipe(s1, forEach(range(N_MSG_REGISTERS, n).map(ipcBufferMR), copyWord)), length: n };
};

/** The extra-cap cptrs a message names (none without a buffer). */
export const getExtraCPtrs = (s: KernelState, buffer: number | null, info: MessageInfo): number[] => {
  if (buffer === null) return [];
  const out: number[] = [];
  for (let i = 0; i < info.extraCaps; i++) out.push(loadWord(s, bufferWord(buffer, IPCBUF_CAPS_OR_BADGES + i)));
  return out;
};

/** `lookupExtraCaps`: look every extra cptr up in the thread's CSpace; a failure is a cap fault. */
export const lookupExtraCaps = (s: KernelState, t: PPtr, buffer: number | null, info: MessageInfo): E.Either<Fault, readonly CapAndSlot[]> =>
  pipe(
    getExtraCPtrs(s, buffer, info),
    E.traverseArray((cptr) =>
      pipe(
        lookupCapAndSlot(s, t, cptr),
        E.mapLeft((lf) => capFault(cptr, false, lf)),
      ),
    ),
  );

/**
 * `getReceiveSlots`: the empty slot a receiver named for an incoming cap (its
 * buffer's receiveCNode/Index/Depth); none on any lookup failure or a full slot.
 */
export const getReceiveSlots = (s: KernelState, t: PPtr, buffer: number | null): SlotPtr[] => {
  if (buffer === null) return [];
  const cnode = lookupCap(s, t, loadWord(s, bufferWord(buffer, IPCBUF_RECEIVE_CNODE)));
  if (E.isLeft(cnode)) return [];
  const slot = lookupTargetSlot(s, cnode.right, loadWord(s, bufferWord(buffer, IPCBUF_RECEIVE_INDEX)), loadWord(s, bufferWord(buffer, IPCBUF_RECEIVE_DEPTH)));
  if (E.isLeft(slot) || getCap(s, slot.right)._tag !== 'NullCap') return [];
  return [slot.right];
};
