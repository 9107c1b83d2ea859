/**
 * Invocation dispatch on the packed kernel: check the invoked cap's type and
 * hand the message to its object's decoder, which performs the invocation
 * once its checks pass (C's decode-then-invoke in one call).
 *
 * seL4: C src/object/objecttype.c (decodeInvocation, performInvocation_*);
 * spec twin: spec/object/invocation.ts.
 */
import { Cap, CapTag, type CapT, TS, capGet, capType } from '../model/layout';
import { getSlotCap } from '../model/heap';
import { EXCEPTION_NONE, type Exception, type Kernel, syscallError } from '../model/state';
import { setThreadState } from '../kernel/thread';
import { decodeCNodeInvocation } from './cnode';
import { doReplyTransfer, sendIPC } from './endpoint';
import { sendSignal } from './notification';
import { decodeUntypedInvocation } from './untyped';
import { decodeTCBInvocation } from './tcb';
import { decodeDomainInvocation } from './domain';

/** Returned for invocations of objects this model does not cover yet (the spec's NotModelled). */
export const EXCEPTION_NOT_MODELLED = 5;

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
  const cur = k.ksCurThread;
  switch (capType(cap)) {
    case CapTag.Null:
    case CapTag.Zombie:
      return invalidCap0(k);
    case CapTag.Endpoint:
      if (capGet(cap, Cap.Endpoint.canSend) !== 1) return invalidCap0(k);
      setThreadState(k, cur, TS.Restart);
      sendIPC(
        k,
        block,
        call,
        capGet(cap, Cap.Endpoint.badge),
        capGet(cap, Cap.Endpoint.canGrant) === 1,
        capGet(cap, Cap.Endpoint.canGrantReply) === 1,
        cur,
        capGet(cap, Cap.Endpoint.ptr),
      );
      return EXCEPTION_NONE;
    case CapTag.Notification:
      if (capGet(cap, Cap.Notification.canSend) !== 1) return invalidCap0(k);
      setThreadState(k, cur, TS.Restart);
      sendSignal(k, capGet(cap, Cap.Notification.ptr), capGet(cap, Cap.Notification.badge));
      return EXCEPTION_NONE;
    case CapTag.Reply:
      if (capGet(cap, Cap.Reply.master) === 1) return invalidCap0(k);
      setThreadState(k, cur, TS.Restart);
      doReplyTransfer(k, cur, capGet(cap, Cap.Reply.tcb), slot, capGet(cap, Cap.Reply.canGrant) === 1);
      return EXCEPTION_NONE;
    case CapTag.CNode:
      return decodeCNodeInvocation(k, label, length, arg, cap, k.currentExtraCaps.map((s) => getSlotCap(k, s)));
    case CapTag.Untyped:
      return decodeUntypedInvocation(k, label, length, slot, cap, arg, k.currentExtraCaps.map((s) => getSlotCap(k, s)));
    case CapTag.Thread:
      return decodeTCBInvocation(k, label, length, cap, slot, call, arg);
    case CapTag.Domain:
      return decodeDomainInvocation(k, label, length, arg);
    default:
      return EXCEPTION_NOT_MODELLED;
  }
};

