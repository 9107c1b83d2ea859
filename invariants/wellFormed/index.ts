/**
 * The kernel invariants checked on the spec state after every step. Each
 * returns its violations; `wellFormed` is their union.
 */
import type { KernelState } from '../../spec/model/state';
import type { Violation } from '../violation';
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

export const INVARIANTS: ReadonlyArray<readonly [string, (s: KernelState) => Violation[]]> = [
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

export const wellFormed = (s: KernelState): Violation[] => {
  const out: Violation[] = [];
  for (const [name, inv] of INVARIANTS) for (const x of inv(s)) out.push({ path: x.path, message: `${name}: ${x.message}` });
  return out;
};
