/**
 * Faults on the packed kernel: look the handler cptr up in the faulting
 * thread's CSpace, store the fault in the TCB and send the fault IPC; a missing
 * or unusable handler is a double fault and the thread becomes Inactive.
 *
 * seL4: C src/kernel/faulthandler.c; spec twin: spec/kernel/faultHandler.ts.
 */
import type { Fault } from '../../spec/api';
import { Cap, CapTag, TS, Tcb, capGet, capType } from '../model/layout';
import { tcbGet } from '../model/heap';
import { storeFault } from '../model/fault';
import { EXCEPTION_NONE, type Kernel } from '../model/state';
import { sendIPC } from '../object/endpoint';
import { lookupCap } from './cspace';
import { setThreadState } from './thread';

export const handleFault = (k: Kernel, t: number, fault: Fault): void => {
  const handlerCPtr = tcbGet(k, t, Tcb.faultHandler);
  const lu = lookupCap(k, t, handlerCPtr);
  if (lu.status === EXCEPTION_NONE) {
    const h = lu.cap;
    if (capType(h) === CapTag.Endpoint && capGet(h, Cap.Endpoint.canSend) === 1 && (capGet(h, Cap.Endpoint.canGrant) === 1 || capGet(h, Cap.Endpoint.canGrantReply) === 1)) {
      storeFault(k, t, fault);
      sendIPC(k, true, true, capGet(h, Cap.Endpoint.badge), capGet(h, Cap.Endpoint.canGrant) === 1, true, t, capGet(h, Cap.Endpoint.ptr));
      return;
    }
  }
  // handleDoubleFault
  setThreadState(k, t, TS.Inactive);
};
