/**
 * Pure facts about capabilities: which object region a cap covers, when two
 * caps name the same object, how rights masks and data words change a cap, and
 * which caps may be MDB parents. Nothing here reads the kernel state.
 *
 * seL4: Haskell Object/ObjectType.lhs and Object/ObjectType/ARM.lhs
 * (sameRegionAs, sameObjectAs, isPhysicalCap, maskCapRights, updateCapData,
 * isCapRevocable), Object/CNode.lhs (isMDBParentOf); C src/object/objecttype.c.
 */
import { BADGE_BITS, GUARD_BITS, TCB_BITS } from '../api/config';
import { type CapRights, maskVMRights } from '../api/rights';
import { WORD_BITS, mask } from '../api/word';
import { type Cap, nullCap } from './structures';

/** Caps that name memory obtained from an untyped (everything but the "virtual" caps). */
export const isPhysicalCap = (c: Cap): boolean => {
  switch (c._tag) {
    case 'NullCap':
    case 'IRQControlCap':
    case 'DomainCap':
    case 'IRQHandlerCap':
    case 'ReplyCap':
    case 'ASIDControlCap':
    case 'SGISignalCap':
      return false;
    default:
      return true;
  }
};

/** The base address of the object a physical cap names (Haskell `capUntypedPtr`). */
export const capObjectBase = (c: Cap): number => {
  switch (c._tag) {
    case 'UntypedCap':
    case 'EndpointCap':
    case 'NotificationCap':
    case 'CNodeCap':
    case 'ZombieCap':
    case 'FrameCap':
    case 'PageTableCap':
    case 'PageDirectoryCap':
    case 'ASIDPoolCap':
      return c.ptr;
    case 'ThreadCap':
      return c.tcb;
    default:
      return 0;
  }
};

/** log2 of the size of the object a physical cap names (Haskell `capUntypedSize`). */
export const capObjectSizeBits = (c: Cap): number => {
  switch (c._tag) {
    case 'UntypedCap':
      return c.blockSize;
    case 'EndpointCap':
    case 'NotificationCap':
      return 4;
    case 'CNodeCap':
      return c.radix + 4;
    case 'ThreadCap':
      return TCB_BITS;
    case 'ZombieCap':
      return c.zombieType._tag === 'ZombieTCB' ? TCB_BITS : c.zombieType.radix + 4;
    case 'FrameCap':
      return c.sizeBits;
    case 'PageTableCap':
      return 10;
    case 'PageDirectoryCap':
      return 14;
    case 'ASIDPoolCap':
      return 12;
    default:
      return 0;
  }
};

/**
 * `sameRegionAs a b` (a first in MDB order): a grants access to everything b
 * does. An untyped covers every physical cap inside its range.
 */
export const sameRegionAs = (a: Cap, b: Cap): boolean => {
  switch (a._tag) {
    case 'UntypedCap': {
      if (!isPhysicalCap(b)) return false;
      const baseA = a.ptr;
      const topA = baseA + 2 ** a.blockSize - 1;
      const baseB = capObjectBase(b);
      const topB = baseB + 2 ** capObjectSizeBits(b) - 1;
      return baseA <= baseB && topB <= topA && baseB <= topB;
    }
    case 'EndpointCap':
      return b._tag === 'EndpointCap' && a.ptr === b.ptr;
    case 'NotificationCap':
      return b._tag === 'NotificationCap' && a.ptr === b.ptr;
    case 'CNodeCap':
      return b._tag === 'CNodeCap' && a.ptr === b.ptr && a.radix === b.radix;
    case 'ThreadCap':
      return b._tag === 'ThreadCap' && a.tcb === b.tcb;
    case 'ReplyCap':
      return b._tag === 'ReplyCap' && a.tcb === b.tcb;
    case 'DomainCap':
      return b._tag === 'DomainCap';
    case 'IRQControlCap':
      return b._tag === 'IRQControlCap' || b._tag === 'IRQHandlerCap' || b._tag === 'SGISignalCap';
    case 'IRQHandlerCap':
      return b._tag === 'IRQHandlerCap' && a.irq === b.irq;
    case 'FrameCap': {
      if (b._tag !== 'FrameCap') return false;
      const topA = a.ptr + 2 ** a.sizeBits - 1;
      const topB = b.ptr + 2 ** b.sizeBits - 1;
      return a.ptr <= b.ptr && topA >= topB && b.ptr <= topB;
    }
    case 'PageTableCap':
      return b._tag === 'PageTableCap' && a.ptr === b.ptr;
    case 'PageDirectoryCap':
      return b._tag === 'PageDirectoryCap' && a.ptr === b.ptr;
    case 'ASIDControlCap':
      return b._tag === 'ASIDControlCap';
    case 'ASIDPoolCap':
      return b._tag === 'ASIDPoolCap' && a.ptr === b.ptr;
    case 'SGISignalCap':
      return b._tag === 'SGISignalCap' && a.irq === b.irq && a.target === b.target;
    default:
      return false;
  }
};

/**
 * `sameObjectAs`: b's object is a's object, so a is not the final cap to it.
 * An enclosing untyped or the IRQ control cap never counts.
 */
export const sameObjectAs = (a: Cap, b: Cap): boolean => {
  switch (a._tag) {
    case 'UntypedCap':
    case 'IRQControlCap':
    case 'SGISignalCap':
      return false;
    case 'FrameCap':
      return b._tag === 'FrameCap' && a.ptr === b.ptr && a.sizeBits === b.sizeBits && a.isDevice === b.isDevice;
    default:
      return sameRegionAs(a, b);
  }
};

/**
 * The object a cap names, as `sameObjectAs` tells objects apart: two caps
 * have the same key exactly when either is `sameObjectAs` the other; null for
 * the caps that are never (an untyped, IRQ control, an SGI signal, a zombie,
 * the null cap). Lets finality be looked up instead of scanned for.
 */
export const capObjectKey = (c: Cap): string | null => {
  switch (c._tag) {
    case 'EndpointCap':
    case 'NotificationCap':
    case 'PageTableCap':
    case 'PageDirectoryCap':
    case 'ASIDPoolCap':
      return `${c._tag}:${c.ptr}`;
    case 'CNodeCap':
      return `CNodeCap:${c.ptr}:${c.radix}`;
    case 'ThreadCap':
    case 'ReplyCap':
      return `${c._tag}:${c.tcb}`;
    case 'IRQHandlerCap':
      return `IRQHandlerCap:${c.irq}`;
    case 'FrameCap':
      return `FrameCap:${c.ptr}:${c.sizeBits}:${c.isDevice}`;
    case 'DomainCap':
    case 'ASIDControlCap':
      return c._tag;
    default:
      return null;
  }
};

/** `maskCapRights`: AND the cap's rights with the mask; caps without rights are unchanged. */
export const maskCapRights = (r: CapRights, c: Cap): Cap => {
  switch (c._tag) {
    case 'EndpointCap':
      return {
        ...c,
        canSend: c.canSend && r.write,
        canReceive: c.canReceive && r.read,
        canGrant: c.canGrant && r.grant,
        canGrantReply: c.canGrantReply && r.grantReply,
      };
    case 'NotificationCap':
      return { ...c, canSend: c.canSend && r.write, canReceive: c.canReceive && r.read };
    case 'ReplyCap':
      return { ...c, canGrant: c.canGrant && r.grant };
    case 'FrameCap':
      return { ...c, rights: maskVMRights(c.rights, r) };
    default:
      return c;
  }
};

/**
 * `updateCapData preserve w cap`: apply a user data word. A badge can be set
 * only once and never by Mutate/Rotate (`preserve`); a CNode takes a new guard
 * unless guard size plus radix would exceed 32 bits. Failure is a NullCap.
 */
export const updateCapData = (preserve: boolean, w: number, c: Cap): Cap => {
  switch (c._tag) {
    case 'EndpointCap':
    case 'NotificationCap':
      return !preserve && c.badge === 0 ? { ...c, badge: (w & mask(BADGE_BITS)) >>> 0 } : nullCap;
    case 'CNodeCap': {
      const guardSize = (w >>> 3) & 0x1f;
      if (guardSize + c.radix > WORD_BITS) return nullCap;
      const guard = ((w >>> 8) & mask(GUARD_BITS) & mask(guardSize)) >>> 0;
      return { ...c, guard, guardSize };
    }
    default:
      return c;
  }
};

/** `isCapRevocable new src`: may the new cap be an MDB parent (seL4's mdbRevocable)? */
export const isCapRevocable = (newCap: Cap, srcCap: Cap): boolean => {
  switch (newCap._tag) {
    case 'EndpointCap':
      return srcCap._tag !== 'EndpointCap' || newCap.badge !== srcCap.badge;
    case 'NotificationCap':
      return srcCap._tag !== 'NotificationCap' || newCap.badge !== srcCap.badge;
    case 'IRQHandlerCap':
    case 'SGISignalCap':
      return srcCap._tag === 'IRQControlCap';
    case 'UntypedCap':
      return true;
    default:
      return false;
  }
};

/** The badge of an EP or notification cap, 0 for everything else. */
export const capBadge = (c: Cap): number => (c._tag === 'EndpointCap' || c._tag === 'NotificationCap' ? c.badge : 0);

/**
 * `isMDBParentOf` on cap contents: with `aRevocable` the revocable bit of a and
 * `bFirstBadged` that of b. An endpoint or notification cap with a badge is the
 * parent only of caps with the same badge that do not start a new badge.
 */
export const isMDBParentOf = (a: Cap, aRevocable: boolean, b: Cap, bFirstBadged: boolean): boolean => {
  if (!aRevocable || !sameRegionAs(a, b)) return false;
  if (a._tag === 'SGISignalCap' && b._tag === 'SGISignalCap' && bFirstBadged) return false;
  if ((a._tag === 'EndpointCap' || a._tag === 'NotificationCap') && a.badge !== 0) return capBadge(b) === a.badge && !bFirstBadged;
  return true;
};

/** True for caps the kernel refuses to invoke (Null, Zombie). */
export const isUninvokable = (c: Cap): boolean => c._tag === 'NullCap' || c._tag === 'ZombieCap';
