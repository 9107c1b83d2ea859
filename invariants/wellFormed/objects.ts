/**
 * Objects are well placed: no two objects overlap, every object lies in one
 * piece of memory, and caps point at live objects of the type (and size) they
 * claim. seL4: l4v's valid_objs, pspace_distinct, valid_cap (Invariants_AI).
 */
import { ASID_POOL_BITS, ENDPOINT_BITS, NOTIFICATION_BITS, PAGE_DIRECTORY_BITS, PAGE_TABLE_BITS, SLOT_BITS, TCB_BITS } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import { type Cap, type KernelObject, type PPtr, type SlotPtr, TCB_SLOT_COUNT } from '../../spec/model/structures';
import { slotOf } from '../../spec/model/heap';
import { type Violation, hex } from '../violation';
import { type Subjects, upperBound, wholeSubjects } from './scope';

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

/** The object at `bases[i]` is aligned to its size and ends before the next one begins. */
const checkPlacement = (s: KernelState, bases: readonly PPtr[], i: number, v: Violation[]): void => {
  const p = bases[i];
  const o = p === undefined ? undefined : s.objects.get(p);
  if (p === undefined || o === undefined) return;
  const size = 2 ** objectSizeBits(o);
  if (p % size !== 0) v.push({ path: `objects[${hex(p)}]`, message: `a ${o._tag} of ${size} bytes is not aligned to its size` });
  const next = bases[i + 1];
  const nextObject = next === undefined ? undefined : s.objects.get(next);
  if (next !== undefined && nextObject !== undefined && p + size > next)
    v.push({ path: `objects[${hex(p)}]`, message: `this ${o._tag} overlaps the ${nextObject._tag} at ${hex(next)}` });
};

/**
 * `objectsDoNotOverlap`: sorted by address, each object ends before the next
 * begins. After a step only the objects it changed and the ones just below
 * them need a look: no other neighbours changed.
 */
export const objectsDoNotOverlap = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const bases = at.bases;
  if (at.whole) for (let i = 0; i < bases.length; i++) checkPlacement(s, bases, i, v);
  else
    for (const p of at.objects) {
      const i = upperBound(bases, p) - 1;
      checkPlacement(s, bases, i - 1, v);
      checkPlacement(s, bases, i, v);
    }
  return v;
};

/**
 * What a cap says its object is: the kind, and the size where the cap records
 * it. (The caps named here are the ones whose checks read their object: the
 * incremental check re-visits them when it changes.)
 */
export const expectedObject = (c: Cap): { ptr: number; tag: KernelObject['_tag']; check?: (o: KernelObject) => string | undefined } | undefined => {
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
export const capsPointToLiveObjects = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [slot, c] of at.caps) {
    const e = expectedObject(c);
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

/** The end of a container's slots, or undefined for an object that holds none. */
const slotsEnd = (p: PPtr, o: KernelObject): number | undefined => (o._tag === 'CNode' ? p + 2 ** objectSizeBits(o) : o._tag === 'TCB' ? slotOf(p, TCB_SLOT_COUNT) : undefined);

const inside = (s: KernelState, slot: SlotPtr, p: PPtr | undefined): boolean => {
  const o = p === undefined ? undefined : s.objects.get(p);
  const end = p === undefined || o === undefined ? undefined : slotsEnd(p, o);
  return p !== undefined && end !== undefined && slot >= p && slot < end && (slot - p) % 2 ** SLOT_BITS === 0;
};

/** `capsLiveInSlots`: slots exist only inside CNodes and TCBs. */
export const capsLiveInSlots = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const bases = at.bases;
  for (const [slot] of at.caps) {
    // The object starting at or below the slot holds it, unless objects overlap (a broken state): then any container may.
    if (inside(s, slot, bases[upperBound(bases, slot) - 1])) continue;
    if (!bases.some((p) => inside(s, slot, p))) v.push({ path: `caps[${hex(slot)}]`, message: 'a cap outside every CNode and TCB slot' });
  }
  return v;
};
