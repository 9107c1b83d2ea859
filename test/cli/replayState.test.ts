import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllRights, CNode, Untyped } from '../../refinement/scenario';
import { CNODE, FREE, ObjType, untypedSlot } from '../helpers/boot';
import { jsonOf, runCli, tmp } from '../helpers/cli';

/** A trace that makes an endpoint and mints a badged copy of its cap. */
const traceFile = (): string => {
  const f = join(tmp(), 'two.trace.json');
  const events = [Untyped.retype(untypedSlot(21), ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 1), CNode.mint(FREE + 1, FREE, AllRights, 5)];
  writeFileSync(f, JSON.stringify({ version: 1, events }));
  return f;
};

describe('sel4-spec replay: every state visible', () => {
  it('--state N prints the state after step N in the report names', async () => {
    const r = await runCli('replay', traceFile(), '--state', '2');
    expect(r.code).toBe(0);
    const text = r.stdout.slice(r.stdout.indexOf('state after step 2:'));
    expect(text).toMatch(/^state after step 2:\n {2}scheduler: T1 runs; action ResumeCurrentThread; domain 0, \d+ ticks left\n/);
    expect(text).toMatch(/\n {4}T1 \(0x[0-9a-f]+\): Running; prio 255, mcp 255, domain 0\n {6}r0 \(badge\) \w+, r1 \(msgInfo\) \w+, r2 \(MR0\)/);
    expect(text).toMatch(/\n {2}endpoints:\n {4}EP1: IdleEP\n/);
    expect(text).toContain(`\n      [${FREE}] EndpointCap(EP1, badge 0, rights R W G GR)\n      [${FREE + 1}] EndpointCap(EP1, badge 5, rights R W G GR)\n`);
    // The derivation tree: the untyped, the endpoint cap below it, and the badged copy below that.
    expect(text).toMatch(
      new RegExp(
        String.raw`\n {4}rootCNode\[\d+\] UntypedCap\([^\n]*\(original\)\n {6}rootCNode\[${FREE}\] EndpointCap\(EP1, badge 0, [^\n]*\(original\)\n {8}rootCNode\[${FREE + 1}\] EndpointCap\(EP1, badge 5, [^\n]*\(original\)\n`,
      ),
    );
    const boot = await runCli('replay', traceFile(), '--state', '0');
    expect(boot.stdout).toContain('state after step 0 (the boot state):');
    expect(boot.stdout).not.toMatch(/EP1: IdleEP/);
  });

  it('--diff prints what each step changed, and --json carries the state and the changes', async () => {
    const r = await runCli('replay', traceFile(), '--diff', '--state', '1', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(String.raw`\nstep 1 changed \d+ things:\n( {2}[^\n]*\n)*? {2}rootCNode\[${FREE}\]: \(absent\) → EndpointCap\(EP1, badge 0, rights R W G GR\)\n`),
    );
    expect(r.stderr).toMatch(
      new RegExp(String.raw`\nstep 2 changed \d+ things:\n( {2}[^\n]*\n)*? {2}rootCNode\[${FREE + 1}\]: \(absent\) → EndpointCap\(EP1, badge 5, rights R W G GR\)\n`),
    );
    expect(r.stderr).toMatch(new RegExp(String.raw`\n {2}cdt\.parent\[rootCNode\[${FREE + 1}\]\]: \(absent\) → rootCNode\[${FREE}\]\n`));
    const j = jsonOf(r) as {
      state: { step: number; scheduler: { domainTimeLeft: string }; endpoints: Array<{ name: string }> };
      diffs: Array<{ step: number; changes: Array<{ path: string; before: string; after: string }> }>;
    };
    expect(j.state.step).toBe(1);
    expect(j.state.endpoints.map((e) => e.name)).toEqual(['EP1']);
    // The domain time, a bigint in the state, is a decimal string here.
    expect(j.state.scheduler.domainTimeLeft).toMatch(/^\d+$/);
    expect(j.diffs.map((d) => d.step)).toEqual([1, 2]);
    expect(j.diffs[1]?.changes).toContainEqual({ path: `rootCNode[${FREE + 1}]`, before: '(absent)', after: 'EndpointCap(EP1, badge 5, rights R W G GR)' });
  });

  it('prints a failure at boot, says there is no state after it, and export refuses with one line', async () => {
    const f = join(tmp(), 'boot.trace.json');
    writeFileSync(f, JSON.stringify({ version: 1, mutants: ['copy-marked-revocable'], events: [] }));
    const r = await runCli('replay', f, '--state', '0');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\ndivergence at boot: spec and abstracted impl differ\n {2}cdt\.original: /);
    expect(r.stdout).toContain('no state after step 0: the boot failed');
    const e = await runCli('export', f, '--itf');
    expect(e.code).toBe(1);
    expect(e.stdout).toBe('');
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
    expect(e.stderr).toMatch(/the system failed to boot \(spec and abstracted impl differ\), so there is no state to export/);
  });

  it('--state past the trace is one line naming the bound, exit 2', async () => {
    const r = await runCli('replay', traceFile(), '--state', '3');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--state 3: .*two\.trace\.json has 2 events \(0 is the boot state\)/);
  });
});
