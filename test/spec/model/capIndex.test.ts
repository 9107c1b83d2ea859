import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VM_RIGHTS } from '../../../spec/api/rights';
import { isFinalCapability } from '../../../spec/kernel/cspace';
import { capObjectKey, sameObjectAs } from '../../../spec/model/capability';
import type { KernelState } from '../../../spec/model/state';
import type { Cap, SlotPtr } from '../../../spec/model/structures';
import { generatedSpecStates } from '../../helpers/traces';

/** l4v's is_final_cap as written: no other slot holds a cap that is sameObjectAs it, either way round. */
const finalByScan = (s: KernelState, slot: SlotPtr): boolean => {
  const cap = s.caps.get(slot) ?? { _tag: 'NullCap' };
  for (const [other, c] of s.caps) if (other !== slot && (sameObjectAs(cap, c) || sameObjectAs(c, cap))) return false;
  return true;
};

/** Caps of every kind over two objects of each kind, so that equal and different objects both come up. */
const capArbitrary: fc.Arbitrary<Cap> = (() => {
  const ptr = fc.constantFrom(0x1000, 0x2000);
  const small = fc.constantFrom(4, 5);
  const bool = fc.boolean();
  return fc.oneof(
    fc.constant<Cap>({ _tag: 'NullCap' }),
    fc.record({ _tag: fc.constant('UntypedCap' as const), ptr, blockSize: fc.constantFrom(12, 16), freeIndex: fc.constantFrom(0, 16), isDevice: bool }),
    fc.record({ _tag: fc.constant('EndpointCap' as const), ptr, badge: fc.constantFrom(0, 7), canSend: bool, canReceive: bool, canGrant: bool, canGrantReply: bool }),
    fc.record({ _tag: fc.constant('NotificationCap' as const), ptr, badge: fc.constantFrom(0, 7), canSend: bool, canReceive: bool }),
    fc.record({ _tag: fc.constant('ReplyCap' as const), tcb: ptr, master: bool, canGrant: bool }),
    fc.record({ _tag: fc.constant('CNodeCap' as const), ptr, radix: small, guard: fc.constantFrom(0, 1), guardSize: fc.constantFrom(0, 2) }),
    fc.record({ _tag: fc.constant('ThreadCap' as const), tcb: ptr }),
    fc.constant<Cap>({ _tag: 'IRQControlCap' }),
    fc.record({ _tag: fc.constant('IRQHandlerCap' as const), irq: small }),
    fc.record({
      _tag: fc.constant('ZombieCap' as const),
      ptr,
      zombieType: fc.oneof(fc.constant({ _tag: 'ZombieTCB' as const }), fc.record({ _tag: fc.constant('ZombieCNode' as const), radix: small })),
      number: small,
    }),
    fc.constant<Cap>({ _tag: 'DomainCap' }),
    fc.record({
      _tag: fc.constant('FrameCap' as const),
      ptr,
      sizeBits: fc.constantFrom(12 as const, 16 as const),
      rights: fc.constantFrom(...VM_RIGHTS),
      isDevice: bool,
      mapped: fc.constant(null),
    }),
    fc.record({ _tag: fc.constant('PageTableCap' as const), ptr, mapped: fc.constant(null) }),
    fc.record({ _tag: fc.constant('PageDirectoryCap' as const), ptr, mappedASID: fc.constantFrom(null, 1) }),
    fc.constant<Cap>({ _tag: 'ASIDControlCap' }),
    fc.record({ _tag: fc.constant('ASIDPoolCap' as const), ptr, asidBase: fc.constantFrom(0, 1024) }),
    fc.record({ _tag: fc.constant('SGISignalCap' as const), irq: small, target: fc.constantFrom(0, 1) }),
  );
})();

describe('the caps-to-object index behind isFinalCapability', () => {
  it('gives two caps the same key exactly when either is sameObjectAs the other', () => {
    fc.assert(
      fc.property(capArbitrary, capArbitrary, (a, b) => {
        const key = capObjectKey(a);
        expect(key !== null && key === capObjectKey(b)).toBe(sameObjectAs(a, b) || sameObjectAs(b, a));
      }),
      { seed: 11, numRuns: 5000 },
    );
  });

  it('answers as the scan does on every slot of every state, asked in trace order, backwards and across traces', () => {
    const runs = generatedSpecStates(9, 4, 80);
    const answers = { final: 0, notFinal: 0 };
    const scans = new Map<KernelState, Map<SlotPtr, boolean>>();
    const ask = (s: KernelState) => {
      let scanned = scans.get(s);
      if (scanned === undefined) {
        scanned = new Map([...s.caps.keys()].map((slot) => [slot, finalByScan(s, slot)]));
        scans.set(s, scanned);
      }
      for (const [slot, final] of scanned) {
        expect(isFinalCapability(s, slot), `slot ${slot}`).toBe(final);
        answers[final ? 'final' : 'notFinal']++;
      }
    };
    for (const states of runs) states.forEach(ask);
    for (const states of runs) [...states].reverse().forEach(ask);
    const longest = Math.max(...runs.map((r) => r.length));
    for (let i = 0; i < longest; i++) for (const states of runs) if (states[i] !== undefined) ask(states[i] as KernelState);
    // Both answers come up often, so the comparison can tell a stale index from a current one.
    expect(answers.final).toBeGreaterThan(10_000);
    expect(answers.notFinal).toBeGreaterThan(10_000);
  }, 60_000);
});
