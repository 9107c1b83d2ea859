/**
 * The abstraction function: the spec state a concrete kernel represents, and
 * the violations of the representation invariant found on the way. It is the
 * assembly of the per-concept abstractions, as l4v's state_relation is.
 */
import { MAX_IRQ, PAGE_BITS } from '../../spec/api';
import type { IRQState, KernelState } from '../../spec/model/state';
import type { KernelObject, PPtr } from '../../spec/model/structures';
import { type GhostObject, IRQ_INACTIVE, IRQ_RESERVED, IRQ_SIGNAL, IRQ_TIMER, type Kernel } from '../../impl/model/state';
import { abstractCSpace } from './cspace';
import { abstractObject } from './objects';
import { abstractReadyQueues, abstractSchedulerAction } from './scheduler';
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

/** The non-zero words of one page, cached until the page is written. */
const pageWordsCache = new WeakMap<Kernel, Map<number, ReadonlyArray<readonly [number, number]>>>();

/** The non-zero words of user frames (device frames are not RAM and read as nothing). */
const abstractUserMemory = (k: Kernel, sorted: ReadonlyArray<readonly [number, GhostObject]>, written: ReadonlySet<number>): Map<number, number> => {
  let cache = pageWordsCache.get(k);
  if (cache === undefined) {
    cache = new Map();
    pageWordsCache.set(k, cache);
  }
  const mem = new Map<number, number>();
  const dirty = k.mem.dirtyPageAddresses();
  for (const [p, g] of sorted) {
    if (g.type !== 'Frame' || g.isDevice || !k.mem.isRAM(p)) continue;
    // The frame's dirty pages: a binary search for the first, then a walk.
    let lo = 0;
    let hi = dirty.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((dirty[mid] ?? 0) < p) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < dirty.length && (dirty[i] ?? 0) < p + 2 ** g.sizeBits; i++) {
      const page = dirty[i] ?? 0;
      let words = written.has(k.mem.pageOf(page)) ? undefined : cache.get(page);
      if (words === undefined) {
        const found: Array<readonly [number, number]> = [];
        forEachNonZeroWord(k, page, 2 ** (PAGE_BITS - 2), (i, w) => found.push([page + 4 * i, w]));
        words = found;
        cache.set(page, words);
      }
      for (const [a, w] of words) mem.set(a, w);
    }
  }
  return mem;
};

interface CachedObject {
  readonly key: string;
  readonly obj: KernelObject;
  readonly violations: readonly Violation[];
}

/** Objects whose abstraction reads only their own words, cached until one of their pages is written. */
const objectCache = new WeakMap<Kernel, Map<PPtr, CachedObject>>();
const SELF_CONTAINED = new Set(['TCB', 'CNode', 'Frame', 'PageTable', 'PageDirectory', 'ASIDPool']);

const abstractObjects = (k: Kernel, sorted: ReadonlyArray<readonly [number, GhostObject]>, written: ReadonlySet<number>, v: Violation[]) => {
  let cache = objectCache.get(k);
  if (cache === undefined) {
    cache = new Map();
    objectCache.set(k, cache);
  }
  const objects = new Map<PPtr, KernelObject>();
  for (const [p, g] of sorted) {
    const key = `${g.type}:${g.sizeBits}:${g.isDevice}`;
    const cached = cache.get(p);
    let touched = cached === undefined || cached.key !== key || !SELF_CONTAINED.has(g.type);
    if (!touched && g.type !== 'Frame' && g.type !== 'CNode') {
      for (let a = p; a < p + 2 ** g.sizeBits && !touched; a += 2 ** PAGE_BITS) touched = written.has(k.mem.pageOf(a));
    }
    if (touched) {
      const vs: Violation[] = [];
      const obj = abstractObject(k, p, g, vs);
      cache.set(p, { key, obj, violations: vs });
      objects.set(p, obj);
      v.push(...vs);
    } else if (cached !== undefined) {
      objects.set(p, cached.obj);
      v.push(...cached.violations);
    }
  }
  for (const p of cache.keys()) if (!k.ghostObjects.has(p)) cache.delete(p);
  return objects;
};

export const abstract = (k: Kernel): Abstraction => {
  const v: Violation[] = [];
  const written = new Set(k.mem.writtenPages);
  k.mem.writtenPages.clear();
  const sorted = [...k.ghostObjects.entries()].sort((a, b) => a[0] - b[0]);
  const objects = abstractObjects(k, sorted, written, v);
  const { caps, cdt } = abstractCSpace(k, v, written);
  const irqStates: IRQState[] = [];
  const irqMasked = new Set<number>();
  const irqPending = new Set<number>();
  for (let i = 0; i <= MAX_IRQ; i++) {
    const st = IRQ_STATE_NAMES[k.intStateIRQTable.raw[i] ?? 0];
    if (st === undefined) v.push({ path: `irqStates[${i}]`, message: `holds ${k.intStateIRQTable.raw[i]}, which is no IRQ state` });
    irqStates.push(st ?? 'IRQInactive');
    if (k.irqMasked.raw[i] === 1) irqMasked.add(i);
    if (k.irqPending.raw[i] === 1) irqPending.add(i);
  }
  const asidTable = new Map<number, PPtr>();
  k.armKSASIDTable.raw.forEach((pool, high) => {
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
    userMemory: abstractUserMemory(k, sorted, written),
    irqPending,
    irqMasked,
  };
  return { state, violations: v };
};
