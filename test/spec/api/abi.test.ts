import { describe, expect, it } from 'vitest';
import {
  FAULT_LABEL,
  INVOCATION_LABELS,
  LABEL,
  SYSCALL_ERROR_NUMBER,
  SysCall,
  SysNBRecv,
  SysReplyRecv,
  SysYield,
  failedLookup,
  guardMismatch,
  invalidArgument,
  invalidRoot,
  lookupFailureWords,
  messageInfo,
  messageInfoFromWord,
  missingCapability,
  depthMismatch,
  notEnoughMemory,
  rangeError,
  rawMessageInfo,
  rightsFromWord,
  syscallErrorToMessage,
  syscallOf,
  getObjectSize,
  objectTypeOf,
} from '../../../spec/api';

describe('spec/api', () => {
  describe('syscall numbers', () => {
    it('numbers the syscalls from -1 in api-master order', () => {
      expect([SysCall, SysReplyRecv, SysYield, SysNBRecv]).toEqual([-1, -2, -7, -8]);
      expect(syscallOf(-3)).toBe('Send');
      expect(syscallOf(0xfffffffc)).toBe('NBSend');
      expect(syscallOf(-9)).toBeNull();
      expect(syscallOf(0)).toBeNull();
    });
  });

  describe('message info', () => {
    it('packs label, capsUnwrapped, extraCaps and length into 20/3/2/7 bits', () => {
      expect(messageInfo(1, 0, 1, 6)).toBe(0x1086);
      expect(messageInfo(0xfffff, 7, 3, 127)).toBe(0xffffffff);
      expect(messageInfoFromWord(0x1086)).toEqual({ label: 1, capsUnwrapped: 0, extraCaps: 1, length: 6 });
    });
    it('clamps a length above 120 to 120 when the kernel reads it, but not in the raw view', () => {
      expect(messageInfoFromWord(121).length).toBe(120);
      expect(messageInfoFromWord(127).length).toBe(120);
      expect(rawMessageInfo(127).length).toBe(127);
    });
  });

  describe('invocation labels', () => {
    it('pins the ARM32 non-MCS numbering', () => {
      expect(INVOCATION_LABELS).toHaveLength(50);
      expect(LABEL.UntypedRetype).toBe(1);
      expect(LABEL.TCBSetFlags).toBe(16);
      expect(LABEL.CNodeRevoke).toBe(17);
      expect(LABEL.CNodeSaveCaller).toBe(25);
      expect(LABEL.IRQIssueIRQHandler).toBe(26);
      expect(LABEL.DomainSetSet).toBe(30);
      expect(LABEL.ARMPageTableMap).toBe(37);
      expect(LABEL.ARMPageGetAddress).toBe(45);
      expect(LABEL.ARMASIDPoolAssign).toBe(47);
      expect(LABEL.ARMIRQIssueSGISignal).toBe(49);
    });
  });

  describe('errors', () => {
    it('numbers the ten syscall errors as seL4_Error', () => {
      expect(SYSCALL_ERROR_NUMBER).toEqual({
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
      });
      expect(FAULT_LABEL).toEqual({ CapFault: 1, UnknownSyscall: 2, UserException: 3, VMFault: 5 });
    });
    it('encodes lookup failures as type then fields, guard mismatches as bitsLeft, guardFound, guardSize', () => {
      expect(lookupFailureWords(invalidRoot)).toEqual([1]);
      expect(lookupFailureWords(missingCapability(7))).toEqual([2, 7]);
      expect(lookupFailureWords(depthMismatch(3, 12))).toEqual([3, 3, 12]);
      expect(lookupFailureWords(guardMismatch(32, 5, 20))).toEqual([4, 32, 5, 20]);
    });
    it('builds the error reply: label = error number, words as msgFromSyscallError', () => {
      expect(syscallErrorToMessage(invalidArgument(1))).toEqual({ label: 1, words: [1] });
      expect(syscallErrorToMessage(rangeError(1, 256))).toEqual({ label: 4, words: [1, 256] });
      expect(syscallErrorToMessage(failedLookup(true, missingCapability(32)))).toEqual({ label: 6, words: [1, 2, 32] });
      expect(syscallErrorToMessage(notEnoughMemory(512))).toEqual({ label: 10, words: [512] });
      expect(syscallErrorToMessage({ _tag: 'DeleteFirst' })).toEqual({ label: 8, words: [] });
    });
  });

  describe('rights and object types', () => {
    it('reads rights as bit 0 write, 1 read, 2 grant, 3 grant-reply', () => {
      expect(rightsFromWord(0xf)).toEqual({ write: true, read: true, grant: true, grantReply: true });
      expect(rightsFromWord(0x2)).toEqual({ write: false, read: true, grant: false, grantReply: false });
    });
    it('sizes ARM32 objects (TCB 2^9 without FPU, CNode 2^(4+radix), page directory 2^14)', () => {
      expect(objectTypeOf(1)).toBe('TCB');
      expect(objectTypeOf(5)).toBe('PageDirectory');
      expect(objectTypeOf(11)).toBeNull();
      expect(getObjectSize('TCB', 0)).toBe(9);
      expect(getObjectSize('CapTable', 3)).toBe(7);
      expect(getObjectSize('PageDirectory', 0)).toBe(14);
      expect(getObjectSize('SuperSection', 0)).toBe(24);
      expect(getObjectSize('Untyped', 17)).toBe(17);
    });
  });
});
