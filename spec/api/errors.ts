/**
 * What can go wrong, as data: lookup failures, syscall errors and faults, with
 * their user-visible encodings (error numbers, reply words, fault labels).
 *
 * seL4: Haskell API/Failures.lhs (msgFromSyscallError, msgFromLookupFailure),
 * API/Faults.lhs; C libsel4/include/sel4/errors.h, src/object/tcb.c
 * (setMRs_syscall_error), src/api/faults.c (setMRs_lookup_failure).
 */

// ---------------------------------------------------------------- lookup failures

export type LookupFailure =
  | { readonly _tag: 'InvalidRoot' }
  | { readonly _tag: 'MissingCapability'; readonly bitsLeft: number }
  | { readonly _tag: 'DepthMismatch'; readonly bitsLeft: number; readonly bitsFound: number }
  | { readonly _tag: 'GuardMismatch'; readonly bitsLeft: number; readonly guardFound: number; readonly guardSize: number };

export const invalidRoot: LookupFailure = { _tag: 'InvalidRoot' };
export const missingCapability = (bitsLeft: number): LookupFailure => ({ _tag: 'MissingCapability', bitsLeft });
export const depthMismatch = (bitsLeft: number, bitsFound: number): LookupFailure => ({
  _tag: 'DepthMismatch',
  bitsLeft,
  bitsFound,
});
export const guardMismatch = (bitsLeft: number, guardFound: number, guardSize: number): LookupFailure => ({
  _tag: 'GuardMismatch',
  bitsLeft,
  guardFound,
  guardSize,
});

/** seL4_LookupFailureType numbering (seL4_NoFailure = 0). */
export const LOOKUP_FAILURE_NUMBER: Readonly<Record<LookupFailure['_tag'], number>> = {
  InvalidRoot: 1,
  MissingCapability: 2,
  DepthMismatch: 3,
  GuardMismatch: 4,
};

/** The message words of a lookup failure: its type, then its fields in seL4's order. */
export const lookupFailureWords = (lf: LookupFailure): readonly number[] => {
  switch (lf._tag) {
    case 'InvalidRoot':
      return [1];
    case 'MissingCapability':
      return [2, lf.bitsLeft];
    case 'DepthMismatch':
      return [3, lf.bitsLeft, lf.bitsFound];
    case 'GuardMismatch':
      return [4, lf.bitsLeft, lf.guardFound, lf.guardSize];
  }
};

// ---------------------------------------------------------------- syscall errors

export type SyscallError =
  | { readonly _tag: 'InvalidArgument'; readonly argument: number }
  | { readonly _tag: 'InvalidCapability'; readonly capIndex: number }
  | { readonly _tag: 'IllegalOperation' }
  | { readonly _tag: 'RangeError'; readonly min: number; readonly max: number }
  | { readonly _tag: 'AlignmentError' }
  | { readonly _tag: 'FailedLookup'; readonly isSource: boolean; readonly failure: LookupFailure }
  | { readonly _tag: 'TruncatedMessage' }
  | { readonly _tag: 'DeleteFirst' }
  | { readonly _tag: 'RevokeFirst' }
  | { readonly _tag: 'NotEnoughMemory'; readonly bytesAvailable: number };

export type SyscallErrorName = SyscallError['_tag'];

export const invalidArgument = (argument: number): SyscallError => ({ _tag: 'InvalidArgument', argument });
export const invalidCapability = (capIndex: number): SyscallError => ({ _tag: 'InvalidCapability', capIndex });
export const illegalOperation: SyscallError = { _tag: 'IllegalOperation' };
export const rangeError = (min: number, max: number): SyscallError => ({ _tag: 'RangeError', min, max });
export const alignmentError: SyscallError = { _tag: 'AlignmentError' };
export const failedLookup = (isSource: boolean, failure: LookupFailure): SyscallError => ({
  _tag: 'FailedLookup',
  isSource,
  failure,
});
export const truncatedMessage: SyscallError = { _tag: 'TruncatedMessage' };
export const deleteFirst: SyscallError = { _tag: 'DeleteFirst' };
export const revokeFirst: SyscallError = { _tag: 'RevokeFirst' };
export const notEnoughMemory = (bytesAvailable: number): SyscallError => ({ _tag: 'NotEnoughMemory', bytesAvailable });

/** seL4_Error numbering. */
export const SYSCALL_ERROR_NUMBER: Readonly<Record<SyscallErrorName, number>> = {
  InvalidArgument: 1,
  InvalidCapability: 2,
  IllegalOperation: 3,
  RangeError: 4,
  AlignmentError: 5,
  FailedLookup: 6,
  TruncatedMessage: 7,
  DeleteFirst: 8,
  RevokeFirst: 9,
  NotEnoughMemory: 10,
};

export const SYSCALL_ERROR_NAMES: readonly SyscallErrorName[] = Object.keys(SYSCALL_ERROR_NUMBER) as SyscallErrorName[];

/**
 * `msgFromSyscallError`: the error reply's label (the error number) and its
 * message words. The kernel writes them as MR0.. of the caller.
 */
export const syscallErrorToMessage = (e: SyscallError): { readonly label: number; readonly words: readonly number[] } => {
  const label = SYSCALL_ERROR_NUMBER[e._tag];
  switch (e._tag) {
    case 'InvalidArgument':
      return { label, words: [e.argument] };
    case 'InvalidCapability':
      return { label, words: [e.capIndex] };
    case 'RangeError':
      return { label, words: [e.min, e.max] };
    case 'FailedLookup':
      return { label, words: [e.isSource ? 1 : 0, ...lookupFailureWords(e.failure)] };
    case 'NotEnoughMemory':
      return { label, words: [e.bytesAvailable] };
    default:
      return { label, words: [] };
  }
};

// ---------------------------------------------------------------- faults

export type Fault =
  | {
      readonly _tag: 'CapFault';
      readonly address: number;
      readonly inReceivePhase: boolean;
      readonly failure: LookupFailure;
    }
  | { readonly _tag: 'UnknownSyscall'; readonly syscallNumber: number }
  | { readonly _tag: 'UserException'; readonly number: number; readonly code: number }
  | { readonly _tag: 'VMFault'; readonly address: number; readonly fsr: number; readonly instructionFault: boolean };

export const capFault = (address: number, inReceivePhase: boolean, failure: LookupFailure): Fault => ({
  _tag: 'CapFault',
  address: address >>> 0,
  inReceivePhase,
  failure,
});

/** seL4_FaultType numbering (non-MCS, no debug API). */
export const FAULT_LABEL: Readonly<Record<Fault['_tag'], number>> = {
  CapFault: 1,
  UnknownSyscall: 2,
  UserException: 3,
  VMFault: 5,
};
