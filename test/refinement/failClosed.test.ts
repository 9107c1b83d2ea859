/**
 * Fail closed: whatever throws in any part of a checked step is a failure
 * naming that part, never a pass; a kernel entry that never ends is stopped;
 * a throw outside the checked step (the generator's) is an error of the tool,
 * exit 3, never "OK".
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InitSlot, LABEL, tickEvent } from '../../spec/api';
import { CNode } from '../../refinement/scenario';
import { step as specStep } from '../../spec/kernel';
import { LockStep, runTrace } from '../../refinement/run';
import { checkRefinement, runEvents, sameFailure } from '../../refinement/check';
import { describeThrown, oneLine } from '../../refinement/crash';
import { wellFormed } from '../../invariants/wellFormed';
import { runCli, tmp } from '../helpers/cli';

/** What the mocks below do: nothing unless a test says so. */
const sabotage = vi.hoisted(() => ({
  revoke: undefined as undefined | 'throw' | 'loop' | 'overflow' | 'non-error',
  abstraction: false,
  statistics: false,
  generator: false,
  boot: false,
}));

vi.mock('../../impl/object/cnode', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../impl/object/cnode')>();
  const { LABEL: labels } = await import('../../spec/api');
  const recurse = (n: number): number => recurse(n + 1) + 1;
  return {
    ...original,
    decodeCNodeInvocation: (...args: Parameters<typeof original.decodeCNodeInvocation>) => {
      const [k, label] = args;
      if (label === labels.CNodeRevoke && sabotage.revoke !== undefined) {
        if (sabotage.revoke === 'throw') throw new TypeError('boom');
        if (sabotage.revoke === 'non-error') throw 'a string';
        if (sabotage.revoke === 'overflow') recurse(0);
        for (;;) k.mem.load(k.ksCurThread);
      }
      return original.decodeCNodeInvocation(...args);
    },
  };
});
vi.mock('../../refinement/abstract', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../refinement/abstract')>();
  return {
    ...original,
    abstract: (...args: Parameters<typeof original.abstract>) => {
      if (sabotage.abstraction) throw new RangeError('abstraction broke');
      return original.abstract(...args);
    },
  };
});
vi.mock('../../refinement/abstract/image', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../refinement/abstract/image')>();
  class AbstractImage extends original.AbstractImage {
    override update(...args: Parameters<InstanceType<typeof original.AbstractImage>['update']>) {
      if (sabotage.abstraction) throw new RangeError('abstraction broke');
      return super.update(...args);
    }
  }
  return { ...original, AbstractImage };
});
vi.mock('../../properties/statistics', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../properties/statistics')>();
  class Statistics extends original.Statistics {
    override observe(...args: Parameters<InstanceType<typeof original.Statistics>['observe']>): void {
      if (sabotage.statistics) throw new Error('counting broke');
      super.observe(...args);
    }
  }
  return { ...original, Statistics };
});
vi.mock('../../properties/arbitraries/resolve', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../properties/arbitraries/resolve')>();
  return {
    ...original,
    planSteps: (...args: Parameters<typeof original.planSteps>) => {
      if (sabotage.generator) throw new TypeError('the generator broke');
      return original.planSteps(...args);
    },
  };
});
vi.mock('../../impl/kernel/boot', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../impl/kernel/boot')>();
  return {
    ...original,
    boot: (...args: Parameters<typeof original.boot>) => {
      if (sabotage.boot) throw new Error('no memory for the kernel');
      return original.boot(...args);
    },
  };
});

afterEach(() => {
  sabotage.revoke = undefined;
  sabotage.abstraction = false;
  sabotage.statistics = false;
  sabotage.generator = false;
  sabotage.boot = false;
});

/** Revoke slot 2 of the root CNode (its own cap), as the root task. */
const revoke = CNode.revoke(InitSlot.ThreadCNode);

describe('fail closed: any throw in a step is a crash of the part that threw', () => {
  it('the concrete kernel (a TypeError)', () => {
    sabotage.revoke = 'throw';
    const f = runTrace([tickEvent, revoke]).failure;
    expect(f).toMatchObject({ kind: 'crash', side: 'impl', step: 2, message: 'impl threw TypeError: boom', event: revoke });
    expect(f?.stack?.[0]).toMatch(/^at decodeCNodeInvocation /);
    // The checker's own frames are left out, so a check and its replay read the same.
    expect(f?.stack?.join('\n')).not.toMatch(/refinement\/run\.ts/);
  });

  it('the fastpath twin, named as such', () => {
    sabotage.revoke = 'throw';
    expect(runTrace([revoke], { fastpath: 'on' }).failure).toMatchObject({ kind: 'crash', side: 'impl (fastpath on)' });
  });

  it('a stack overflow, and a thrown value that is not an Error', () => {
    sabotage.revoke = 'overflow';
    expect(runTrace([revoke]).failure).toMatchObject({
      kind: 'crash',
      side: 'impl',
      message: 'impl threw RangeError: Maximum call stack size exceeded',
    });
    sabotage.revoke = 'non-error';
    expect(runTrace([revoke]).failure).toMatchObject({
      kind: 'crash',
      side: 'impl',
      message: 'impl threw a non-Error value was thrown: "a string"',
    });
  });

  it('a kernel entry that never ends is stopped by the watchdog (a count of memory accesses, not a time)', () => {
    sabotage.revoke = 'loop';
    const f = runTrace([revoke]).failure;
    expect(f).toMatchObject({ kind: 'kernel-bug', step: 1 });
    expect(f?.message).toMatch(/runaway kernel entry/);
  }, 60_000);

  it('the spec', () => {
    const throwing: typeof specStep = (s, e) => {
      if (e.kind === 'tick') throw new TypeError('spec broke');
      return specStep(s, e);
    };
    expect(runTrace([revoke, tickEvent], { specStep: throwing }).failure).toMatchObject({
      kind: 'crash',
      side: 'spec',
      step: 2,
      message: 'spec threw TypeError: spec broke',
    });
  });

  it.each([false, true])('the abstraction function (full compare: %s)', (fullCompare) => {
    const ls = new LockStep({ fullCompare });
    sabotage.abstraction = true;
    ls.step(tickEvent);
    expect(ls.failure).toMatchObject({ kind: 'crash', side: 'abstraction', message: 'abstraction threw RangeError: abstraction broke' });
    ls.dispose();
  });

  it('the abstraction function at boot, and the boot itself', () => {
    sabotage.abstraction = true;
    expect(new LockStep().failure).toMatchObject({ kind: 'crash', side: 'abstraction', step: 0 });
    sabotage.abstraction = false;
    sabotage.boot = true;
    const ls = new LockStep();
    expect(ls.failure).toMatchObject({ kind: 'crash', side: 'boot', step: 0, message: 'boot threw Error: no memory for the kernel' });
    expect(ls.step(tickEvent)).toBe(false);
    ls.dispose();
  });

  it('the invariants', () => {
    const throwing = () => {
      throw new Error('invariant code broke');
    };
    expect(runTrace([tickEvent], { checkSpec: throwing }).failure).toMatchObject({ kind: 'crash', side: 'invariants' });
  });

  it('the statistics, in a check and in the replay of its counterexample', async () => {
    sabotage.statistics = true;
    const r = await checkRefinement({ seed: 1, runs: 3, steps: 20 });
    expect(r.ok).toBe(false);
    expect(r.counterexample?.failure).toMatchObject({ kind: 'crash', side: 'observer', message: 'observer threw Error: counting broke' });
    expect(r.counterexample?.reproduces).toBe(true);
    expect(r.counterexample?.events).toHaveLength(1);
    expect(runEvents(r.counterexample?.events ?? [], { config: r.config }).failure).toMatchObject({ kind: 'crash', side: 'observer' });
  }, 60_000);

  it('a crash found by the check is shrunk to the one event that throws, and replays', async () => {
    sabotage.revoke = 'throw';
    const r = await checkRefinement({ seed: 7, runs: 20, steps: 200, checkSpec: wellFormed });
    expect(r.ok).toBe(false);
    const c = r.counterexample;
    expect(c?.failure).toMatchObject({ kind: 'crash', side: 'impl' });
    // Shrunk to a few events (the revoke's target may need setting up) ending with the revoke that throws.
    expect(c?.events.length).toBeLessThanOrEqual(12);
    expect(c?.originalLength).toBeGreaterThan((c?.events.length ?? 0) * 5);
    const last = c?.events.at(-1);
    expect(last?.kind === 'syscall' && last.info !== undefined && last.info >>> 12).toBe(LABEL.CNodeRevoke);
    expect(c?.reproduces).toBe(true);
  }, 60_000);
});

describe('a throw outside the checked step is an error of the tool, never a pass', () => {
  it('checkRefinement rejects with the generator error', async () => {
    sabotage.generator = true;
    await expect(checkRefinement({ seed: 1, runs: 3, steps: 20 })).rejects.toThrow('the generator broke');
  });

  it('the command line exits 3 with one line saying so', async () => {
    sabotage.generator = true;
    const r = await runCli('check', '--seed', '1', '--runs', '3', '--workers', '1', '--no-progress', '--out', tmp());
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sel4-spec: internal error: TypeError: the generator broke \(at .*\); this is a bug in sel4-spec/);
    expect(r.stdout).not.toContain('OK');
  });
});

describe('what reports itself cannot fail open', () => {
  it('describing a throw survives a thrown value whose own accessors throw', () => {
    const nasty = new Error('x');
    Object.defineProperty(nasty, 'stack', {
      get() {
        throw new Error('no stack for you');
      },
    });
    expect(describeThrown(nasty).message).toMatch(/cannot be described/);
  });

  it('error lines carry no terminal controls (C0, C1, bidirectional overrides) and cut no surrogate pair in two', () => {
    expect(oneLine('a\u001b[31mb\u009bc\u202ed\u2066e', 100)).toBe('a?[31mb?c?d?e');
    const cut = oneLine('x'.repeat(8) + '😀😀', 10);
    expect(cut).toBe('x'.repeat(8) + '…');
    expect(oneLine('one\ntwo\r\nthree', 100)).toBe('one ⏎ two ⏎ three');
  });

  it('a check stopped before any failure is not ok', async () => {
    const stop = new AbortController();
    stop.abort();
    const r = await checkRefinement({ seed: 1, runs: 10, steps: 20, signal: stop.signal });
    expect(r).toMatchObject({ ok: false, interrupted: true, runs: 0 });
  });

  it('a kernel bug shrinks only into a bug of the same kernel', () => {
    const f = (message: string) => ({
      step: 1,
      event: undefined,
      kind: 'kernel-bug' as const,
      message,
      differences: [],
      sides: ['spec', 'impl'] as const,
      violations: [],
    });
    expect(sameFailure(f('impl: a'), f('impl: b'))).toBe(true);
    expect(sameFailure(f('impl: a'), f('impl (fastpath on): a'))).toBe(false);
  });
});
