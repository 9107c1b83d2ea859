/**
 * Reading what a scenario left: the caps in the root task's CNode, the TCB a
 * thread cap names, and what a thread got back from the kernel or a sender.
 */
import { IPCBUF_WORDS, MSG_REGISTERS, ROOT_CNODE_PTR, ROOT_IPC_BUFFER_PTR, ROOT_TCB_PTR, messageInfoFromWord } from '../../spec/api';
import { getCap, getTCB, loadWord, slotOf } from '../../spec/model/heap';
import type { KernelState } from '../../spec/model/state';
import type { Cap, PPtr, SlotPtr, TCB } from '../../spec/model/structures';

/** The root task's thread (T1). */
export const ROOT = ROOT_TCB_PTR;

/** The address of slot `i` of the root CNode. */
export const rootSlotPtr = (i: number): SlotPtr => slotOf(ROOT_CNODE_PTR, i);
/** The cap in slot `i` of the root CNode (a NullCap when it is empty). */
export const rootSlot = (s: KernelState, i: number): Cap => getCap(s, rootSlotPtr(i));

/** The TCB a root slot's thread cap names. */
export const tcbAt = (s: KernelState, slot: number): PPtr => {
  const cap = rootSlot(s, slot);
  if (cap._tag !== 'ThreadCap') throw new Error(`root slot ${slot} holds ${cap._tag}, not a thread cap`);
  return cap.tcb;
};
export const tcbOf = (s: KernelState, slot: number): TCB => getTCB(s, tcbAt(s, slot));

export interface Reply {
  readonly badge: number;
  readonly label: number;
  readonly length: number;
  /** The message words the thread received (MR0.. up to length). */
  readonly words: readonly number[];
}

/**
 * What a thread holds after a kernel reply or a message: the badge, the
 * message info and the words, the ones past MR3 from its IPC buffer at
 * `buffer` (the root task's own by default).
 */
export const replyOf = (s: KernelState, t: PPtr = ROOT, buffer: number | undefined = t === ROOT ? ROOT_IPC_BUFFER_PTR : undefined): Reply => {
  const ctx = getTCB(s, t).context;
  const info = messageInfoFromWord(ctx[1] ?? 0);
  const words: number[] = [];
  for (let i = 0; i < info.length; i++) {
    const r = MSG_REGISTERS[i];
    if (r !== undefined) words.push(ctx[r] ?? 0);
    else if (buffer !== undefined && i + 1 < IPCBUF_WORDS) words.push(loadWord(s, buffer + 4 * (i + 1)));
  }
  return { badge: ctx[0] ?? 0, label: info.label, length: info.length, words };
};
