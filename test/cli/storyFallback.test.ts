/**
 * The counterexample is never lost to its telling: when the seL4-terms
 * rendering throws, the steps are printed as recorded, with a line saying so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli, tmp } from '../helpers/cli';

vi.mock('../../refinement/report/story', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../refinement/report/story')>();
  return {
    ...original,
    tell: () => {
      throw new RangeError('story machinery broke');
    },
  };
});

describe('a report whose telling fails', () => {
  it('prints the recorded steps, says why, and keeps the verdict', async () => {
    const f = join(tmp(), 'ok.trace.json');
    writeFileSync(f, JSON.stringify({ version: 1, events: [{ kind: 'tick' }, { kind: 'tick' }] }));
    const r = await runCli('replay', f);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(the steps could not be told in seL4's terms: RangeError: story machinery broke; here they are as recorded)");
    expect(r.stdout).toMatch(/\n +1\. tick +→ /);
    expect(r.stdout).toMatch(/\n +2\. tick +→ /);
    expect(r.stdout).toMatch(/^OK: the spec and the concrete kernel agree/m);
  });
});
