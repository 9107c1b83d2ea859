/**
 * Object creation and destruction in untyped memory: the default contents of
 * each new object and its first cap, and forgetting the objects of a region
 * that is being reset.
 *
 * seL4: Haskell Object/ObjectType.lhs (createObject, createNewObjects),
 * Object/ObjectType/ARM.lhs; abstract spec Retype_A.thy (retype_region,
 * default_object), Untyped_A.thy (delete_objects); C src/object/objecttype.c.
 */
import { pipe } from 'fp-ts/function';
import { TIME_SLICE } from '../api/config';
import { type ObjectType, frameSizeBitsOf, getObjectSize } from '../api/objectType';
import { CPSR, N_CONTEXT_REGISTERS, CPSR_USER } from '../api/registers';
import { kernelAssert } from '../model/assert';
import { cdtCreate } from '../model/cdt';
import { type Transition, forEach, setCap, setObject } from '../model/heap';
import type { KernelState } from '../model/state';
import { type Cap, type KernelObject, type PPtr, type SlotPtr, type TCB, inactive } from '../model/structures';

// ---------------------------------------------------------------- creating objects

/** A fresh thread: inactive, priority 0, in the current domain, in user mode. */
export const newTCB = (domain: number): TCB => {
  const context = new Array<number>(N_CONTEXT_REGISTERS).fill(0);
  context[CPSR] = CPSR_USER;
  return {
    _tag: 'TCB',
    state: inactive,
    fault: null,
    priority: 0,
    mcp: 0,
    domain,
    timeSlice: TIME_SLICE,
    faultHandler: 0,
    ipcBuffer: 0,
    boundNotification: null,
    flags: 0,
    context,
  };
};

/** `createObject`: place a default object of the type at `base` and return the cap to it. */
export const createObject = (s: KernelState, t: ObjectType, base: PPtr, userSize: number, isDevice: boolean): { readonly state: KernelState; readonly cap: Cap } => {
  const place = (o: KernelObject) => setObject(base, o)(s);
  switch (t) {
    case 'Untyped':
      return { state: s, cap: { _tag: 'UntypedCap', ptr: base, blockSize: userSize, freeIndex: 0, isDevice } };
    case 'TCB':
      return { state: place(newTCB(s.curDomain)), cap: { _tag: 'ThreadCap', tcb: base } };
    case 'Endpoint':
      return {
        state: place({ _tag: 'Endpoint', state: { _tag: 'IdleEP' } }),
        cap: { _tag: 'EndpointCap', ptr: base, badge: 0, canSend: true, canReceive: true, canGrant: true, canGrantReply: true },
      };
    case 'Notification':
      return {
        state: place({ _tag: 'Notification', state: { _tag: 'IdleNtfn' }, boundTCB: null }),
        cap: { _tag: 'NotificationCap', ptr: base, badge: 0, canSend: true, canReceive: true },
      };
    case 'CapTable':
      return {
        state: place({ _tag: 'CNode', radix: userSize }),
        cap: { _tag: 'CNodeCap', ptr: base, radix: userSize, guard: 0, guardSize: 0 },
      };
    case 'PageTable':
      return { state: place({ _tag: 'PageTable', entries: new Map() }), cap: { _tag: 'PageTableCap', ptr: base, mapped: null } };
    case 'PageDirectory':
      return {
        state: place({ _tag: 'PageDirectory', entries: new Map() }),
        cap: { _tag: 'PageDirectoryCap', ptr: base, mappedASID: null },
      };
    default: {
      const sizeBits = frameSizeBitsOf(t);
      kernelAssert(sizeBits !== null, `createObject: unknown type ${t}`);
      return {
        state: place({ _tag: 'Frame', sizeBits, isDevice }),
        cap: { _tag: 'FrameCap', ptr: base, sizeBits, rights: 'VMReadWrite', isDevice, mapped: null },
      };
    }
  }
};

/**
 * `createNewObjects`: object i goes at base + i * size and its cap into
 * destSlots[i], each inserted as the untyped's newest child.
 */
export const createNewObjects = (t: ObjectType, untypedSlot: SlotPtr, destSlots: readonly SlotPtr[], base: PPtr, userSize: number, isDevice: boolean): Transition => {
  const size = 2 ** getObjectSize(t, userSize);
  return forEach(destSlots, (dest, i) => (s) => {
    const { state, cap } = createObject(s, t, base + i * size, userSize, isDevice);
    return pipe(state, setCap(dest, cap), cdtCreate(untypedSlot, dest));
  });
};

/** `deleteObjects` (detype): every object inside the region ceases to exist. */
export const deleteObjects =
  (base: PPtr, sizeBits: number): Transition =>
  (s) => {
    const end = base + 2 ** sizeBits;
    const inside = [...s.objects.keys()].filter((p) => p >= base && p < end);
    return inside.length === 0 ? s : { ...s, objects: inside.reduce((m, p) => m.delete(p), s.objects) };
  };
