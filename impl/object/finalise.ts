/**
 * Finalisation on packed caps: what deleting a cap does to its object.
 *
 * seL4: C src/object/objecttype.c (finaliseCap), src/arch/arm/32/object/
 * objecttype.c (Arch_finaliseCap); spec twin: spec/object/finalise.ts.
 */
import { Cap, CapTag, type CapT, ZOMBIE_TYPE_TCB, capGet, capType, nullCapT } from '../model/layout';
import { frameBase, frameMappedASID, frameMappedAddress, frameSizeBits, zombieCapNew } from '../model/capability';
import type { Kernel } from '../model/state';
import { deleteASID, deleteASIDPool, unmapPage, unmapPageTable } from '../kernel/vspace';
import { cancelAllIPC, cancelAllSignals, deletingIRQHandler, suspend, unbindMaybeNotification, unbindNotification } from './ipcCancel';

export interface FinaliseRet {
  readonly remainder: CapT;
  readonly cleanupInfo: CapT;
}

const nothing: FinaliseRet = { remainder: nullCapT, cleanupInfo: nullCapT };

const archFinaliseCap = (k: Kernel, cap: CapT, final: boolean): FinaliseRet => {
  switch (capType(cap)) {
    case CapTag.ASIDPool:
      if (final) deleteASIDPool(k, capGet(cap, Cap.ASIDPool.asidBase), capGet(cap, Cap.ASIDPool.ptr));
      break;
    case CapTag.PageDirectory:
      if (final && capGet(cap, Cap.PageDirectory.isMapped) === 1) deleteASID(k, capGet(cap, Cap.PageDirectory.asid), capGet(cap, Cap.PageDirectory.ptr));
      break;
    case CapTag.PageTable:
      if (final && capGet(cap, Cap.PageTable.isMapped) === 1)
        unmapPageTable(k, capGet(cap, Cap.PageTable.asid), capGet(cap, Cap.PageTable.mappedAddress), capGet(cap, Cap.PageTable.ptr));
      break;
    case CapTag.SmallFrame:
    case CapTag.Frame:
      if (frameMappedASID(cap) !== 0) unmapPage(k, frameSizeBits(cap), frameMappedASID(cap), frameMappedAddress(cap), frameBase(cap));
      break;
    default:
      break;
  }
  return nothing;
};

const isArchCapTag = (t: number): boolean =>
  t === CapTag.SmallFrame ||
  t === CapTag.Frame ||
  t === CapTag.PageTable ||
  t === CapTag.PageDirectory ||
  t === CapTag.ASIDControl ||
  t === CapTag.ASIDPool ||
  t === CapTag.SGISignal;

/** `finaliseCap cap final`: the object-level effect of deleting the cap. */
export const finaliseCap = (k: Kernel, cap: CapT, final: boolean): FinaliseRet => {
  const t = capType(cap);
  if (isArchCapTag(t)) return archFinaliseCap(k, cap, final);
  switch (t) {
    case CapTag.Endpoint:
      if (final) cancelAllIPC(k, capGet(cap, Cap.Endpoint.ptr));
      return nothing;
    case CapTag.Notification:
      if (final) {
        const n = capGet(cap, Cap.Notification.ptr);
        unbindMaybeNotification(k, n);
        cancelAllSignals(k, n);
      }
      return nothing;
    case CapTag.CNode:
      if (final) {
        const radix = capGet(cap, Cap.CNode.radix);
        return { remainder: zombieCapNew(capGet(cap, Cap.CNode.ptr), radix, 2 ** radix), cleanupInfo: nullCapT };
      }
      return nothing;
    case CapTag.Thread:
      if (final) {
        const tcb = capGet(cap, Cap.Thread.tcb);
        unbindNotification(k, tcb);
        suspend(k, tcb);
        return { remainder: zombieCapNew(tcb, ZOMBIE_TYPE_TCB, 5), cleanupInfo: nullCapT };
      }
      return nothing;
    case CapTag.Zombie:
      return { remainder: cap, cleanupInfo: nullCapT };
    case CapTag.IRQHandler:
      if (final) {
        deletingIRQHandler(k, capGet(cap, Cap.IRQHandler.irq));
        return { remainder: nullCapT, cleanupInfo: cap };
      }
      return nothing;
    default:
      return nothing;
  }
};
