/**
 * Faults: a thread that faults sends a fault message to the endpoint its fault
 * handler cptr names, as if it had called it; without a usable handler it is
 * a double fault and the thread becomes Inactive.
 *
 * seL4: Haskell Kernel/FaultHandler.lhs, API/Faults.lhs; abstract spec
 * Ipc_A.thy (handle_fault, send_fault_ipc, handle_double_fault); C
 * src/kernel/faulthandler.c.
 */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { type Fault, capFault, missingCapability } from '../api/errors';
import { type Transition, getTCB, updateTCB } from '../model/heap';
import type { KernelState } from '../model/state';
import { type Cap, type EndpointCap, type PPtr, inactive } from '../model/structures';
import { sendIPC } from '../object/endpoint';
import { lookupCap } from './cspace';
import { setThreadState } from './thread';

/**
 * `sendFaultIPC`: look the handler up in the faulting thread's own CSpace. It
 * must be an endpoint cap with Send and Grant or GrantReply; otherwise the
 * second fault is returned.
 */
/** A cap a fault can be sent through: an endpoint with Send and Grant or GrantReply. */
export const isFaultHandlerCap = (c: Cap): c is EndpointCap => c._tag === 'EndpointCap' && c.canSend && (c.canGrant || c.canGrantReply);

const sendFaultIPC = (s: KernelState, t: PPtr, fault: Fault): E.Either<Fault, KernelState> => {
  const handlerCPtr = getTCB(s, t).faultHandler;
  const lookedUp = lookupCap(s, t, handlerCPtr);
  if (E.isLeft(lookedUp)) return E.left(capFault(handlerCPtr, false, lookedUp.left));
  const h = lookedUp.right;
  if (isFaultHandlerCap(h))
    return E.right(
      pipe(
        s,
        updateTCB(t, (tcb) => ({ ...tcb, fault })),
        sendIPC(true, true, h.badge, h.canGrant, true, t, h.ptr),
      ),
    );
  return E.left(capFault(handlerCPtr, false, missingCapability(0)));
};

/** `handleFault`: deliver the fault to the handler, or make the thread Inactive (double fault). */
export const handleFault =
  (t: PPtr, fault: Fault): Transition =>
  (s) => {
    const r = sendFaultIPC(s, t, fault);
    return E.isRight(r) ? r.right : setThreadState(inactive, t)(s);
  };
