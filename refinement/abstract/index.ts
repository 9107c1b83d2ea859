/**
 * The abstraction function: the spec state a concrete kernel represents, and
 * the violations of the representation invariant found on the way. It is the
 * assembly of the per-concept abstractions, as l4v's state_relation is.
 */
import { MAX_IRQ, PAGE_BITS } from '../../spec/api';
import type { IRQState, KernelState } from '../../spec/model/state';
import type { KernelObject, PPtr } from '../../spec/model/structures';
import { IRQ_INACTIVE, IRQ_RESERVED, IRQ_SIGNAL, IRQ_TIMER, type Kernel } from '../../impl/model/state';
import { abstractCSpace } from './cspace';
import { abstractObject } from './objects';
import { abstractReadyQueues, abstractSchedulerAction } from './scheduler';
import type { Violation } from './read';

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

/** The non-zero words of user frames (device frames are not RAM and read as nothing). */
const abstractUserMemory = (k: Kernel): Map<number, number> => {
  const mem = new Map<number, number>();
  const frames = [...k.ghostObjects.entries()].filter(([p, g]) => g.type === 'Frame' && !g.isDevice && k.mem.isRAM(p));
  frames.sort((a, b) => a[0] - b[0]);
  for (const [p, g] of frames) {
    for (let page = p; page < p + 2 ** g.sizeBits; page += 2 ** PAGE_BITS) {
      if (!k.mem.pageMayBeDirty(page)) continue;
      for (let a = page; a < page + 2 ** PAGE_BITS; a += 4) {
        const w = k.mem.peek(a);
        if (w !== 0) mem.set(a, w);
      }
    }
  }
  return mem;
};

export const abstract = (k: Kernel): Abstraction => {
  const v: Violation[] = [];
  const objects = new Map<PPtr, KernelObject>();
  for (const [p, g] of [...k.ghostObjects.entries()].sort((a, b) => a[0] - b[0])) objects.set(p, abstractObject(k, p, g, v));
  const { caps, cdt } = abstractCSpace(k, v);
  const irqStates: IRQState[] = [];
  const irqMasked = new Set<number>();
  const irqPending = new Set<number>();
  for (let i = 0; i <= MAX_IRQ; i++) {
    irqStates.push(IRQ_STATE_NAMES[k.intStateIRQTable[i] ?? 0] ?? 'IRQInactive');
    if (k.irqMasked[i] === 1) irqMasked.add(i);
    if (k.irqPending[i] === 1) irqPending.add(i);
  }
  const asidTable = new Map<number, PPtr>();
  k.armKSASIDTable.forEach((pool, high) => {
    if (pool !== 0) asidTable.set(high, pool);
  });
  const state: KernelState = {
    objects,
    caps,
    cdt,
    curThread: k.ksCurThread,
    idleThread: k.ksIdleThread,
    schedulerAction: abstractSchedulerAction(k),
    readyQueues: abstractReadyQueues(k, v),
    curDomain: k.ksCurDomain,
    domainTime: k.ksDomainTime,
    domainSchedule: k.ksDomSchedule.map((e) => ({ domain: e.domain, length: e.length })),
    domainScheduleIdx: k.ksDomScheduleIdx,
    domainScheduleStart: k.ksDomScheduleStart,
    workUnitsCompleted: k.ksWorkUnitsCompleted,
    irqStates,
    irqNode: k.intStateIRQNode,
    asidTable,
    userMemory: abstractUserMemory(k),
    irqPending,
    irqMasked,
  };
  return { state, violations: v };
};
