/**
 * The dispatch of an invocation to the decoder and performer of the invoked
 * cap's object type. Decoding only reads the state; performing is total.
 *
 * seL4: Haskell Object/ObjectType.lhs (decodeInvocation, performInvocation),
 * API/Invocation.lhs; abstract spec Decode_A.thy (decode_invocation),
 * Syscall_A.thy (perform_invocation); C src/object/objecttype.c.
 */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { type SyscallError, invalidCapability } from '../api/errors';
import { type Performed, type Preemptible, completed } from '../model/preemption';
import type { KernelState } from '../model/state';
import type { Cap, PPtr, SlotPtr } from '../model/structures';
import type { CapAndSlot } from '../kernel/cspace';
import { type CNodeInvocation, decodeCNodeInvocation, invokeCNode } from './cnode';
import { type DomainInvocation, decodeDomainInvocation, invokeDomain } from './domain';
import { doReplyTransfer, sendIPC } from './endpoint';
import { sendSignal } from './notification';
import { type TCBInvocation, decodeTCBInvocation, invokeTCB } from './tcb';
import { type ARMMMUInvocation, decodeARMMMUInvocation, invokeARMMMU } from './vspace';
import { type RetypeInvocation, decodeUntypedInvocation, invokeUntyped } from './untyped';

// ---------------------------------------------------------------- invocation dispatch

/** A decoded invocation: what performing it will do. */
export type Invocation =
  | { readonly _tag: 'InvokeUntyped'; readonly inv: RetypeInvocation }
  | { readonly _tag: 'InvokeCNode'; readonly inv: CNodeInvocation }
  | {
      readonly _tag: 'InvokeEndpoint';
      readonly ep: PPtr;
      readonly badge: number;
      readonly canGrant: boolean;
      readonly canGrantReply: boolean;
    }
  | { readonly _tag: 'InvokeNotification'; readonly ntfn: PPtr; readonly badge: number }
  | { readonly _tag: 'InvokeReply'; readonly caller: PPtr; readonly slot: SlotPtr; readonly canGrant: boolean }
  | { readonly _tag: 'InvokeTCB'; readonly inv: TCBInvocation }
  | { readonly _tag: 'InvokeDomain'; readonly inv: DomainInvocation }
  | { readonly _tag: 'InvokeARMMMU'; readonly inv: ARMMMUInvocation }
  /** An object whose invocations this model does not cover yet (see DEVIATIONS.md). */
  | { readonly _tag: 'NotModelled'; readonly what: string };

/**
 * `decodeInvocation`: check the invoked cap's type and hand the message to the
 * object's decoder. The label is ignored for endpoints, notifications and
 * replies; caps without the needed right, master reply caps, Null caps and
 * Zombies cannot be invoked.
 */
export const decodeInvocation = (
  s: KernelState,
  label: number,
  args: readonly number[],
  slot: SlotPtr,
  cap: Cap,
  extraCaps: readonly CapAndSlot[],
): E.Either<SyscallError, Invocation> => {
  switch (cap._tag) {
    case 'EndpointCap':
      return cap.canSend
        ? E.right({ _tag: 'InvokeEndpoint', ep: cap.ptr, badge: cap.badge, canGrant: cap.canGrant, canGrantReply: cap.canGrantReply })
        : E.left(invalidCapability(0));
    case 'NotificationCap':
      return cap.canSend ? E.right({ _tag: 'InvokeNotification', ntfn: cap.ptr, badge: cap.badge }) : E.left(invalidCapability(0));
    case 'ReplyCap':
      return cap.master ? E.left(invalidCapability(0)) : E.right({ _tag: 'InvokeReply', caller: cap.tcb, slot, canGrant: cap.canGrant });
    case 'UntypedCap':
      return pipe(
        decodeUntypedInvocation(s, label, args, slot, cap, extraCaps),
        E.map((inv): Invocation => ({ _tag: 'InvokeUntyped', inv })),
      );
    case 'CNodeCap':
      return pipe(
        decodeCNodeInvocation(s, label, args, cap, extraCaps),
        E.map((inv): Invocation => ({ _tag: 'InvokeCNode', inv })),
      );
    case 'ThreadCap':
      return pipe(
        decodeTCBInvocation(s, label, args, cap, slot, extraCaps),
        E.map((inv): Invocation => ({ _tag: 'InvokeTCB', inv })),
      );
    case 'DomainCap':
      return pipe(
        decodeDomainInvocation(s, label, args, extraCaps),
        E.map((inv): Invocation => ({ _tag: 'InvokeDomain', inv })),
      );
    case 'FrameCap':
    case 'PageTableCap':
    case 'PageDirectoryCap':
    case 'ASIDControlCap':
    case 'ASIDPoolCap':
      return pipe(
        decodeARMMMUInvocation(s, label, args, cap),
        E.map((inv): Invocation => (inv._tag === 'NotModelled' ? inv : { _tag: 'InvokeARMMMU', inv })),
      );
    case 'NullCap':
    case 'ZombieCap':
      return E.left(invalidCapability(0));
    default:
      return E.right({ _tag: 'NotModelled', what: `invocation of a ${cap._tag}` });
  }
};

/** The result of performing an invocation: the words of a successful Call's reply. */
export type { Performed } from '../model/preemption';

/** `performInvocation`: carry out a decoded invocation for the current thread; it may be preempted. */
export const performInvocation =
  (inv: Invocation, blocking: boolean, call: boolean) =>
  (s: KernelState): Performed => {
    const none = (r: Preemptible): Performed => ({ ...r, reply: [] });
    switch (inv._tag) {
      case 'InvokeUntyped':
        return pipe(s, invokeUntyped(inv.inv), none);
      case 'InvokeCNode':
        return pipe(s, invokeCNode(inv.inv), none);
      case 'InvokeEndpoint':
        return pipe(s, sendIPC(blocking, call, inv.badge, inv.canGrant, inv.canGrantReply, s.curThread, inv.ep), completed, none);
      case 'InvokeNotification':
        return pipe(s, sendSignal(inv.ntfn, inv.badge), completed, none);
      case 'InvokeReply':
        return pipe(s, doReplyTransfer(s.curThread, inv.caller, inv.slot, inv.canGrant), completed, none);
      case 'InvokeTCB':
        return invokeTCB(inv.inv)(s);
      case 'InvokeDomain':
        return pipe(s, invokeDomain(inv.inv), completed, none);
      case 'InvokeARMMMU':
        return { ...completed(s), reply: invokeARMMMU(inv.inv) };
      case 'NotModelled':
        return pipe(s, completed, none);
    }
  };
