import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boot } from '../../impl/kernel';
import { timerTick } from '../../impl/kernel/thread';
import { patch, seam, seamFunctions, seamTable } from '../../impl/model/seam';
import { tcbGet } from '../../impl/model/heap';
import { Tcb } from '../../impl/model/layout';
import { MUTANTS, MUTANT_NAMES, patchesOf } from '../../properties/mutants';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });

describe('impl/model/seam', () => {
  it('a kernel booted without patches has no seam table; one with patches runs them, innermost first', () => {
    expect(boot().seams).toBeNull();
    const calls: string[] = [];
    const k = boot(undefined, [
      patch(timerTick, (inner) => (k) => {
        calls.push('first');
        inner(k);
      }),
      patch(timerTick, (inner) => (k) => {
        calls.push('second');
        inner(k);
      }),
    ]);
    const slice = tcbGet(k, k.ksCurThread, Tcb.timeSlice);
    timerTick(k);
    expect(calls).toEqual(['second', 'first']);
    // The real timerTick ran underneath.
    expect(tcbGet(k, k.ksCurThread, Tcb.timeSlice)).toBe(slice - 1);
  });

  it('a table holds only the patched seams: every other seam of a patched kernel runs as written', () => {
    const table = seamTable([patch(timerTick, (inner) => inner)]);
    expect(table?.filter((f) => f !== undefined).length).toBe(1);
  });

  it('a patched kernel leaves every other kernel as written', () => {
    const patched = boot(undefined, [patch(timerTick, () => () => undefined)]);
    const plain = boot();
    const before = [tcbGet(patched, patched.ksCurThread, Tcb.timeSlice), tcbGet(plain, plain.ksCurThread, Tcb.timeSlice)];
    timerTick(patched);
    timerTick(plain);
    expect(tcbGet(patched, patched.ksCurThread, Tcb.timeSlice)).toBe(before[0]);
    expect(tcbGet(plain, plain.ksCurThread, Tcb.timeSlice)).toBe((before[1] ?? 0) - 1);
  });

  it('refuses a patch of a function that is not a seam, a seam declared twice and an unknown seam', () => {
    const notASeam = (_k: unknown) => 0;
    expect(() => boot(undefined, [patch(notASeam, (f) => f)])).toThrow(/not a kernel seam/);
    expect(() => seamTable([patch(notASeam, (f) => f)])).toThrow(/'notASeam', which is not a kernel seam/);
    expect(() => seam('timerTick', () => undefined)).toThrow(/declared twice/);
    expect(() => patchesOf(['no-such-mutant'])).toThrow(/unknown mutant/);
  });

  it('every seamed function has exactly its declared parameters, none default or optional (the dispatch passes `length` of them)', () => {
    expect(seamFunctions().size).toBeGreaterThan(20);
    for (const [name, f] of seamFunctions()) {
      const params = /^\(([^)]*)\)/.exec(f.toString())?.[1] ?? '';
      expect(params, name).not.toMatch(/[=?]/);
      expect(params.split(',').filter((p) => p.trim() !== '').length, name).toBe(f.length);
    }
  });

  it('every mutant patches the kernel, and no kernel file names a mutant or tests for one', () => {
    for (const m of MUTANTS) {
      expect(m.patches.length, m.name).toBeGreaterThan(0);
      expect(seamTable(m.patches)?.filter((f) => f !== undefined).length, m.name).toBeGreaterThan(0);
    }
    for (const f of filesUnder('impl')) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/\.mutants\b/);
      for (const name of MUTANT_NAMES) expect(text.includes(`'${name}'`), `${f} names ${name}`).toBe(false);
    }
  });
});
