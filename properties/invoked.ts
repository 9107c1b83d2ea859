/**
 * What a syscall event invoked, read once from the state before it for all
 * the counters: the message-info word the thread trapped with (its length not
 * yet clamped) and the cap its cptr names, if that resolves.
 */
import * as E from 'fp-ts/Either';
import { CAP_REGISTER, type Event, MSG_INFO_REGISTER } from '../spec/api';
import { lookupCap } from '../spec/kernel/cspace';
import type { KernelState } from '../spec/model/state';
import type { Cap, PPtr } from '../spec/model/structures';

export interface Invoked {
  readonly info: number;
  readonly cap: Cap | undefined;
}

/** A register of a thread in a state (0 for what is not a TCB). */
export const registerOf = (s: KernelState, t: PPtr, reg: number): number => {
  const o = s.objects.get(t);
  return o?._tag === 'TCB' ? (o.context[reg] ?? 0) : 0;
};

/** A syscall event's registers as it writes them (a register it does not mention keeps its value). */
export const invokedBy = (before: KernelState, event: Event): Invoked | undefined => {
  if (event.kind !== 'syscall') return undefined;
  const t = before.curThread;
  const looked = lookupCap(before, t, event.cptr ?? registerOf(before, t, CAP_REGISTER));
  return { info: event.info ?? registerOf(before, t, MSG_INFO_REGISTER), cap: E.isRight(looked) ? looked.right : undefined };
};
