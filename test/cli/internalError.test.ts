/**
 * Exit 3, for every command: an error of the tool itself (here, each command's
 * own machinery made to throw outside any checked step) is one line on stderr
 * saying so, never a pass, a counterexample or a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli, tmp } from '../helpers/cli';

const broken = vi.hoisted(() => ({ on: false }));

vi.mock('../../refinement/check', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../refinement/check')>();
  return {
    ...original,
    runEvents: (...args: Parameters<typeof original.runEvents>) => {
      if (broken.on) throw new TypeError('replay machinery broke');
      return original.runEvents(...args);
    },
  };
});
vi.mock('../../properties/mutation', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../properties/mutation')>();
  return {
    ...original,
    hunt: async (...args: Parameters<typeof original.hunt>) => {
      if (broken.on) throw new RangeError('hunt machinery broke');
      return original.hunt(...args);
    },
  };
});
vi.mock('../../refinement/bench/pingpong', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../refinement/bench/pingpong')>();
  return {
    ...original,
    runPingPong: (...args: Parameters<typeof original.runPingPong>) => {
      if (broken.on) throw new Error('bench machinery broke');
      return original.runPingPong(...args);
    },
  };
});

afterEach(() => {
  broken.on = false;
});

const trace = (): string => {
  const f = join(tmp(), 'ok.trace.json');
  writeFileSync(f, JSON.stringify({ version: 1, events: [{ kind: 'tick' }] }));
  return f;
};

describe('exit 3: an error of the tool itself', () => {
  it.each([
    ['replay', () => ['replay', trace()], /TypeError: replay machinery broke/],
    ['mutants --hunt', () => ['mutants', '--hunt', '--only', 'bitmap-l1-left-set', '--no-progress', '--out', tmp()], /RangeError: hunt machinery broke/],
    ['bench', () => ['bench', '--rounds', '10', '--check-runs', '1', '--scaling-rounds', '1', '--worker-runs', '1'], /Error: bench machinery broke/],
  ])(
    '%s',
    async (_name, args, message) => {
      // Working first, then broken.
      expect((await runCli(...args())).code).toBe(0);
      broken.on = true;
      const r = await runCli(...args());
      expect(r.code).toBe(3);
      const lines = r.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(/^sel4-spec: internal error: .* \(at .*\); this is a bug in sel4-spec/);
      expect(lines.at(-1)).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).not.toMatch(/^OK/m);
    },
    120_000,
  );
});
