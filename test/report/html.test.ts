import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllRights, CNode, InitSlot, ObjectTypeNumber, Untyped } from '../../refinement/scenario';
import { FREE, untypedSlot } from '../helpers/boot';
import { expectRejected, runCli, tmp } from '../helpers/cli';

const events = [Untyped.retype(untypedSlot(21), ObjectTypeNumber.Endpoint, 0, InitSlot.ThreadCNode, 0, 0, FREE, 1), CNode.mint(FREE + 1, FREE, AllRights, 5)];

/** The JSON the page carries. */
const dataOf = (
  html: string,
): { lines: string[]; states: Array<{ step: number; lines: number[]; changes: Array<{ path: string }>; graphs: Record<string, { nodes: number[]; edges: number[] }> }> } =>
  JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as ReturnType<typeof dataOf>;

describe('--html: the run as one self-contained page', () => {
  it('replay --html writes a page with the told steps and every state, the same the command line prints, and asks for nothing outside itself', async () => {
    const dir = tmp();
    const trace = join(dir, 'two.trace.json');
    writeFileSync(trace, JSON.stringify({ version: 1, events }));
    const r = await runCli('replay', trace, '--html', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`HTML report written to ${join(dir, 'two.html')}\n`);
    const html = readFileSync(join(dir, 'two.html'), 'utf8');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)=/i);
    expect(html).toContain('<li class="step" data-step="2" tabindex="0" id="step-2">');
    const data = dataOf(html);
    expect(data.states.map((s) => s.step)).toEqual([0, 1, 2]);
    const printed = await runCli('replay', trace, '--state', '2');
    expect(printed.stdout).toContain(data.states[2]?.lines.map((k) => `  ${data.lines[k]}`).join('\n'));
    expect(data.states[2]?.changes.map((c) => c.path)).toContain(`rootCNode[${FREE + 1}]`);
    // The derivation tree grows by an edge a step: the endpoint cap below its untyped, the badged copy below it.
    const edges = data.states.map((s) => s.graphs['cdt']?.edges.length ?? 0);
    expect(edges).toEqual([edges[0], (edges[0] ?? 0) + 1, (edges[0] ?? 0) + 2]);
    // A second page never overwrites the first.
    await runCli('replay', trace, '--html', dir);
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.html'))
        .sort(),
    ).toEqual(['two-2.html', 'two.html']);
  });

  it('escapes what it did not write itself: a trace named to break out of the page stays text', async () => {
    const dir = tmp();
    const trace = join(dir, '<script>alert(1)<b>x.trace.json');
    writeFileSync(trace, JSON.stringify({ version: 1, events }));
    expect((await runCli('replay', trace, '--html', dir)).code).toBe(0);
    const page = readdirSync(dir).find((f) => f.endsWith('.html')) as string;
    const html = readFileSync(join(dir, page), 'utf8');
    expect(html).toContain('<title>sel4-spec: &lt;script&gt;alert(1)&lt;b&gt;x.trace.json</title>');
    expect(html).not.toContain('<script>alert(1)');
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it('check --html writes the counterexample page beside its trace, and says when there is none', async () => {
    const dir = tmp();
    const r = await runCli('check', '--seed', '1', '--runs', '5', '--steps', '30', '--mutant', 'bitmap-l1-left-set', '--out', dir, '--html', dir, '--no-progress');
    expect(r.code).toBe(1);
    const trace = /trace written to (.*)\.trace\.json;/.exec(r.stdout)?.[1];
    expect(r.stdout).toContain(`HTML report written to ${trace}.html\n`);
    expect(dataOf(readFileSync(`${trace}.html`, 'utf8')).states.length).toBeGreaterThan(1);
    const ok = await runCli('check', '--seed', '1', '--runs', '2', '--steps', '10', '--out', dir, '--html', join(dir, 'none'), '--no-progress');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('no counterexample, so no HTML report');
  }, 60_000);

  it('an --html that is not a directory is refused before any run', async () => {
    const dir = tmp();
    const file = join(dir, 'f');
    writeFileSync(file, '');
    expectRejected(await runCli('check', '--runs', '1', '--html', file), /--html .*is a file, not a directory/);
    const trace = join(dir, 'two.trace.json');
    writeFileSync(trace, JSON.stringify({ version: 1, events }));
    expectRejected(await runCli('replay', trace, '--as-test', '--html', dir), /--as-test prints a test and nothing else: leave out --html/);
  });
});
