/**
 * The abstract kernel state: the object heap, the caps in every slot, the
 * capability derivation tree, the scheduler, interrupts, ASIDs and user memory.
 *
 * seL4: abstract spec Structures_A.thy (abstract_state), Deterministic_A.thy
 * (cdt_list, work_units_completed); Haskell Model/StateData.lhs.
 */
import type { PMap, PSet } from './persistent';
import type { Cap, KernelObject, PPtr, SlotPtr } from './structures';

export type SchedulerAction = { readonly _tag: 'ResumeCurrentThread' } | { readonly _tag: 'ChooseNewThread' } | { readonly _tag: 'SwitchToThread'; readonly tcb: PPtr };

export const resumeCurrentThread: SchedulerAction = { _tag: 'ResumeCurrentThread' };
export const chooseNewThread: SchedulerAction = { _tag: 'ChooseNewThread' };

export type IRQState = 'IRQInactive' | 'IRQSignal' | 'IRQTimer' | 'IRQReserved';

/**
 * The capability derivation tree as l4v's deterministic abstract spec keeps it:
 * a parent map, each parent's children in MDB-list order (most recent first),
 * and the set of "original" caps (seL4's mdbRevocable).
 */
export interface Cdt {
  readonly parent: PMap<SlotPtr, SlotPtr>;
  /** Only parents with at least one child have an entry. */
  readonly children: PMap<SlotPtr, readonly SlotPtr[]>;
  readonly original: PSet<SlotPtr>;
}

export interface DomainScheduleEntry {
  readonly domain: number;
  readonly length: bigint;
}

export interface KernelState {
  /** Every object in existence, by its address (l4v's kheap). */
  readonly objects: PMap<PPtr, KernelObject>;
  /** The cap in every non-empty slot of every CNode and TCB, by slot address. */
  readonly caps: PMap<SlotPtr, Cap>;
  readonly cdt: Cdt;
  readonly curThread: PPtr;
  readonly idleThread: PPtr;
  readonly schedulerAction: SchedulerAction;
  /** Ready queues by `domain * 256 + priority`; only non-empty queues have an entry. */
  readonly readyQueues: PMap<number, readonly PPtr[]>;
  readonly curDomain: number;
  readonly domainTime: bigint;
  readonly domainSchedule: readonly DomainScheduleEntry[];
  readonly domainScheduleIdx: number;
  readonly domainScheduleStart: number;
  /** Preemption points passed since the last check for a pending interrupt. */
  readonly workUnitsCompleted: number;
  readonly irqStates: readonly IRQState[];
  /** The slot each IRQ's notification cap lives in (l4v's interrupt_irq_node). */
  readonly irqNode: PPtr;
  /** ASID pools by the ASID's high 7 bits. */
  readonly asidTable: PMap<number, PPtr>;
  /** User-visible memory: the non-zero words of RAM, by word-aligned physical address. */
  readonly userMemory: PMap<number, number>;
  /** Interrupt lines raised but not yet handled. */
  readonly irqPending: PSet<number>;
  readonly irqMasked: PSet<number>;
}

export const readyQueueIndex = (domain: number, priority: number): number => domain * 256 + priority;
