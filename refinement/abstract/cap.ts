/**
 * Abstraction of a packed cap_t to the spec's Cap (seL4's cap_relation).
 */
import { VM_RIGHTS } from '../../spec/api';
import type { Cap } from '../../spec/model/structures';
import { Cap as L, CapTag, type CapT, type Field, ZOMBIE_TYPE_TCB, capGet, capType } from '../../impl/model/layout';
import { frameBase, frameIsDevice, frameMappedASID, frameMappedAddress, frameRights, frameSizeBits, zombieNumber, zombiePtr, zombieType } from '../../impl/model/capability';

const bool = (c: CapT, f: Field): boolean => capGet(c, f) === 1;

export const abstractCap = (c: CapT): Cap => {
  switch (capType(c)) {
    case CapTag.Null:
      return { _tag: 'NullCap' };
    case CapTag.Untyped:
      return {
        _tag: 'UntypedCap',
        ptr: capGet(c, L.Untyped.ptr),
        blockSize: capGet(c, L.Untyped.blockSize),
        freeIndex: capGet(c, L.Untyped.freeIndex),
        isDevice: bool(c, L.Untyped.isDevice),
      };
    case CapTag.Endpoint:
      return {
        _tag: 'EndpointCap',
        ptr: capGet(c, L.Endpoint.ptr),
        badge: capGet(c, L.Endpoint.badge),
        canSend: bool(c, L.Endpoint.canSend),
        canReceive: bool(c, L.Endpoint.canReceive),
        canGrant: bool(c, L.Endpoint.canGrant),
        canGrantReply: bool(c, L.Endpoint.canGrantReply),
      };
    case CapTag.Notification:
      return {
        _tag: 'NotificationCap',
        ptr: capGet(c, L.Notification.ptr),
        badge: capGet(c, L.Notification.badge),
        canSend: bool(c, L.Notification.canSend),
        canReceive: bool(c, L.Notification.canReceive),
      };
    case CapTag.Reply:
      return { _tag: 'ReplyCap', tcb: capGet(c, L.Reply.tcb), master: bool(c, L.Reply.master), canGrant: bool(c, L.Reply.canGrant) };
    case CapTag.CNode:
      return {
        _tag: 'CNodeCap',
        ptr: capGet(c, L.CNode.ptr),
        radix: capGet(c, L.CNode.radix),
        guard: capGet(c, L.CNode.guard),
        guardSize: capGet(c, L.CNode.guardSize),
      };
    case CapTag.Thread:
      return { _tag: 'ThreadCap', tcb: capGet(c, L.Thread.tcb) };
    case CapTag.IRQControl:
      return { _tag: 'IRQControlCap' };
    case CapTag.IRQHandler:
      return { _tag: 'IRQHandlerCap', irq: capGet(c, L.IRQHandler.irq) };
    case CapTag.Zombie: {
      const t = zombieType(c);
      return {
        _tag: 'ZombieCap',
        ptr: zombiePtr(c),
        zombieType: t === ZOMBIE_TYPE_TCB ? { _tag: 'ZombieTCB' } : { _tag: 'ZombieCNode', radix: t },
        number: zombieNumber(c),
      };
    }
    case CapTag.Domain:
      return { _tag: 'DomainCap' };
    case CapTag.SmallFrame:
    case CapTag.Frame: {
      const asid = frameMappedASID(c);
      const sizeBits = frameSizeBits(c) as 12 | 16 | 20 | 24;
      return {
        _tag: 'FrameCap',
        ptr: frameBase(c),
        sizeBits,
        rights: VM_RIGHTS[frameRights(c)] ?? 'VMNoAccess',
        isDevice: frameIsDevice(c),
        mapped: asid === 0 ? null : { asid, vaddr: frameMappedAddress(c) },
      };
    }
    case CapTag.PageTable:
      return {
        _tag: 'PageTableCap',
        ptr: capGet(c, L.PageTable.ptr),
        mapped: bool(c, L.PageTable.isMapped) ? { asid: capGet(c, L.PageTable.asid), vaddr: capGet(c, L.PageTable.mappedAddress) } : null,
      };
    case CapTag.PageDirectory:
      return {
        _tag: 'PageDirectoryCap',
        ptr: capGet(c, L.PageDirectory.ptr),
        mappedASID: bool(c, L.PageDirectory.isMapped) ? capGet(c, L.PageDirectory.asid) : null,
      };
    case CapTag.ASIDControl:
      return { _tag: 'ASIDControlCap' };
    case CapTag.ASIDPool:
      return { _tag: 'ASIDPoolCap', ptr: capGet(c, L.ASIDPool.ptr), asidBase: capGet(c, L.ASIDPool.asidBase) };
    case CapTag.SGISignal:
      return { _tag: 'SGISignalCap', irq: capGet(c, L.SGISignal.irq), target: capGet(c, L.SGISignal.target) };
    default:
      // An unknown tag is a representation bug; abstract it visibly rather than hiding it.
      return { _tag: 'ZombieCap', ptr: c.w0, zombieType: { _tag: 'ZombieTCB' }, number: -1 };
  }
};
