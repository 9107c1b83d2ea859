/**
 * Bad input of every kind gets one bounded line naming what is wrong and
 * where, exit 2, never a stack trace, and never hangs or reads without end.
 * Each case here is one of the defects a hostile-input campaign found.
 */
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_SCHEDULE_ENTRIES, MAX_TRACE_FILE_BYTES } from '../../refinement/trace/codec';
import { writeNewFile } from '../../refinement/cli/files';
import { UsageError } from '../../refinement/cli/io';
import { expectRejected, runCli, tmp } from '../helpers/cli';

const traceFile = (content: string): string => {
  const f = join(tmp(), 'bad.trace.json');
  writeFileSync(f, content);
  return f;
};
/** A value nested `depth` deep, as a placeholder the file's text replaces (no JSON.stringify would survive it). */
const nested = (depth: number): string => `@@nested:${depth}@@`;
const trace = (fields: Record<string, unknown>): string =>
  traceFile(JSON.stringify({ version: 1, events: [], ...fields }).replace(/"@@nested:(\d+)@@"/g, (_m, d: string) => '['.repeat(Number(d)) + '0' + ']'.repeat(Number(d))));
const replayOf = (fields: Record<string, unknown>) => runCli('replay', trace(fields));
const tick = { kind: 'tick' };
const sys = (extra: Record<string, unknown> = {}) => ({ kind: 'syscall', sysno: -7, ...extra });
const huge = 'x'.repeat(1_000_000);

describe('bad options: one line, exit 2', () => {
  const shown = (args: readonly string[]) => args.map((a) => (a.length > 40 ? `<${a.length} characters>` : a)).join(' ');
  it.each(
    (
      [
        [['check', '--frob'], /unknown option '--frob'/],
        [['check', '--runs', 'many'], /--runs must be an integer, got 'many'/],
        [['check', '--runs', '0'], /--runs must be between 1/],
        [['check', '--runs', '1e3'], /--runs must be an integer, got '1e3'/],
        [['check', '--runs', ''], /--runs must be an integer, got ''/],
        [['check', '--runs', '99999999999999999999'], /--runs must be an integer/],
        [['check', '--steps', '20001'], /--steps must be between 1 and 20000/],
        [['check', '--seed', '2147483648'], /--seed must be between -2147483648 and 2147483647/],
        [['check', '--seed', '-2147483649'], /--seed must be between/],
        [['check', '--seed', '1.5'], /--seed must be an integer/],
        [['check', '--seed', huge], /--seed must be an integer, got 'x+…'/],
        [['check', '--mutant', 'no-such-bug'], /unknown mutant 'no-such-bug'/],
        [['check', '--mutant', huge], /unknown mutant 'x+…'/],
        [['check', '--fastpath', 'sometimes'], /--fastpath must be one of off, on, both, got 'sometimes'/],
        [['check', '--progress-every', '0'], /--progress-every must be between 1 and 3600/],
        [['bench', '--rounds', '-3'], /--rounds must be between 1/],
        [['bench', '--rounds', '1000001'], /--rounds must be between 1 and 1000000/],
        [['mutants', '--hunt', '--only', 'nope'], /unknown mutant 'nope'/],
        [['frobnicate'], /unknown command 'frobnicate'/],
        [[huge], /unknown command 'x+/],
        [['replay'], /missing required argument 'file'/],
        [['replay', 'a', 'b'], /too many arguments/],
        [['replay', 'a', '--state', '-1'], /--state must be between 0/],
        [['replay', 'a', '--state', 'x'], /--state must be an integer/],
        [['export'], /missing required argument 'file'/],
        [['export', 'nosuch.json', '--itf'], /nosuch\.json/],
        [['export', 'a', '--format', 'tla'], /unknown option '--format'/],
        [[], /no command given: one of check, replay, export, merge, mutants, invariants, bench/],
        [['help', 'foo'], /unknown command 'foo'/],
      ] as Array<[string[], RegExp]>
    ).map(([args, m]) => [shown(args), args, m] as const),
  )('rejects %s', async (_shown, args, message) => {
    expectRejected(await runCli(...args), message);
  });
});

describe('unreadable trace files: one line, exit 2, nothing read without end', () => {
  it('a missing file', async () => expectRejected(await runCli('replay', '/no/such/file.json'), /cannot read '\/no\/such\/file.json': no such file or directory \(ENOENT\)/));
  it('a directory', async () => expectRejected(await runCli('replay', tmp()), /it is a directory, not a trace file/));
  it('a device that never ends (/dev/zero)', async () => expectRejected(await runCli('replay', '/dev/zero'), /'\/dev\/zero': not a regular file/));
  it('a file larger than the bound', async () => {
    const f = join(tmp(), 'big.trace.json');
    const fd = openSync(f, 'w');
    ftruncateSync(fd, MAX_TRACE_FILE_BYTES + 1);
    closeSync(fd);
    expectRejected(await runCli('replay', f), new RegExp(`is ${MAX_TRACE_FILE_BYTES + 1} bytes, more than the ${MAX_TRACE_FILE_BYTES}`));
  });
  it('a name a megabyte long', async () => expectRejected(await runCli('replay', huge), /cannot read 'x+…': name too long/));
});

describe('malformed trace files: one line naming the field, exit 2', () => {
  it.each([
    ['an empty file', '', /line 1 column 1: not valid JSON \(value expected; found the end of the file\)/],
    ['JSON cut short', '{"version": 1,', /line 1 column 15: not valid JSON/],
    ['a syntax error on line 3', '{\n  "version": 1,\n  "events": [tru]\n}', /line 3 column 14: not valid JSON \(invalid symbol; found 't'\)/],
    ['a multi-line string with a syntax error', '{"version": 1, "events": [], "path": "a\nb"}', /line 1 column 38: not valid JSON/],
    ['JSON nested a hundred thousand deep, unclosed', '['.repeat(100_000), /not valid JSON/],
  ])('%s', async (_what, text, message) => {
    expectRejected(await runCli('replay', traceFile(text)), message);
  });

  it.each([
    ['a wrong version', { version: 7 }, /version: expected 1, got 7/],
    ['no events', { events: undefined }, /events: expected at most 200000 events, got nothing/],
    ['events that are not a list', { events: { kind: 'tick' } }, /events: expected at most 200000 events, got \{"kind":"tick"\}/],
    ['an unknown event kind', { events: [{ kind: 'warp' }] }, /events\[0\]\.kind: expected one of syscall, memory, exception, interrupt, tick, got "warp"/],
    ['an event that is not an object', { events: [tick, 5] }, /events\[1\]: expected an object \(an event\), got 5/],
    ['a float register', { events: [tick, sys({ mrs: [1, 0.5] })] }, /events\[1\]\.mrs\[1\]: expected an integer register word \(-2\^31 \.\. 2\^32-1\), got 0\.5/],
    ['a register beyond 32 bits', { events: [sys({ cptr: 2 ** 32 })] }, /events\[0\]\.cptr: expected an integer register word/],
    ['too many extra caps', { events: [sys({ caps: [1, 2, 3, 4] })] }, /events\[0\]\.caps: expected at most 3 extra caps, got "an array of 4 items"/],
    ['too many message registers', { events: [sys({ mrs: Array(121).fill(0) })] }, /events\[0\]\.mrs: expected at most 120 message registers/],
    ['an unknown field in an event', { events: [sys({ cpt: 5 })] }, /events\[0\]\.cpt: unknown field \(a syscall event has: kind, sysno, cptr, info, mrs, caps, recv\)/],
    ['an unknown field in a receive slot', { events: [sys({ recv: { cnode: 1, index: 2, depth: 3, slot: 4 } })] }, /events\[0\]\.recv\.slot: unknown field/],
    ['an unknown field at the top', { evnts: [] }, /evnts: unknown field \(a trace file has: version, events, seed/],
    ['a field nested 5,000 deep in the message registers', { events: [sys({ mrs: nested(5_000) })] }, /events\[0\]\.mrs\[0\]: expected an integer register word .*, got \[\[\[\[/],
    ['a field nested 100,000 deep at the top', { seed: nested(100_000) }, /seed: expected a 32-bit seed, got \[\[\[\[/],
    ['an interrupt line beyond the controller', { events: [{ kind: 'interrupt', irq: 160 }] }, /events\[0\]\.irq: expected an interrupt line \(0 \.\. 159\), got 160/],
    ['an unknown mutant', { mutants: ['nope'] }, /mutants\[0\]: expected a mutant name \(see 'sel4-spec mutants'\), got "nope"/],
    ['a mutant name a megabyte long', { mutants: [huge] }, /mutants\[0\]: expected a mutant name .*, got "x+…/],
    ['a bad fastpath mode', { fastpath: 'maybe' }, /fastpath: expected 'off', 'on' or 'both', got "maybe"/],
    ['a seed beyond 32 bits', { seed: 2 ** 31 }, /seed: expected a 32-bit seed, got 2147483648/],
    ['a malformed fast-check path', { path: 'left:right' }, /path: expected a fast-check path/],
    ['a bad domain schedule length', { domainSchedule: [{ domain: 0, length: 'ten' }] }, /domainSchedule\[0\]\.length: expected a decimal string of ticks/],
    [
      'a duration beyond 2^56 - 1',
      { domainSchedule: [{ domain: 0, length: String(2n ** 56n) }] },
      /domainSchedule\[0\]\.length: expected a decimal string of ticks, at most 72057594037927935/,
    ],
    ['a domain out of range', { domainSchedule: [{ domain: 16, length: '5' }] }, /domainSchedule\[0\]\.domain: expected a domain \(0 \.\. 15\), got 16/],
    ['a negative domain', { domainSchedule: [{ domain: -1, length: '5' }] }, /domainSchedule\[0\]\.domain: expected a domain/],
    [
      'an unknown field in a schedule entry',
      { domainSchedule: [{ domain: 0, length: '5', weight: 2 }] },
      /domainSchedule\[0\]\.weight: unknown field \(a domain schedule entry has: domain, length\)/,
    ],
    ['an empty schedule', { domainSchedule: [] }, /domainSchedule: expected at least one schedule entry/],
    ['a schedule that starts with an end marker', { domainSchedule: [{ domain: 0, length: '0' }] }, /domainSchedule\[0\]: expected a first entry that is not an end marker/],
    [
      'a zero duration outside an end marker',
      {
        domainSchedule: [
          { domain: 0, length: '3' },
          { domain: 2, length: '0' },
        ],
      },
      /domainSchedule\[1\]: expected a length above 0/,
    ],
    [
      'a schedule longer than seL4 allows',
      { domainSchedule: Array(MAX_SCHEDULE_ENTRIES + 1).fill({ domain: 1, length: '1' }) },
      /domainSchedule: expected at most 99 schedule entries/,
    ],
    ['an invariants flag that is not a boolean', { invariants: 'yes' }, /invariants: expected true, false, or a list of invariant names \(see .sel4-spec invariants.\), got "yes"/],
  ])('%s', async (_what, fields, message) => {
    expectRejected(await replayOf(fields as Record<string, unknown>), message);
  });

  it('a trace that is a JSON value other than an object', async () => {
    expectRejected(await runCli('replay', traceFile('[1, 2, 3]')), /\(top level\): expected an object \(a trace file\), got \[1,2,3\]/);
  });
});

describe('valid traces at the bounds are accepted (the controls of the cases above)', () => {
  it('the largest schedule, the longest durations, a full message and every extra cap replay and agree', async () => {
    const schedule = Array.from({ length: MAX_SCHEDULE_ENTRIES }, (_, i) => ({ domain: i % 16, length: String(2n ** 56n - 1n) }));
    const events = [
      sys({
        sysno: -1,
        cptr: 0xffff_ffff,
        info: -0x8000_0000,
        mrs: Array(120).fill(0xffff_ffff),
        caps: [1, 2, 3],
        recv: { cnode: 1, index: 2, depth: 32 },
      }),
      tick,
    ];
    const r = await replayOf({
      seed: -0x8000_0000,
      path: '1:2:3',
      domainSchedule: schedule,
      events,
      failure: nested(100_000),
      fastpath: 'both',
      invariants: true,
      strict: false,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a byte-order mark before the JSON is not part of it', async () => {
    const r = await runCli('replay', traceFile('\ufeff' + JSON.stringify({ version: 1, events: [tick] })));
    expect(r.code).toBe(0);
  });
});

describe('outputs that cannot be written: one line, exit 2, checked before any run', () => {
  it('--out naming an existing file', async () => {
    const f = join(tmp(), 'file');
    writeFileSync(f, '');
    expectRejected(await runCli('check', '--runs', '1', '--out', f, '--no-progress'), /--out '.*\/file': '.*\/file' is a file, not a directory/);
  });
  it('--out below a file', async () => {
    const f = join(tmp(), 'file');
    writeFileSync(f, '');
    expectRejected(await runCli('check', '--runs', '1', '--out', join(f, 'sub', 'dir'), '--no-progress'), /is a file, not a directory/);
  });
  it('--out below /proc (where a recursive mkdir never returns)', async () => {
    expectRejected(
      await runCli('check', '--runs', '1', '--out', '/proc/self/no/such/dir', '--no-progress'),
      /--out '\/proc\/self\/no\/such\/dir': cannot create '\/proc\/self\/no'/,
    );
  });
  it('--out naming a directory that takes no files (/proc, sysfs)', async () => {
    expectRejected(await runCli('check', '--runs', '1', '--out', '/proc', '--no-progress'), /--out '\/proc': cannot write files there: /);
    expectRejected(await runCli('check', '--runs', '1', '--out', '/sys/kernel', '--no-progress'), /--out '\/sys\/kernel': cannot write files there: /);
  });
  it('--out in a read-only file system', async () => {
    expectRejected(
      await runCli('mutants', '--hunt', '--only', 'nbsend-blocks', '--out', '/sys/sel4-spec', '--no-progress'),
      /--out '\/sys\/sel4-spec': cannot create '\/sys\/sel4-spec'/,
    );
  });
  it('a counterexample file that cannot be created is a one-line usage error', () => {
    expect(() => writeNewFile('/proc', 'counterexample', 'trace.json', '{}')).toThrow(UsageError);
    expect(() => writeNewFile('/proc', 'counterexample', 'trace.json', '{}')).toThrow(/^cannot write in '\/proc': /);
  });
});
