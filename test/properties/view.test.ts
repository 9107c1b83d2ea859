import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { occupiedIndices, scanOccupied } from '../../properties/arbitraries/view';
import { tracePlanArbitrary } from '../../properties/arbitraries/plan';
import { CHECK_BOOT_CONFIG, runPlans } from '../../refinement/check';
import { bootState, step } from '../../spec/kernel';
import type { KernelState } from '../../spec/model/state';

describe('properties/arbitraries/view: the occupied slots of a CNode', () => {
  // Carried from one state to the next through the caps map's journal: it must equal a scan of the state.
  it('follows each state of generated traces as a scan of that state finds it', () => {
    let compared = 0;
    for (const plans of fc.sample(tracePlanArbitrary(150), { seed: 9, numRuns: 6 })) {
      let s: KernelState = bootState(CHECK_BOOT_CONFIG);
      for (const e of runPlans(plans, { config: CHECK_BOOT_CONFIG, fastpath: 'off' }).events) {
        s = step(s, e).state;
        for (const [p, o] of s.objects) {
          if (o._tag !== 'CNode') continue;
          expect(occupiedIndices(s, p, o.radix)).toEqual(scanOccupied(s, p, o.radix));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});
