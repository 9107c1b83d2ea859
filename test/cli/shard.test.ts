import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRejected, runCli, tmp } from '../helpers/cli';
import { shardSlice } from '../../refinement/cli/check';

/** A shard's --json summary, written to a file as a CI job would keep it. */
const shard = async (dir: string, args: readonly string[], i: number, n: number): Promise<string> => {
  const r = await runCli('check', ...args, '--shard', `${i}/${n}`, '--json', '--out', join(dir, `out${i}`));
  const file = join(dir, `shard-${i}.json`);
  writeFileSync(file, r.stdout);
  return file;
};

/** Stdout of a report without the lines naming where a counterexample was saved (each machine saves its own). */
const report = (s: string): string =>
  s
    .split('\n')
    .filter((l) => !l.startsWith('trace written to'))
    .join('\n');

describe('check --shard i/n and sel4-spec merge', () => {
  it('cuts the runs into n contiguous slices that cover them once', () => {
    for (const [runs, n] of [
      [100, 3],
      [7, 7],
      [5, 8],
    ] as const) {
      const slices = Array.from({ length: n }, (_, i) => shardSlice(runs, { index: i + 1, count: n }));
      expect(slices.reduce((k, s) => k + s.count, 0)).toBe(runs);
      slices.forEach((s, i) => expect(s.start).toBe(i === 0 ? 0 : (slices[i - 1]?.start ?? 0) + (slices[i - 1]?.count ?? 0)));
    }
  });

  it('merges shard summaries, in any order, into the summary of the whole check (and its JSON)', async () => {
    const dir = tmp();
    const args = ['--seed', '5', '--runs', '9', '--steps', '80', '--no-timing', '--no-progress', '--coverage', '--workers', '1'];
    const whole = await runCli('check', ...args, '--out', join(dir, 'whole'));
    const files = [await shard(dir, args, 3, 3), await shard(dir, args, 1, 3), await shard(dir, args, 2, 3)];
    const merged = await runCli('merge', ...files, '--coverage', '--no-timing');
    expect(merged.code).toBe(whole.code);
    expect(merged.stderr).toBe(whole.stderr);
    expect(merged.stdout).toBe(whole.stdout);
    const json = await runCli('merge', ...files, '--coverage', '--no-timing', '--json');
    const single = await runCli('check', ...args, '--out', join(dir, 'whole'), '--json');
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(single.stdout));
  }, 120_000);

  it('keeps the first counterexample by run order, and the counts up to it', async () => {
    const dir = tmp();
    const args = ['--seed', '2', '--runs', '6', '--steps', '60', '--no-timing', '--no-progress', '--mutant', 'badge-not-delivered', '--workers', '1'];
    const whole = await runCli('check', ...args, '--out', join(dir, 'whole'));
    expect(whole.code).toBe(1);
    const files = [await shard(dir, args, 1, 2), await shard(dir, args, 2, 2)];
    const merged = await runCli('merge', ...files.reverse(), '--no-timing');
    expect(merged.code).toBe(1);
    expect(report(merged.stdout)).toBe(report(whole.stdout));
    expect(merged.stdout).toMatch(/trace written to .*out1/);
  }, 180_000);

  it('rejects a missing or doubled shard, a shard of another check, a file that is no shard, and a bad --shard', async () => {
    const dir = tmp();
    const args = ['--seed', '5', '--runs', '4', '--steps', '20', '--no-progress', '--workers', '1'];
    const a = await shard(dir, args, 1, 2);
    const b = await shard(dir, args, 2, 2);
    const other = join(dir, 'other.json');
    writeFileSync(other, (await runCli('check', ...args.map((x) => (x === '5' ? '6' : x)), '--shard', '2/2', '--json', '--out', dir)).stdout);
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"seed": 1}');
    expectRejected(await runCli('merge', a), /shard 2\/2 is missing/);
    expectRejected(await runCli('merge', a, b, b), /shard 2\/2 is also/);
    expectRejected(await runCli('merge', a, other), /a shard of another check/);
    expectRejected(await runCli('merge', a, garbage), /garbage\.json: not the --json summary of a check --shard/);
    // A shard that stopped short without a counterexample, or claims another slice, is not the whole check's.
    const edited = (f: (j: { runs: number; shard: { start: number } }) => void) => {
      const j = JSON.parse(readFileSync(b, 'utf8')) as { runs: number; shard: { start: number } };
      f(j);
      const file = join(dir, `edited-${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(j));
      return file;
    };
    expectRejected(
      await runCli(
        'merge',
        a,
        edited((j) => (j.runs -= 1)),
      ),
      /made 1 of its 2 runs without a counterexample/,
    );
    expectRejected(
      await runCli(
        'merge',
        a,
        edited((j) => (j.shard.start = 1)),
      ),
      /should hold runs 3 to 4/,
    );
    expectRejected(await runCli('check', '--shard', '0/3'), /--shard must be i\/n with 1 <= i <= n/);
    expectRejected(await runCli('check', '--shard', '4/3'), /--shard must be i\/n/);
  }, 120_000);
});
