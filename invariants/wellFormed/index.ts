/**
 * The kernel invariants checked on the spec state after every step. Each
 * returns its violations; `wellFormed` is their union.
 */
import type { KernelState } from '../../spec/model/state';
import type { Violation } from '../violation';
import { IncrementalWellFormed, type InvariantCheck } from './incremental';
import { cdtAcyclic, cdtConsistent, parentsCoverChildren, untypedChildrenInside } from './cdt';
import { capsLiveInSlots, capsPointToLiveObjects, objectsDoNotOverlap } from './objects';
import {
  boundNotificationWaiters,
  boundNotificationsSymmetric,
  callerSlotsHoldReplyCaps,
  currentThreadValid,
  idleThreadValid,
  queuesHoldBlockedThreads,
  queuesWellFormed,
  readyQueuesValid,
  replyCapsInCdt,
  replyCapsToCallers,
  replyMastersInReplySlots,
  runnableThreadsQueued,
  schedulingParamsInRange,
  tcbSlotsHoldRightCaps,
  threadsInTheirQueues,
} from './threads';

export type { Violation } from '../violation';

/** Each invariant checks the whole state, or with a scope only the subjects a step may have affected (incremental.ts). */
export const INVARIANTS: ReadonlyArray<readonly [string, InvariantCheck]> = [
  ['objectsDoNotOverlap', objectsDoNotOverlap],
  ['capsPointToLiveObjects', capsPointToLiveObjects],
  ['capsLiveInSlots', capsLiveInSlots],
  ['cdtAcyclic', cdtAcyclic],
  ['cdtConsistent', cdtConsistent],
  ['parentsCoverChildren', parentsCoverChildren],
  ['untypedChildrenInside', untypedChildrenInside],
  ['threadsInTheirQueues', threadsInTheirQueues],
  ['queuesHoldBlockedThreads', queuesHoldBlockedThreads],
  ['queuesWellFormed', queuesWellFormed],
  ['replyCapsToCallers', replyCapsToCallers],
  ['replyMastersInReplySlots', replyMastersInReplySlots],
  ['callerSlotsHoldReplyCaps', callerSlotsHoldReplyCaps],
  ['replyCapsInCdt', replyCapsInCdt],
  ['tcbSlotsHoldRightCaps', tcbSlotsHoldRightCaps],
  ['readyQueuesValid', readyQueuesValid],
  ['runnableThreadsQueued', runnableThreadsQueued],
  ['currentThreadValid', currentThreadValid],
  ['idleThreadValid', idleThreadValid],
  ['schedulingParamsInRange', schedulingParamsInRange],
  ['boundNotificationsSymmetric', boundNotificationsSymmetric],
  ['boundNotificationWaiters', boundNotificationWaiters],
];

const wholeCheck = (s: KernelState): Violation[] => {
  const out: Violation[] = [];
  for (const [name, inv] of INVARIANTS) for (const x of inv(s)) out.push({ path: x.path, message: `${name}: ${x.message}` });
  return out;
};

/**
 * A check of spec states: called on a state, it checks the whole of it;
 * `incremental()` gives a checker that, called on each state of a run in
 * turn, looks only at what changed since the one before.
 */
export interface SpecCheck {
  (s: KernelState): readonly Violation[];
  readonly incremental?: () => (s: KernelState) => readonly Violation[];
}

export const wellFormed: SpecCheck & ((s: KernelState) => Violation[]) = Object.assign(wholeCheck, {
  incremental: () => {
    const tracker = new IncrementalWellFormed(INVARIANTS, wholeCheck);
    return (s: KernelState) => tracker.check(s);
  },
});
