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

/** The invariants' names, in the order they are checked. */
export const INVARIANT_NAMES: readonly string[] = INVARIANTS.map(([name]) => name);
export const isInvariantName = (n: string): boolean => INVARIANT_NAMES.includes(n);

/**
 * A check of spec states: called on a state, it checks the whole of it;
 * `incremental()` gives a checker that, called on each state of a run in
 * turn, looks only at what changed since the one before.
 */
export interface SpecCheck {
  (s: KernelState): readonly Violation[];
  readonly incremental?: () => (s: KernelState) => readonly Violation[];
  /** When it is a selection of the kernel invariants: their names (worker threads rebuild it from them). */
  readonly invariants?: readonly string[];
}

/** The kernel invariants named (each one of INVARIANT_NAMES; an unknown name throws), checked in INVARIANTS' order. */
export const invariantsNamed = (names: readonly string[]): SpecCheck & ((s: KernelState) => Violation[]) => {
  const unknown = names.filter((n) => !isInvariantName(n));
  if (unknown.length > 0) throw new Error(`no kernel invariant is named ${unknown.join(', ')}`);
  const chosen = INVARIANTS.filter(([name]) => names.includes(name));
  const whole = (s: KernelState): Violation[] => {
    const out: Violation[] = [];
    for (const [name, inv] of chosen) for (const x of inv(s)) out.push({ path: x.path, message: `${name}: ${x.message}` });
    return out;
  };
  return Object.assign(whole, {
    invariants: chosen.map(([name]) => name),
    incremental: () => {
      const tracker = new IncrementalWellFormed(chosen, whole);
      return (s: KernelState) => tracker.check(s);
    },
  });
};

/** All of the kernel invariants. */
export const wellFormed: SpecCheck & ((s: KernelState) => Violation[]) = invariantsNamed(INVARIANT_NAMES);

/** Which invariants a run checks, as a trace file or a shard summary records it: all (true), none (false), or those named. */
export type InvariantSelection = boolean | readonly string[];

/** The check a selection names (undefined: none). */
export const specCheckOf = (sel: InvariantSelection | undefined): SpecCheck | undefined =>
  sel === false ? undefined : sel === true || sel === undefined || new Set(sel).size === INVARIANT_NAMES.length ? wellFormed : invariantsNamed(sel);

/** How a run records its check: true for all the invariants, the names for a selection, false for none (or a check that is not theirs). */
export const selectionOf = (check: SpecCheck | undefined): InvariantSelection =>
  check === undefined || check.invariants === undefined ? false : check.invariants.length === INVARIANT_NAMES.length ? true : check.invariants;
