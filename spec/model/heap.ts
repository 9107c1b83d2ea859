/**
 * Typed access to the object heap and the cap slots. Behaviour modules use only
 * these: a getter asserts the object's kind (as l4v's get_tcb / get_endpoint
 * fail on the wrong kind), a setter is data-last and returns the next state.
 *
 * seL4: abstract spec KHeap_A.thy, CSpaceAcc_A.thy (get_cap / set_cap);
 * Haskell Model/PSpace.lhs, Object/Instances.lhs.
 */
import { SLOT_BITS } from '../api/config';
import { unreachable } from './assert';
import { mapDelete, mapSet } from './immutable';
import type { KernelState } from './state';
import {
  type ASIDPool,
  type Cap,
  type CNode,
  type Endpoint,
  type KernelObject,
  type Notification,
  type PageDirectory,
  type PageTable,
  type PPtr,
  type SlotPtr,
  type TCB,
  nullCap,
} from './structures';

export type Transition = (s: KernelState) => KernelState;

/**
 * Haskell's `mapM_` / `forM_` over a Transition: one step per element, in the
 * list's order, each seeing the state the previous one left.
 */
export const forEach =
  <A>(xs: readonly A[], f: (x: A, i: number) => Transition): Transition =>
  (s) =>
    xs.reduce((acc, x, i) => f(x, i)(acc), s);

// ---------------------------------------------------------------- objects

export const getObject = (s: KernelState, p: PPtr): KernelObject | null => s.objects.get(p) ?? null;

const getTyped =
  <T extends KernelObject['_tag']>(tag: T) =>
  (s: KernelState, p: PPtr): Extract<KernelObject, { _tag: T }> => {
    const o = s.objects.get(p);
    // The message is built only on failure: this runs on every object read.
    if (o === undefined || o._tag !== tag) return unreachable(`expected a ${tag} at 0x${p.toString(16)}, found ${o?._tag ?? 'nothing'}`);
    return o as Extract<KernelObject, { _tag: T }>;
  };

export const getTCB: (s: KernelState, p: PPtr) => TCB = getTyped('TCB');
export const getEndpoint: (s: KernelState, p: PPtr) => Endpoint = getTyped('Endpoint');
export const getNotification: (s: KernelState, p: PPtr) => Notification = getTyped('Notification');
export const getCNode: (s: KernelState, p: PPtr) => CNode = getTyped('CNode');
export const getPageTable: (s: KernelState, p: PPtr) => PageTable = getTyped('PageTable');
export const getPageDirectory: (s: KernelState, p: PPtr) => PageDirectory = getTyped('PageDirectory');
export const getASIDPool: (s: KernelState, p: PPtr) => ASIDPool = getTyped('ASIDPool');

export const setObject =
  (p: PPtr, o: KernelObject): Transition =>
  (s) => ({ ...s, objects: mapSet(s.objects, p, o) });

export const updateTCB =
  (p: PPtr, f: (t: TCB) => TCB): Transition =>
  (s) =>
    setObject(p, f(getTCB(s, p)))(s);

export const setEndpoint = (p: PPtr, ep: Endpoint): Transition => setObject(p, ep);
export const setNotification = (p: PPtr, n: Notification): Transition => setObject(p, n);

// ---------------------------------------------------------------- cap slots

/** The address of slot `index` of the CNode (or TCB) at `obj`. */
export const slotOf = (obj: PPtr, index: number): SlotPtr => obj + index * 2 ** SLOT_BITS;

export const getCap = (s: KernelState, slot: SlotPtr): Cap => s.caps.get(slot) ?? nullCap;

/** `set_cap`: an empty slot is represented by the absence of an entry. */
export const setCap =
  (slot: SlotPtr, cap: Cap): Transition =>
  (s) => ({ ...s, caps: cap._tag === 'NullCap' ? mapDelete(s.caps, slot) : mapSet(s.caps, slot, cap) });

// ---------------------------------------------------------------- user memory

export const loadWord = (s: KernelState, paddr: number): number => s.userMemory.get(paddr) ?? 0;

export const storeWord =
  (paddr: number, value: number): Transition =>
  (s) => ({
    ...s,
    userMemory: value === 0 ? mapDelete(s.userMemory, paddr) : mapSet(s.userMemory, paddr, value >>> 0),
  });

/** Zero a physical range (word aligned): drop every stored word inside it. */
export const clearMemory =
  (base: number, bytes: number): Transition =>
  (s) => {
    const end = base + bytes;
    const inside = [...s.userMemory.keys()].filter((a) => a >= base && a < end);
    return inside.length === 0 ? s : { ...s, userMemory: inside.reduce((m, a) => m.delete(a), s.userMemory) };
  };
