/**
 * A thread's stored fault in its two fault words, and (for a cap fault) the
 * lookup failure in the two words beside it, as the C kernel keeps
 * tcbFault and tcbLookupFailure.
 *
 * seL4: C structures_32.bf (seL4_Fault, lookup_fault), src/kernel/faulthandler.c.
 */
import type { Fault, LookupFailure } from '../../spec/api';
import { FaultType, FaultW, LUF, LookupFailureW, Tcb, getField, setField } from './layout';
import { tcbGet, tcbSet } from './heap';
import type { Kernel } from './state';

export const encodeLookupFailure = (lf: LookupFailure): [number, number] => {
  switch (lf._tag) {
    case 'InvalidRoot':
      return [setField(0, LookupFailureW.type, LUF.InvalidRoot), 0];
    case 'MissingCapability':
      return [setField(setField(0, LookupFailureW.type, LUF.MissingCapability), LookupFailureW.bitsLeft, lf.bitsLeft), 0];
    case 'DepthMismatch':
      return [setField(setField(setField(0, LookupFailureW.type, LUF.DepthMismatch), LookupFailureW.bitsLeft, lf.bitsLeft), LookupFailureW.bitsFound, lf.bitsFound), 0];
    case 'GuardMismatch':
      return [setField(setField(setField(0, LookupFailureW.type, LUF.GuardMismatch), LookupFailureW.bitsLeft, lf.bitsLeft), LookupFailureW.bitsFound, lf.guardSize), lf.guardFound];
  }
};

export const decodeLookupFailure = (w0: number, w1: number): LookupFailure => {
  const bitsLeft = getField(w0, LookupFailureW.bitsLeft);
  const bitsFound = getField(w0, LookupFailureW.bitsFound);
  switch (getField(w0, LookupFailureW.type)) {
    case LUF.InvalidRoot:
      return { _tag: 'InvalidRoot' };
    case LUF.MissingCapability:
      return { _tag: 'MissingCapability', bitsLeft };
    case LUF.DepthMismatch:
      return { _tag: 'DepthMismatch', bitsLeft, bitsFound };
    default:
      return { _tag: 'GuardMismatch', bitsLeft, guardFound: w1, guardSize: bitsFound };
  }
};

/** Store a fault (and a cap fault's lookup failure) in the TCB. */
export const storeFault = (k: Kernel, t: number, f: Fault): void => {
  let w0 = 0;
  let w1 = 0;
  switch (f._tag) {
    case 'CapFault': {
      w0 = setField(setField(0, FaultW.type, FaultType.CapFault), FaultW.inReceivePhase, f.inReceivePhase ? 1 : 0);
      w1 = f.address;
      const [l0, l1] = encodeLookupFailure(f.failure);
      tcbSet(k, t, Tcb.lookupFailure0, l0);
      tcbSet(k, t, Tcb.lookupFailure1, l1);
      break;
    }
    case 'UnknownSyscall':
      w0 = setField(0, FaultW.type, FaultType.UnknownSyscall);
      w1 = f.syscallNumber;
      break;
    case 'UserException':
      w0 = setField(setField(0, FaultW.type, FaultType.UserException), FaultW.code, f.code);
      w1 = f.number;
      break;
    case 'VMFault':
      w0 = setField(setField(setField(0, FaultW.type, FaultType.VMFault), FaultW.instructionFault, f.instructionFault ? 1 : 0), FaultW.fsr, f.fsr);
      w1 = f.address;
      break;
  }
  tcbSet(k, t, Tcb.fault0, w0);
  tcbSet(k, t, Tcb.fault1, w1);
};

/** Read the stored fault back (null for none), without counting memory reads when `peek`. */
export const readFault = (w0: number, w1: number, lf0: number, lf1: number): Fault | null => {
  switch (getField(w0, FaultW.type)) {
    case FaultType.None:
      return null;
    case FaultType.CapFault:
      return {
        _tag: 'CapFault',
        address: w1,
        inReceivePhase: getField(w0, FaultW.inReceivePhase) === 1,
        failure: decodeLookupFailure(lf0, lf1),
      };
    case FaultType.UnknownSyscall:
      return { _tag: 'UnknownSyscall', syscallNumber: w1 };
    case FaultType.UserException:
      return { _tag: 'UserException', number: w1, code: getField(w0, FaultW.code) };
    default:
      return { _tag: 'VMFault', address: w1, fsr: getField(w0, FaultW.fsr), instructionFault: getField(w0, FaultW.instructionFault) === 1 };
  }
};

export const loadFault = (k: Kernel, t: number): Fault | null =>
  readFault(tcbGet(k, t, Tcb.fault0), tcbGet(k, t, Tcb.fault1), tcbGet(k, t, Tcb.lookupFailure0), tcbGet(k, t, Tcb.lookupFailure1));

export const hasFault = (k: Kernel, t: number): boolean => getField(tcbGet(k, t, Tcb.fault0), FaultW.type) !== FaultType.None;
