/**
 * A kernel that throws fails the check (fail closed): the issue's own case,
 * a `throw new TypeError('boom')` in the concrete kernel's CNodeRevoke, is a
 * `crash` counterexample, shrunk, saved and replayable, exit 1, in the human
 * report and in --json alike.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { LABEL } from '../../spec/api';
import { jsonOf, runCli, tmp } from '../helpers/cli';

vi.mock('../../impl/object/cnode', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../impl/object/cnode')>();
  return {
    ...original,
    decodeCNodeInvocation: (...args: Parameters<typeof original.decodeCNodeInvocation>) => {
      if (args[1] === LABEL.CNodeRevoke) throw new TypeError('boom');
      return original.decodeCNodeInvocation(...args);
    },
  };
});

describe('a concrete kernel that throws', () => {
  it('is a crash counterexample of one revoke (exit 1), with the side and the stack, saved and replayable', async () => {
    const dir = tmp();
    const r = await runCli('check', '--seed', '1', '--runs', '20', '--workers', '1', '--no-progress', '--out', dir, '--json');
    expect(r.code).toBe(1);
    const j = jsonOf(r);
    expect(j).toMatchObject({ ok: false, verdict: 'counterexample' });
    const c = j['counterexample'] as {
      file: string;
      length: number;
      failure: { kind: string; side: string; message: string; stack: string[] };
    };
    expect(c.failure).toMatchObject({ kind: 'crash', side: 'impl', message: 'impl threw TypeError: boom' });
    expect(c.failure.stack[0]).toMatch(/^at decodeCNodeInvocation .*test\/cli\/crash\.test\.ts:\d+:\d+\)$/);
    // Shrunk to a few events, ending with the revoke that throws.
    expect(c.length).toBeLessThanOrEqual(12);
    // The last step, told: the thread, the CNode cap the cptr lands on, the revoke's arguments by name.
    expect(r.stderr).toMatch(new RegExp(`\\n +${c.length}\\. T\\d+ [^\\n]*: Call cptr \\d+ = [^\\n]* CNodeCap\\([^\\n]*\\n +CNodeRevoke\\(index=\\d+, depth=\\d+\\)`));
    expect(r.stderr).toMatch(new RegExp(`crash after step ${c.length}: impl threw TypeError: boom\\n {4}at decodeCNodeInvocation`));
    expect(r.stderr).not.toContain('OK: the spec and the concrete kernel agree');
    const saved = JSON.parse(readFileSync(c.file, 'utf8')) as { failure: { kind: string } };
    expect(saved.failure.kind).toBe('crash');
    // The replay meets the same crash, with the same stack.
    const replay = await runCli('replay', c.file, '--json');
    expect(replay.code).toBe(1);
    expect(jsonOf(replay)['failure']).toMatchObject({
      kind: 'crash',
      side: 'impl',
      message: 'impl threw TypeError: boom',
      stack: c.failure.stack,
    });
  }, 120_000);

  it('is a crash in the human report too, never the agreement line', async () => {
    const r = await runCli('check', '--seed', '2', '--runs', '20', '--workers', '1', '--no-progress', '--out', tmp(), '--fastpath', 'on');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/crash after step \d+: impl \(fastpath on\) threw TypeError: boom/);
    expect(r.stdout).not.toContain('OK:');
  }, 120_000);
});
