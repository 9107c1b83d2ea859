/**
 * The concrete kernel's own reading and writing of the words user code sees:
 * the message-info word (with the kernel's clamp of the length), the rights
 * word, and the message words of a syscall error and of a lookup failure.
 * The spec decodes and encodes the same words on its own (spec/api), so a bug
 * in either one shows as a divergence; only the numbering of labels, errors
 * and fault types is shared, as seL4's generated headers are.
 *
 * seL4: C libsel4 shared_types.bf (seL4_MessageInfo, seL4_CapRights) and its
 * generated accessors, include/api/types.h (messageInfoFromWord,
 * rightsFromWord), src/object/tcb.c (setMRs_syscall_error), src/api/faults.c
 * (setMRs_lookup_failure).
 */
import { CPSR, CPSR_USER, type CapRights, LOOKUP_FAILURE_NUMBER, type LookupFailure, MSG_MAX_LENGTH, SYSCALL_ERROR_NUMBER, type SyscallError } from '../../spec/api';
import { CapRightsW, MessageInfoW, getField, setField } from './layout';

// ---------------------------------------------------------------- message info

export const msgLabel = (mi: number): number => getField(mi, MessageInfoW.label);
export const msgCapsUnwrapped = (mi: number): number => getField(mi, MessageInfoW.capsUnwrapped);
export const msgExtraCaps = (mi: number): number => getField(mi, MessageInfoW.extraCaps);
export const msgLength = (mi: number): number => getField(mi, MessageInfoW.length);

export const msgSetExtraCaps = (mi: number, n: number): number => setField(mi, MessageInfoW.extraCaps, n);
export const msgSetCapsUnwrapped = (mi: number, n: number): number => setField(mi, MessageInfoW.capsUnwrapped, n);
export const msgSetLength = (mi: number, n: number): number => setField(mi, MessageInfoW.length, n);

/** `seL4_MessageInfo_new(label, capsUnwrapped, extraCaps, length)`. */
export const messageInfoNew = (label: number, capsUnwrapped: number, extraCaps: number, length: number): number =>
  setField(setField(setField(setField(0, MessageInfoW.label, label), MessageInfoW.capsUnwrapped, capsUnwrapped), MessageInfoW.extraCaps, extraCaps), MessageInfoW.length, length);

/** `messageInfoFromWord`: the word as the kernel takes it, a length above seL4_MsgMaxLength clamped to it. */
export const messageInfoFromWord = (w: number): number => (msgLength(w) > MSG_MAX_LENGTH ? msgSetLength(w, MSG_MAX_LENGTH) : w >>> 0);

// ---------------------------------------------------------------- registers

/** `sanitiseRegister`: of what a user writes to its CPSR only the condition flags (N Z C V Q) stay; the mode is user. */
export const sanitiseRegister = (reg: number, v: number): number => (reg === CPSR ? ((v & 0xf800_0000) | CPSR_USER) >>> 0 : v >>> 0);

// ---------------------------------------------------------------- rights

/** `rightsFromWord`: the seL4_CapRights word as the four rights. */
export const rightsFromWord = (w: number): CapRights => ({
  write: getField(w, CapRightsW.write) === 1,
  read: getField(w, CapRightsW.read) === 1,
  grant: getField(w, CapRightsW.grant) === 1,
  grantReply: getField(w, CapRightsW.grantReply) === 1,
});

// ---------------------------------------------------------------- error messages

/** `setMRs_lookup_failure`'s words: the failure type (seL4_LookupFailureType), then its fields in seL4's order. */
export const lookupFailureMRs = (lf: LookupFailure): number[] => {
  const type = LOOKUP_FAILURE_NUMBER[lf._tag];
  switch (lf._tag) {
    case 'InvalidRoot':
      return [type];
    case 'MissingCapability':
      return [type, lf.bitsLeft];
    case 'DepthMismatch':
      return [type, lf.bitsLeft, lf.bitsFound];
    case 'GuardMismatch':
      return [type, lf.bitsLeft, lf.guardFound, lf.guardSize];
  }
};

/** `setMRs_syscall_error`'s words, and the reply's label: the error number (seL4_Error). */
export const syscallErrorMRs = (e: SyscallError): { readonly label: number; readonly words: number[] } => {
  const label = SYSCALL_ERROR_NUMBER[e._tag];
  switch (e._tag) {
    case 'InvalidArgument':
      return { label, words: [e.argument] };
    case 'InvalidCapability':
      return { label, words: [e.capIndex] };
    case 'RangeError':
      return { label, words: [e.min, e.max] };
    case 'FailedLookup':
      return { label, words: [e.isSource ? 1 : 0, ...lookupFailureMRs(e.failure)] };
    case 'NotEnoughMemory':
      return { label, words: [e.bytesAvailable] };
    case 'IllegalOperation':
    case 'AlignmentError':
    case 'TruncatedMessage':
    case 'DeleteFirst':
    case 'RevokeFirst':
      return { label, words: [] };
  }
};
