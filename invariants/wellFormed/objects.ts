/**
 * Objects are well placed: no two objects overlap, every object lies in one
 * piece of memory, and caps point at live objects of the type (and size) they
 * claim. seL4: l4v's valid_objs, pspace_distinct, valid_cap (Invariants_AI).
 */
import { ASID_POOL_BITS, ENDPOINT_BITS, NOTIFICATION_BITS, PAGE_DIRECTORY_BITS, PAGE_TABLE_BITS, SLOT_BITS, TCB_BITS } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import { type Cap, type KernelObject, TCB_SLOT_COUNT } from '../../spec/model/structures';
import { slotOf } from '../../spec/model/heap';
import { type Violation, hex } from '../violation';

/** log2 of an object's size in bytes. */
const objectSizeBits = (o: KernelObject): number => {
  switch (o._tag) {
    case 'TCB':
      return TCB_BITS;
    case 'Endpoint':
      return ENDPOINT_BITS;
    case 'Notification':
      return NOTIFICATION_BITS;
    case 'CNode':
      return o.radix + SLOT_BITS;
    case 'Frame':
      return o.sizeBits;
    case 'PageTable':
      return PAGE_TABLE_BITS;
    case 'PageDirectory':
      return PAGE_DIRECTORY_BITS;
    case 'ASIDPool':
      return ASID_POOL_BITS;
  }
};

/** `objectsDoNotOverlap`: sorted by address, each object ends before the next begins. */
export const objectsDoNotOverlap = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  const objs = [...s.objects.entries()].sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < objs.length; i++) {
    const [p, o] = objs[i] as [number, KernelObject];
    const size = 2 ** objectSizeBits(o);
    if (p % size !== 0) v.push({ path: `objects[${hex(p)}]`, message: `a ${o._tag} of ${size} bytes is not aligned to its size` });
    const next = objs[i + 1];
    if (next !== undefined && p + size > next[0]) v.push({ path: `objects[${hex(p)}]`, message: `this ${o._tag} overlaps the ${next[1]._tag} at ${hex(next[0])}` });
  }
  return v;
};

/** What a cap says its object is: the kind, and the size where the cap records it. */
const expected = (c: Cap): { ptr: number; tag: KernelObject['_tag']; check?: (o: KernelObject) => string | undefined } | undefined => {
  switch (c._tag) {
    case 'ThreadCap':
      return { ptr: c.tcb, tag: 'TCB' };
    case 'ReplyCap':
      return { ptr: c.tcb, tag: 'TCB' };
    case 'EndpointCap':
      return { ptr: c.ptr, tag: 'Endpoint' };
    case 'NotificationCap':
      return { ptr: c.ptr, tag: 'Notification' };
    case 'CNodeCap':
      return {
        ptr: c.ptr,
        tag: 'CNode',
        check: (o) => (o._tag === 'CNode' && o.radix !== c.radix ? `radix ${c.radix} but the CNode has ${o.radix}` : undefined),
      };
    case 'FrameCap':
      return {
        ptr: c.ptr,
        tag: 'Frame',
        check: (o) => (o._tag === 'Frame' && (o.sizeBits !== c.sizeBits || o.isDevice !== c.isDevice) ? `a ${c.sizeBits}-bit frame cap to a ${o.sizeBits}-bit frame` : undefined),
      };
    case 'PageTableCap':
      return { ptr: c.ptr, tag: 'PageTable' };
    case 'PageDirectoryCap':
      return { ptr: c.ptr, tag: 'PageDirectory' };
    case 'ASIDPoolCap':
      return { ptr: c.ptr, tag: 'ASIDPool' };
    case 'ZombieCap':
      return { ptr: c.ptr, tag: c.zombieType._tag === 'ZombieTCB' ? 'TCB' : 'CNode' };
    default:
      return undefined;
  }
};

/** `capsPointToLiveObjects`: every cap names an existing object of the right type. */
export const capsPointToLiveObjects = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  for (const [slot, c] of s.caps) {
    const e = expected(c);
    if (e === undefined) continue;
    const o = s.objects.get(e.ptr);
    if (o === undefined) {
      v.push({ path: `caps[${hex(slot)}]`, message: `${c._tag} points at ${hex(e.ptr)}, where no object lives` });
      continue;
    }
    if (o._tag !== e.tag) {
      v.push({ path: `caps[${hex(slot)}]`, message: `${c._tag} points at a ${o._tag}, expected a ${e.tag}` });
      continue;
    }
    const problem = e.check?.(o);
    if (problem !== undefined) v.push({ path: `caps[${hex(slot)}]`, message: problem });
  }
  return v;
};

/** Slots exist only inside CNodes and TCBs. */
export const capsLiveInSlots = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  const slotBytes = 2 ** SLOT_BITS;
  // [first slot, end) of every container, sorted and non-overlapping (objectsDoNotOverlap checks that).
  const containers = [...s.objects.entries()]
    .filter(([, o]) => o._tag === 'CNode' || o._tag === 'TCB')
    .map(([p, o]) => [p, o._tag === 'CNode' ? p + 2 ** objectSizeBits(o) : slotOf(p, TCB_SLOT_COUNT)] as const)
    .sort((a, b) => a[0] - b[0]);
  const inside = (slot: number, [lo, hi]: readonly [number, number]) => slot >= lo && slot < hi && (slot - lo) % slotBytes === 0;
  for (const slot of s.caps.keys()) {
    // The last container starting at or below the slot; a full scan only if that misses (overlaps in a broken state).
    let lo = 0;
    let hi = containers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((containers[mid]?.[0] ?? 0) <= slot) lo = mid + 1;
      else hi = mid;
    }
    const candidate = containers[lo - 1];
    if (candidate !== undefined && inside(slot, candidate)) continue;
    if (!containers.some((c) => inside(slot, c))) v.push({ path: `caps[${hex(slot)}]`, message: 'a cap outside every CNode and TCB slot' });
  }
  return v;
};
