/**
 * Invocation dispatch on the packed kernel: check the invoked cap's type and
 * hand the message to its object's decoder, which does the checks and then
 * (with the caller in Restart) calls the invoke that performs the invocation,
 * as C does; the IPC objects' performInvocation_* are here.
 *
 * Names and argument order are C's (`arg` for C's buffer); the spec twin's are
 * Haskell's (decode into an Invocation, one performInvocation).
 *
 * seL4: C src/object/objecttype.c (decodeInvocation, performInvocation_*);
 * spec twin: spec/object/invocation.ts.
 */
import { Cap, CapTag, type CapT, TS, capGet, capType } from '../model/layout';
import { EXCEPTION_NONE, EXCEPTION_NOT_MODELLED, type Exception, type Kernel, syscallError } from '../model/state';
import { setThreadState } from '../kernel/thread';
import { decodeCNodeInvocation } from './cnode';
import { doReplyTransfer, sendIPC } from './endpoint';
import { sendSignal } from './notification';
import { decodeUntypedInvocation } from './untyped';
import { decodeTCBInvocation } from './tcb';
import { decodeDomainInvocation } from './domain';
import { decodeARMMMUInvocation } from './vspace';

export { EXCEPTION_NOT_MODELLED } from '../model/state';

const invalidCap0 = (k: Kernel): Exception => syscallError(k, { _tag: 'InvalidCapability', capIndex: 0 });

export const decodeInvocation = (
  k: Kernel,
  label: number,
  length: number,
  slot: number,
  cap: CapT,
  block: boolean,
  call: boolean,
  arg: (i: number) => number,
): Exception | typeof EXCEPTION_NOT_MODELLED => {
  switch (capType(cap)) {
    case CapTag.Null:
    case CapTag.Zombie:
      return invalidCap0(k);
    case CapTag.Endpoint:
      if (capGet(cap, Cap.Endpoint.canSend) !== 1) return invalidCap0(k);
      setThreadState(k, k.ksCurThread, TS.Restart);
      return performInvocation_Endpoint(
        k,
        capGet(cap, Cap.Endpoint.ptr),
        capGet(cap, Cap.Endpoint.badge),
        capGet(cap, Cap.Endpoint.canGrant) === 1,
        capGet(cap, Cap.Endpoint.canGrantReply) === 1,
        block,
        call,
      );
    case CapTag.Notification:
      if (capGet(cap, Cap.Notification.canSend) !== 1) return invalidCap0(k);
      setThreadState(k, k.ksCurThread, TS.Restart);
      return performInvocation_Notification(k, capGet(cap, Cap.Notification.ptr), capGet(cap, Cap.Notification.badge));
    case CapTag.Reply:
      if (capGet(cap, Cap.Reply.master) === 1) return invalidCap0(k);
      setThreadState(k, k.ksCurThread, TS.Restart);
      return performInvocation_Reply(k, capGet(cap, Cap.Reply.tcb), slot, capGet(cap, Cap.Reply.canGrant) === 1);
    case CapTag.Thread:
      return decodeTCBInvocation(k, label, length, cap, slot, call, arg);
    case CapTag.Domain:
      return decodeDomainInvocation(k, label, length, arg);
    case CapTag.CNode:
      return decodeCNodeInvocation(k, label, length, cap, arg);
    case CapTag.Untyped:
      return decodeUntypedInvocation(k, label, length, slot, cap, arg);
    case CapTag.PageDirectory:
    case CapTag.PageTable:
    case CapTag.SmallFrame:
    case CapTag.Frame:
    case CapTag.ASIDControl:
    case CapTag.ASIDPool:
      return decodeARMMMUInvocation(k, label, length, cap, call, arg);
    default:
      return EXCEPTION_NOT_MODELLED;
  }
};

export const performInvocation_Endpoint = (k: Kernel, ep: number, badge: number, canGrant: boolean, canGrantReply: boolean, block: boolean, call: boolean): Exception => {
  sendIPC(k, block, call, badge, canGrant, canGrantReply, k.ksCurThread, ep);
  return EXCEPTION_NONE;
};

export const performInvocation_Notification = (k: Kernel, ntfn: number, badge: number): Exception => {
  sendSignal(k, ntfn, badge);
  return EXCEPTION_NONE;
};

export const performInvocation_Reply = (k: Kernel, thread: number, slot: number, canGrant: boolean): Exception => {
  doReplyTransfer(k, k.ksCurThread, thread, slot, canGrant);
  return EXCEPTION_NONE;
};
