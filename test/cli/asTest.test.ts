/**
 * `sel4-spec replay FILE --as-test`: the printed test is a real vitest file
 * that fails as the trace does and passes once the kernels agree.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllRights, CNode, InitSlot, ObjectTypeNumber, Untyped } from '../../refinement/scenario';
import { FREE, untypedSlot } from '../helpers/boot';
import { expectRejected, runCli, tmp } from '../helpers/cli';

const INDEX = join(__dirname, '../../refinement/index.ts');
const VITEST = join(__dirname, '../../node_modules/vitest/vitest.mjs');

/** Mint a badged endpoint cap, then mint it again with another badge (seL4 refuses: the mutant lets it through). */
const traceFile = (dir: string, mutants: readonly string[]): string => {
  const f = join(dir, 'rebadge.trace.json');
  const events = [
    Untyped.retype(untypedSlot(21), ObjectTypeNumber.Endpoint, 0, InitSlot.ThreadCNode, 0, 0, FREE, 1),
    CNode.mint(FREE + 1, FREE, AllRights, 2),
    CNode.mint(FREE + 2, FREE + 1, AllRights, 5),
  ];
  writeFileSync(f, JSON.stringify({ version: 1, events, mutants }));
  return f;
};

/** Print the trace as a test into `dir` and run it there with vitest. */
const printAndRun = async (mutants: readonly string[]) => {
  const dir = tmp();
  const printed = await runCli('replay', traceFile(dir, mutants), '--as-test', '--import-from', INDEX);
  writeFileSync(join(dir, 'rebadge.test.ts'), printed.stdout);
  const r = spawnSync(process.execPath, [VITEST, 'run', '--root', dir, '--color=false'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { printed, code: r.status, output: `${r.stdout}${r.stderr}` };
};

describe('sel4-spec replay --as-test', () => {
  it('prints a vitest file in the scenario API that fails as the trace does, with the report as its error', async () => {
    const r = await printAndRun(['mint-keeps-old-badge']);
    expect(r.printed.code).toBe(0);
    expect(r.printed.stderr).toMatch(/the test fails as the trace does \(divergence after step 3\) until that is fixed\n$/);
    expect(r.printed.stdout).toContain(`as(T1, CNode.mint(${FREE + 2}, ${FREE + 1}, AllRights, 5)), // 3. Call cptr 2 = rootCNode[2] CNodeCap(`);
    expect(r.printed.stdout).toContain("{ mutants: ['mint-keeps-old-badge'] },");
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/ScenarioError: the scenario fails at step 3 of 3:/);
    expect(r.output).toMatch(/divergence after step 3: spec and abstracted impl differ/);
  }, 60_000);

  it('and the same trace without the bug passes', async () => {
    const r = await printAndRun([]);
    expect(r.printed.stderr).toMatch(/the test passes \(the kernels agree on all 3 steps\)\n$/);
    expect(r.printed.stdout).not.toContain('mutants');
    expect({ code: r.code, output: r.output }).toMatchObject({ code: 0, output: expect.stringMatching(/Tests +1 passed/) });
  }, 60_000);

  it('prints the test and nothing else: the options that print something else are refused', async () => {
    const f = traceFile(tmp(), []);
    expectRejected(await runCli('replay', f, '--as-test', '--json'), /--as-test prints a test and nothing else: leave out --json/);
    expectRejected(await runCli('replay', f, '--as-test', '--state', '1'), /leave out --state/);
    expectRejected(await runCli('replay', f, '--import-from', 'x'), /--import-from is for --as-test/);
  });
});
