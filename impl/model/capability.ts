/**
 * Cap words: constructors, the region and object a cap covers, and the cap
 * transformations of copying (rights masks, data words, revocability), all on
 * the packed two-word cap_t.
 *
 * seL4: C src/object/objecttype.c (sameRegionAs, sameObjectAs, maskCapRights,
 * updateCapData, isCapRevocable), src/arch/arm/32/object/objecttype.c; spec
 * twin: spec/model/capability.ts.
 */
import { BADGE_BITS, GUARD_BITS, PAGE_BITS, TCB_BITS, WORD_BITS, mask } from '../../spec/api';
import { tableAt } from './memory';
import type { CapRights } from '../../spec/api';
import { Cap, CapTag, type CapT, ZOMBIE_TYPE_TCB, capGet, capOfType, capSet, capType, nullCapT } from './layout';

const b = (x: boolean): number => (x ? 1 : 0);

// ---------------------------------------------------------------- constructors

export const untypedCapNew = (ptr: number, blockSize: number, freeIndex: number, isDevice: boolean): CapT => {
  let c = capOfType(CapTag.Untyped);
  c = capSet(c, Cap.Untyped.ptr, ptr);
  c = capSet(c, Cap.Untyped.blockSize, blockSize);
  c = capSet(c, Cap.Untyped.freeIndex, freeIndex);
  return capSet(c, Cap.Untyped.isDevice, b(isDevice));
};

export const endpointCapNew = (ptr: number, badge: number, send: boolean, recv: boolean, grant: boolean, grantReply: boolean): CapT => {
  let c = capOfType(CapTag.Endpoint);
  c = capSet(c, Cap.Endpoint.ptr, ptr);
  c = capSet(c, Cap.Endpoint.badge, badge);
  c = capSet(c, Cap.Endpoint.canSend, b(send));
  c = capSet(c, Cap.Endpoint.canReceive, b(recv));
  c = capSet(c, Cap.Endpoint.canGrant, b(grant));
  return capSet(c, Cap.Endpoint.canGrantReply, b(grantReply));
};

export const notificationCapNew = (ptr: number, badge: number, send: boolean, recv: boolean): CapT => {
  let c = capOfType(CapTag.Notification);
  c = capSet(c, Cap.Notification.ptr, ptr);
  c = capSet(c, Cap.Notification.badge, badge);
  c = capSet(c, Cap.Notification.canSend, b(send));
  return capSet(c, Cap.Notification.canReceive, b(recv));
};

export const replyCapNew = (tcb: number, master: boolean, canGrant: boolean): CapT => {
  let c = capOfType(CapTag.Reply);
  c = capSet(c, Cap.Reply.tcb, tcb);
  c = capSet(c, Cap.Reply.master, b(master));
  return capSet(c, Cap.Reply.canGrant, b(canGrant));
};

export const cnodeCapNew = (ptr: number, radix: number, guard: number, guardSize: number): CapT => {
  let c = capOfType(CapTag.CNode);
  c = capSet(c, Cap.CNode.ptr, ptr);
  c = capSet(c, Cap.CNode.radix, radix);
  c = capSet(c, Cap.CNode.guard, guard);
  return capSet(c, Cap.CNode.guardSize, guardSize);
};

export const threadCapNew = (tcb: number): CapT => capSet(capOfType(CapTag.Thread), Cap.Thread.tcb, tcb);

/** A Zombie for a TCB (type 32) or a CNode of the given radix; `number` slots remain. */
export const zombieCapNew = (ptr: number, zombieType: number, number: number): CapT => {
  const bits = zombieType === ZOMBIE_TYPE_TCB ? 5 : zombieType + 1;
  const id = ((ptr & ~mask(bits)) | (number & mask(bits))) >>> 0;
  return capSet(capSet(capOfType(CapTag.Zombie), Cap.Zombie.type, zombieType), Cap.Zombie.id, id);
};
const zombieBits = (c: CapT): number => {
  const t = capGet(c, Cap.Zombie.type);
  return t === ZOMBIE_TYPE_TCB ? 5 : t + 1;
};
export const zombiePtr = (c: CapT): number => (capGet(c, Cap.Zombie.id) & ~mask(zombieBits(c))) >>> 0;
export const zombieNumber = (c: CapT): number => capGet(c, Cap.Zombie.id) & mask(zombieBits(c));
export const zombieType = (c: CapT): number => capGet(c, Cap.Zombie.type);

/** Frame caps: 4 KiB frames use the small-frame encoding, the other sizes the frame one. */
export const frameCapNew = (base: number, sizeBits: number, rights: number, isDevice: boolean, asid: number, vaddr: number): CapT => {
  const L = sizeBits === PAGE_BITS ? Cap.SmallFrame : Cap.Frame;
  let c = capOfType(sizeBits === PAGE_BITS ? CapTag.SmallFrame : CapTag.Frame);
  c = capSet(c, L.base, base);
  if (sizeBits !== PAGE_BITS) c = capSet(c, Cap.Frame.sizeCode, sizeBits === 16 ? 1 : sizeBits === 20 ? 2 : 3);
  c = capSet(c, L.rights, rights);
  c = capSet(c, L.isDevice, b(isDevice));
  c = capSet(c, L.asidHigh, asid >>> 10);
  c = capSet(c, L.asidLow, asid & 0x3ff);
  return capSet(c, L.mappedAddress, vaddr);
};

export const isFrameCap = (c: CapT): boolean => {
  const t = capType(c);
  return t === CapTag.SmallFrame || t === CapTag.Frame;
};
/** The size of a frame cap's frame by its size code (4K, 64K, 1M, 16M). */
const FRAME_SIZE_BITS: readonly number[] = [12, 16, 20, 24];
const frameLayout = (c: CapT) => (capType(c) === CapTag.SmallFrame ? Cap.SmallFrame : Cap.Frame);
export const frameBase = (c: CapT): number => capGet(c, frameLayout(c).base);
export const frameSizeBits = (c: CapT): number => (capType(c) === CapTag.SmallFrame ? PAGE_BITS : tableAt(FRAME_SIZE_BITS, capGet(c, Cap.Frame.sizeCode), 'frame size code'));
export const frameRights = (c: CapT): number => capGet(c, frameLayout(c).rights);
export const frameIsDevice = (c: CapT): boolean => capGet(c, frameLayout(c).isDevice) === 1;
export const frameMappedASID = (c: CapT): number => {
  const L = frameLayout(c);
  return ((capGet(c, L.asidHigh) << 10) | capGet(c, L.asidLow)) >>> 0;
};
export const frameMappedAddress = (c: CapT): number => capGet(c, frameLayout(c).mappedAddress);
export const frameSetMapping = (c: CapT, asid: number, vaddr: number): CapT => {
  const L = frameLayout(c);
  return capSet(capSet(capSet(c, L.asidHigh, asid >>> 10), L.asidLow, asid & 0x3ff), L.mappedAddress, vaddr);
};
export const frameSetRights = (c: CapT, rights: number): CapT => capSet(c, frameLayout(c).rights, rights);

export const pageTableCapNew = (ptr: number, mapped: boolean, asid: number, vaddr: number): CapT => {
  let c = capSet(capOfType(CapTag.PageTable), Cap.PageTable.ptr, ptr);
  c = capSet(c, Cap.PageTable.isMapped, b(mapped));
  c = capSet(c, Cap.PageTable.asid, asid);
  return capSet(c, Cap.PageTable.mappedAddress, vaddr);
};

export const pageDirectoryCapNew = (ptr: number, mapped: boolean, asid: number): CapT =>
  capSet(capSet(capSet(capOfType(CapTag.PageDirectory), Cap.PageDirectory.ptr, ptr), Cap.PageDirectory.isMapped, b(mapped)), Cap.PageDirectory.asid, asid);

export const asidPoolCapNew = (ptr: number, asidBase: number): CapT => capSet(capSet(capOfType(CapTag.ASIDPool), Cap.ASIDPool.ptr, ptr), Cap.ASIDPool.asidBase, asidBase);

// ---------------------------------------------------------------- regions

/** Caps generated from untyped memory. */
export const isPhysicalCap = (c: CapT): boolean => {
  switch (capType(c)) {
    case CapTag.Null:
    case CapTag.IRQControl:
    case CapTag.Domain:
    case CapTag.IRQHandler:
    case CapTag.Reply:
    case CapTag.ASIDControl:
    case CapTag.SGISignal:
      return false;
    default:
      return true;
  }
};

/** `cap_get_capPtr`: the object base of a physical cap. */
export const capPtr = (c: CapT): number => {
  switch (capType(c)) {
    case CapTag.Untyped:
      return capGet(c, Cap.Untyped.ptr);
    case CapTag.Endpoint:
      return capGet(c, Cap.Endpoint.ptr);
    case CapTag.Notification:
      return capGet(c, Cap.Notification.ptr);
    case CapTag.CNode:
      return capGet(c, Cap.CNode.ptr);
    case CapTag.Thread:
      return capGet(c, Cap.Thread.tcb);
    case CapTag.Zombie:
      return zombiePtr(c);
    case CapTag.SmallFrame:
    case CapTag.Frame:
      return frameBase(c);
    case CapTag.PageTable:
      return capGet(c, Cap.PageTable.ptr);
    case CapTag.PageDirectory:
      return capGet(c, Cap.PageDirectory.ptr);
    case CapTag.ASIDPool:
      return capGet(c, Cap.ASIDPool.ptr);
    case CapTag.Reply:
      return capGet(c, Cap.Reply.tcb);
    default:
      return 0;
  }
};

/** `cap_get_capSizeBits`: log2 of the object's size. */
export const capSizeBits = (c: CapT): number => {
  switch (capType(c)) {
    case CapTag.Untyped:
      return capGet(c, Cap.Untyped.blockSize);
    case CapTag.Endpoint:
    case CapTag.Notification:
      return 4;
    case CapTag.CNode:
      return capGet(c, Cap.CNode.radix) + 4;
    case CapTag.Thread:
      return TCB_BITS;
    case CapTag.Zombie:
      return zombieType(c) === ZOMBIE_TYPE_TCB ? TCB_BITS : zombieType(c) + 4;
    case CapTag.SmallFrame:
    case CapTag.Frame:
      return frameSizeBits(c);
    case CapTag.PageTable:
      return 10;
    case CapTag.PageDirectory:
      return 14;
    case CapTag.ASIDPool:
      return 12;
    default:
      return 0;
  }
};

export const capBadge = (c: CapT): number => {
  const t = capType(c);
  if (t === CapTag.Endpoint) return capGet(c, Cap.Endpoint.badge);
  if (t === CapTag.Notification) return capGet(c, Cap.Notification.badge);
  return 0;
};

/** `sameRegionAs a b` (a first in MDB order). */
export const sameRegionAs = (a: CapT, b2: CapT): boolean => {
  const ta = capType(a);
  const tb = capType(b2);
  switch (ta) {
    case CapTag.Untyped: {
      if (!isPhysicalCap(b2)) return false;
      const aBase = capPtr(a);
      const aTop = aBase + 2 ** capSizeBits(a) - 1;
      const bBase = capPtr(b2);
      const bTop = bBase + 2 ** capSizeBits(b2) - 1;
      return bBase >= aBase && bTop <= aTop && bBase <= bTop;
    }
    case CapTag.Endpoint:
    case CapTag.Notification:
    case CapTag.Thread:
    case CapTag.PageTable:
    case CapTag.PageDirectory:
    case CapTag.ASIDPool:
      return tb === ta && capPtr(a) === capPtr(b2);
    case CapTag.CNode:
      return tb === CapTag.CNode && capPtr(a) === capPtr(b2) && capGet(a, Cap.CNode.radix) === capGet(b2, Cap.CNode.radix);
    case CapTag.Reply:
      return tb === CapTag.Reply && capGet(a, Cap.Reply.tcb) === capGet(b2, Cap.Reply.tcb);
    case CapTag.Domain:
    case CapTag.ASIDControl:
      return tb === ta;
    case CapTag.IRQControl:
      return tb === CapTag.IRQControl || tb === CapTag.IRQHandler || tb === CapTag.SGISignal;
    case CapTag.IRQHandler:
      return tb === CapTag.IRQHandler && capGet(a, Cap.IRQHandler.irq) === capGet(b2, Cap.IRQHandler.irq);
    case CapTag.SmallFrame:
    case CapTag.Frame: {
      if (!isFrameCap(b2)) return false;
      const aBase = frameBase(a);
      const aTop = aBase + 2 ** frameSizeBits(a) - 1;
      const bBase = frameBase(b2);
      const bTop = bBase + 2 ** frameSizeBits(b2) - 1;
      return bBase >= aBase && bTop <= aTop && bBase <= bTop;
    }
    case CapTag.SGISignal:
      return tb === CapTag.SGISignal && a.w0 === b2.w0 && a.w1 === b2.w1;
    default:
      return false;
  }
};

/** `sameObjectAs`: as sameRegionAs, but an enclosing untyped or IRQ control never counts. */
export const sameObjectAs = (a: CapT, b2: CapT): boolean => {
  const ta = capType(a);
  if (ta === CapTag.Untyped || ta === CapTag.IRQControl || ta === CapTag.SGISignal) return false;
  if (ta === CapTag.SmallFrame || ta === CapTag.Frame) {
    return isFrameCap(b2) && frameBase(a) === frameBase(b2) && frameSizeBits(a) === frameSizeBits(b2) && frameIsDevice(a) === frameIsDevice(b2);
  }
  return sameRegionAs(a, b2);
};

// ---------------------------------------------------------------- transformations

/** ARM `maskVMRights` on the C numbering (0 NoAccess, 1 KernelOnly, 2 ReadOnly, 3 ReadWrite). */
export const maskVMRightsNum = (r: number, m: CapRights): number => {
  if (r === 0) return 0;
  if (r === 2 && m.read) return 2;
  if (r === 3 && m.read) return m.write ? 3 : 2;
  return 1;
};

export const maskCapRights = (r: CapRights, c: CapT): CapT => {
  switch (capType(c)) {
    case CapTag.Endpoint: {
      let n = c;
      n = capSet(n, Cap.Endpoint.canSend, capGet(c, Cap.Endpoint.canSend) & b(r.write));
      n = capSet(n, Cap.Endpoint.canReceive, capGet(c, Cap.Endpoint.canReceive) & b(r.read));
      n = capSet(n, Cap.Endpoint.canGrant, capGet(c, Cap.Endpoint.canGrant) & b(r.grant));
      return capSet(n, Cap.Endpoint.canGrantReply, capGet(c, Cap.Endpoint.canGrantReply) & b(r.grantReply));
    }
    case CapTag.Notification: {
      const n = capSet(c, Cap.Notification.canSend, capGet(c, Cap.Notification.canSend) & b(r.write));
      return capSet(n, Cap.Notification.canReceive, capGet(c, Cap.Notification.canReceive) & b(r.read));
    }
    case CapTag.Reply:
      return capSet(c, Cap.Reply.canGrant, capGet(c, Cap.Reply.canGrant) & b(r.grant));
    case CapTag.SmallFrame:
    case CapTag.Frame:
      return frameSetRights(c, maskVMRightsNum(frameRights(c), r));
    default:
      return c;
  }
};

/** `updateCapData preserve w cap`; a refused update is the null cap. */
export const updateCapData = (preserve: boolean, w: number, c: CapT, badgeBits = BADGE_BITS): CapT => {
  switch (capType(c)) {
    case CapTag.Endpoint:
      if (!preserve && capGet(c, Cap.Endpoint.badge) === 0) return capSet(c, Cap.Endpoint.badge, w & mask(badgeBits));
      return nullCapT;
    case CapTag.Notification:
      if (!preserve && capGet(c, Cap.Notification.badge) === 0) return capSet(c, Cap.Notification.badge, w & mask(badgeBits));
      return nullCapT;
    case CapTag.CNode: {
      const guardSize = (w >>> 3) & 0x1f;
      if (guardSize + capGet(c, Cap.CNode.radix) > WORD_BITS) return nullCapT;
      const guard = (w >>> 8) & mask(GUARD_BITS) & mask(guardSize);
      return capSet(capSet(c, Cap.CNode.guard, guard), Cap.CNode.guardSize, guardSize);
    }
    default:
      return c;
  }
};

/** `isCapRevocable new src`. */
export const isCapRevocable = (newCap: CapT, srcCap: CapT): boolean => {
  switch (capType(newCap)) {
    case CapTag.Endpoint:
    case CapTag.Notification:
      return capBadge(newCap) !== capBadge(srcCap);
    case CapTag.IRQHandler:
    case CapTag.SGISignal:
      return capType(srcCap) === CapTag.IRQControl;
    case CapTag.Untyped:
      return true;
    default:
      return false;
  }
};
