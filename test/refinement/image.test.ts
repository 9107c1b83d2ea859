import { describe, expect, it } from 'vitest';
import { type Event, TCB_OFFSET } from '../../spec/api';
import { Tcb } from '../../impl/model/layout';
import { boot, step } from '../../impl/kernel';
import { KernelBug } from '../../impl/model/memory';
import { MUTANT_NAMES, patchesOf } from '../../properties/mutants';
import { CHECK_BOOT_CONFIG } from '../../refinement/check';
import { abstract } from '../../refinement/abstract';
import { AbstractImage, takeFootprint } from '../../refinement/abstract/image';
import { diff } from '../../refinement/diff';
import { generatedTraces } from '../helpers/traces';

/**
 * The incremental image's claim, checked step by step: after every event it
 * equals the abstraction built from all of memory, and it finds a broken
 * representation exactly when the whole abstraction does.
 */
const imageFollowsWhole = (events: readonly Event[], mutants: readonly string[], fastpath: boolean): number => {
  const k = boot(CHECK_BOOT_CONFIG, patchesOf(mutants), { fastpath });
  takeFootprint(k);
  const image = new AbstractImage(k);
  let compared = 0;
  for (const [i, e] of events.entries()) {
    try {
      step(k, e);
    } catch (x) {
      if (x instanceof KernelBug) break;
      throw x;
    }
    const update = image.update(k, takeFootprint(k));
    const whole = abstract(k);
    const where = `step ${i + 1} (${e.kind}) of a trace, mutants [${mutants.join(', ')}], fastpath ${fastpath}`;
    expect(diff(whole.state, image.state), where).toEqual([]);
    expect(update.violations.length > 0, `${where}: ${JSON.stringify(whole.violations.slice(0, 3))}`).toBe(whole.violations.length > 0);
    compared++;
    // Past a broken representation the check has stopped: nothing more to claim.
    if (whole.violations.length > 0) break;
  }
  return compared;
};

describe('refinement/abstract/image (the incremental abstraction)', () => {
  it('equals the whole abstraction after every event of generated traces, with the fastpath off and on', () => {
    let compared = 0;
    for (const t of generatedTraces(11, 10, 120)) for (const fastpath of [false, true]) compared += imageFollowsWhole(t, [], fastpath);
    expect(compared).toBeGreaterThan(1200);
  }, 120_000);

  it('re-walks an endpoint queue when only a queued thread link changed (the endpoint words untouched)', () => {
    for (const t of generatedTraces(11, 30, 200)) {
      const k = boot(CHECK_BOOT_CONFIG, [], { fastpath: false });
      takeFootprint(k);
      const image = new AbstractImage(k);
      for (const e of t) {
        step(k, e);
        image.update(k, takeFootprint(k));
        const queued = [...image.state.objects.values()].find((o) => o._tag === 'Endpoint' && o.state._tag !== 'IdleEP' && o.state.queue.length >= 2);
        if (queued?._tag !== 'Endpoint' || queued.state._tag === 'IdleEP') continue;
        // Break the second thread's back link as a buggy kernel might: a write to the thread alone.
        const second = queued.state.queue[1] as number;
        k.mem.store(second + TCB_OFFSET + 4 * Tcb.epPrev, 0);
        expect(
          abstract(k)
            .violations.map((v) => v.message)
            .join(),
        ).toMatch(/back link/);
        expect(
          image
            .update(k, takeFootprint(k))
            .violations.map((v) => v.message)
            .join(),
        ).toMatch(/back link/);
        return;
      }
    }
    throw new Error('no generated trace queued two threads on an endpoint');
  }, 60_000);

  it.each(MUTANT_NAMES)(
    'equals the whole abstraction on a kernel with mutant %s, on its own traces and on clean ones',
    (m) => {
      const own = generatedTraces(5, 1, 60, [m]);
      const clean = generatedTraces(7, 1, 60);
      let compared = 0;
      for (const t of [...own, ...clean]) compared += imageFollowsWhole(t, [m], m.startsWith('fastpath'));
      expect(compared).toBeGreaterThan(0);
    },
    60_000,
  );
});
