/**
 * The concrete kernel's own ABI decoders against the spec's: two separate
 * readings of the same words (the refinement check compares them in every
 * event; this compares them on every word), and the bounds of the kernel's
 * arrays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CPSR,
  MSG_MAX_LENGTH,
  R0,
  type SyscallError,
  lookupFailureWords,
  messageInfoFromWord as specMessageInfo,
  rightsFromWord as specRights,
  sanitiseRegister as specSanitise,
  syscallErrorToMessage,
  wordFromMessageInfo,
} from '../../spec/api';
import {
  lookupFailureMRs,
  messageInfoFromWord,
  messageInfoNew,
  msgCapsUnwrapped,
  msgExtraCaps,
  msgLabel,
  msgLength,
  rightsFromWord,
  sanitiseRegister,
  syscallErrorMRs,
} from '../../impl/model/abi';
import { KernelArray, KernelBug, tableAt } from '../../impl/model/memory';

const word = fc.nat({ max: 0xffff_ffff });

const lookupFailure = fc.oneof(
  fc.constant({ _tag: 'InvalidRoot' as const }),
  fc.record({ _tag: fc.constant('MissingCapability' as const), bitsLeft: fc.nat(32) }),
  fc.record({ _tag: fc.constant('DepthMismatch' as const), bitsLeft: fc.nat(32), bitsFound: fc.nat(32) }),
  fc.record({ _tag: fc.constant('GuardMismatch' as const), bitsLeft: fc.nat(32), guardFound: word, guardSize: fc.nat(32) }),
);

const syscallError: fc.Arbitrary<SyscallError> = fc.oneof(
  fc.record({ _tag: fc.constant('InvalidArgument' as const), argument: fc.nat(10) }),
  fc.record({ _tag: fc.constant('InvalidCapability' as const), capIndex: fc.nat(3) }),
  fc.constant({ _tag: 'IllegalOperation' as const }),
  fc.record({ _tag: fc.constant('RangeError' as const), min: word, max: word }),
  fc.constant({ _tag: 'AlignmentError' as const }),
  fc.record({ _tag: fc.constant('FailedLookup' as const), isSource: fc.boolean(), failure: lookupFailure }),
  fc.constant({ _tag: 'TruncatedMessage' as const }),
  fc.constant({ _tag: 'DeleteFirst' as const }),
  fc.constant({ _tag: 'RevokeFirst' as const }),
  fc.record({ _tag: fc.constant('NotEnoughMemory' as const), bytesAvailable: word }),
);

describe("impl/model/abi: the kernel's own reading of the ABI words agrees with the spec's", () => {
  it('message info: every field of every word, and the clamp of the length to 120', () => {
    fc.assert(
      fc.property(word, (w) => {
        const mi = messageInfoFromWord(w);
        const s = specMessageInfo(w);
        expect({ label: msgLabel(mi), capsUnwrapped: msgCapsUnwrapped(mi), extraCaps: msgExtraCaps(mi), length: msgLength(mi) }).toEqual(s);
        expect(messageInfoNew(s.label, s.capsUnwrapped, s.extraCaps, s.length)).toBe(wordFromMessageInfo(s));
      }),
    );
    expect(msgLength(messageInfoFromWord(127))).toBe(MSG_MAX_LENGTH);
    expect(msgLength(messageInfoFromWord(120))).toBe(120);
  });

  it('rights words', () =>
    fc.assert(
      fc.property(word, (w) => {
        expect(rightsFromWord(w)).toEqual(specRights(w));
      }),
    ));

  it('register sanitising', () =>
    fc.assert(
      fc.property(word, (w) => {
        expect(sanitiseRegister(CPSR, w)).toBe(specSanitise(CPSR, w));
        expect(sanitiseRegister(R0, w)).toBe(specSanitise(R0, w));
      }),
    ));

  it('syscall-error replies and lookup-failure words', () =>
    fc.assert(
      fc.property(syscallError, lookupFailure, (e, lf) => {
        expect(syscallErrorMRs(e)).toEqual(syscallErrorToMessage(e));
        expect(lookupFailureMRs(lf)).toEqual(lookupFailureWords(lf));
      }),
    ));
});

describe('the bounds of the kernel arrays', () => {
  it('an index outside a kernel array is a KernelBug naming the array, for reads and writes alike', () => {
    const a = new KernelArray('ksReadyQueueHead', 4);
    a.set(3, 7);
    expect(a.get(3)).toBe(7);
    for (const i of [4, -1, 1.5, Number.NaN, 2 ** 32]) {
      expect(() => a.get(i)).toThrow(KernelBug);
      expect(() => a.set(i, 1)).toThrow(/ksReadyQueueHead\[.*\]: index outside 0\.\.3/);
    }
    expect(a.raw[3]).toBe(7);
  });

  it('and of the constant tables the kernel indexes', () => {
    expect(tableAt([10, 20], 1, 'MSG_REGISTERS')).toBe(20);
    expect(() => tableAt([10, 20], 2, 'MSG_REGISTERS')).toThrow(/MSG_REGISTERS\[2\]: index outside 0\.\.1/);
  });
});
