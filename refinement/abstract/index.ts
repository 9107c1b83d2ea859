/**
 * The abstraction function: the spec state a concrete kernel represents, and
 * the violations of the representation invariant found on the way. It is the
 * assembly of the per-concept abstractions, as l4v's state_relation is.
 */
import { MAX_IRQ } from '../../spec/api';
import { PMap, PSet } from '../../spec/model/persistent';
import type { IRQState, KernelState } from '../../spec/model/state';
import type { KernelObject, PPtr } from '../../spec/model/structures';
import { type GhostObject, IRQ_INACTIVE, IRQ_RESERVED, IRQ_SIGNAL, IRQ_TIMER, type Kernel } from '../../impl/model/state';
import { abstractCSpace } from './cspace';
import { abstractObject } from './objects';
import { abstractReadyQueues, abstractSchedulerAction, checkQueuedBits } from './scheduler';
import { type Violation, forEachNonZeroWord } from './read';

export type { Violation } from './read';

export interface Abstraction {
  readonly state: KernelState;
  readonly violations: readonly Violation[];
}

const IRQ_STATE_NAMES: Record<number, IRQState> = {
  [IRQ_INACTIVE]: 'IRQInactive',
  [IRQ_SIGNAL]: 'IRQSignal',
  [IRQ_TIMER]: 'IRQTimer',
  [IRQ_RESERVED]: 'IRQReserved',
};

/** Each non-zero word of a user frame (device frames are not RAM and read as nothing). */
export const forEachUserWord = (k: Kernel, p: number, g: GhostObject, f: (paddr: number, value: number) => void): void => {
  if (g.type !== 'Frame' || g.isDevice || !k.mem.isRAM(p)) return;
  forEachNonZeroWord(k, p, 2 ** (g.sizeBits - 2), (i, w) => f(p + 4 * i, w));
};

/** The IRQ tables and the ASID table (fixed-size arrays, read whole). */
export const abstractInterruptsAndASIDs = (k: Kernel, v: Violation[]): Pick<KernelState, 'irqStates' | 'irqMasked' | 'irqPending' | 'asidTable'> => {
  const irqStates: IRQState[] = [];
  const irqMasked: number[] = [];
  const irqPending: number[] = [];
  for (let i = 0; i <= MAX_IRQ; i++) {
    const st = IRQ_STATE_NAMES[k.intStateIRQTable.raw[i] ?? 0];
    if (st === undefined) v.push({ path: `irqStates[${i}]`, message: `holds ${k.intStateIRQTable.raw[i]}, which is no IRQ state` });
    irqStates.push(st ?? 'IRQInactive');
    if (k.irqMasked.raw[i] === 1) irqMasked.push(i);
    if (k.irqPending.raw[i] === 1) irqPending.push(i);
  }
  const asidTable: Array<[number, PPtr]> = [];
  k.armKSASIDTable.raw.forEach((pool, high) => {
    if (pool !== 0) asidTable.push([high, pool]);
  });
  return { irqStates, irqMasked: PSet.of(irqMasked), irqPending: PSet.of(irqPending), asidTable: PMap.of(asidTable) };
};

/** The kernel's scalar globals, as the spec names them. */
export const abstractGlobals = (k: Kernel) => ({
  curThread: k.ksCurThread,
  idleThread: k.ksIdleThread,
  schedulerAction: abstractSchedulerAction(k),
  curDomain: k.ksCurDomain,
  domainTime: k.ksDomainTime,
  domainSchedule: k.ksDomSchedule.map((e) => ({ domain: e.domain, length: e.length })),
  domainScheduleIdx: k.ksDomScheduleIdx,
  domainScheduleStart: k.ksDomScheduleStart,
  workUnitsCompleted: k.ksWorkUnitsCompleted,
  irqNode: k.intStateIRQNode,
});

/** The abstraction of the whole machine, from scratch (the oracle of `--full-compare`, and every report's source). */
export const abstract = (k: Kernel): Abstraction => {
  const v: Violation[] = [];
  const sorted = [...k.ghostObjects.entries()].sort((a, b) => a[0] - b[0]);
  const objects: Array<[PPtr, KernelObject]> = [];
  const userMemory: Array<[number, number]> = [];
  for (const [p, g] of sorted) {
    objects.push([p, abstractObject(k, p, g, v)]);
    forEachUserWord(k, p, g, (a, w) => userMemory.push([a, w]));
  }
  const { caps, cdt } = abstractCSpace(k, v);
  const ready = abstractReadyQueues(k, v);
  checkQueuedBits(k, k.ghostObjects.keys(), ready.queued, v);
  const irqAndASIDs = abstractInterruptsAndASIDs(k, v);
  const state: KernelState = {
    ...abstractGlobals(k),
    objects: PMap.of(objects),
    caps,
    cdt,
    readyQueues: PMap.of(ready.queues),
    ...irqAndASIDs,
    userMemory: PMap.of(userMemory),
  };
  return { state, violations: v };
};
