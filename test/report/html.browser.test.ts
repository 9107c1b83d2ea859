/**
 * The HTML report in a real browser: Debian's Chromium, driven by
 * playwright-core. Where Chromium is not installed (`npm run setup-browser`
 * installs it, as CI does) the test is skipped and says why.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllRights, CNode, InitSlot, ObjectTypeNumber, TCB, Untyped, msg, recv, send, tick, yieldNow } from '../../refinement/scenario';
import { htmlReport } from '../../refinement/report/html';
import { tell } from '../../refinement/report/story';
import { step as specStep } from '../../spec/kernel';
import { FREE, untypedSlot } from '../helpers/boot';
import { runCli, tmp } from '../helpers/cli';

const CHROMIUM = process.env['SEL4_SPEC_CHROMIUM'] ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const SHOTS = join(__dirname, '../../.test-output');
const title = present ? 'the HTML report in headless Chromium' : `the HTML report in headless Chromium (SKIPPED: no browser at ${CHROMIUM}; run npm run setup-browser)`;

/** What the page offers its scripts (refinement/report/html.ts). */
interface Page {
  readonly sel4Report: { current(): number; drawn(): { nodes: string[]; edges: Array<[string, string]> } | null };
}

/** A trace with a thread that blocks on an endpoint and a badged send to it, failing at its send under a mutant. */
const writeTrace = (dir: string): string => {
  const [EP, B, T] = [FREE, FREE + 1, FREE + 2];
  const events = [
    Untyped.retype(untypedSlot(21), ObjectTypeNumber.Endpoint, 0, InitSlot.ThreadCNode, 0, 0, EP, 1),
    CNode.mint(B, EP, AllRights, 3),
    Untyped.retype(untypedSlot(21), ObjectTypeNumber.TCB, 0, InitSlot.ThreadCNode, 0, 0, T, 1),
    TCB.configure(T, 0, InitSlot.ThreadCNode, 0, InitSlot.ThreadVSpace, 0, 0, 0),
    TCB.setSchedParams(T, InitSlot.ThreadTCB, 255, 255),
    TCB.resume(T),
    yieldNow(),
    recv(EP),
    send(B, msg(1, [0xd322])),
  ];
  const f = join(dir, 'badge.trace.json');
  writeFileSync(f, JSON.stringify({ version: 1, events, mutants: ['badge-not-delivered'] }));
  return f;
};

describe.skipIf(!present)(title, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console error, shows the state of a step clicked, and is screenshotted', async () => {
    const dir = tmp();
    const r = await runCli('replay', writeTrace(dir), '--html', dir);
    expect(r.code).toBe(1);
    const page = /HTML report written to (.*\.html)\n/.exec(r.stdout)?.[1];
    expect(page).toBe(join(dir, 'badge.html'));
    const tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    tab.on('pageerror', (e) => errors.push(e.message));
    // The page asks for nothing beyond itself.
    const requests: string[] = [];
    tab.on('request', (q) => requests.push(q.url()));
    await tab.goto(pathToFileURL(page as string).href);
    // It opens at the failing step, with the sides set apart.
    expect(await tab.evaluate(() => (globalThis as unknown as Page).sel4Report.current())).toBe(9);
    await expect.poll(() => tab.locator('table.sides tr.parts th').first().textContent()).toMatch(/T2\.r0 \(badge\)/);
    // A click on step 2 shows the state after it: the minted cap, and what the step changed.
    await tab.locator('#step-2').click();
    expect(await tab.locator('#state-title').textContent()).toBe('After step 2');
    expect(await tab.locator('#state-text').textContent()).toContain('EndpointCap(EP1, badge 3, rights R W G GR)');
    expect(await tab.locator('#changes').textContent()).toMatch(/rootCNode\[\d+\]: \(absent\) → EndpointCap\(EP1, badge 3/);
    expect(await tab.locator('#step-2').getAttribute('class')).toContain('selected');
    // The derivation tree shows the badged cap below the original.
    await tab.locator('.tabs button[data-tab="cdt"]').click();
    const cdt = await tab.evaluate(() => (globalThis as unknown as Page).sel4Report.drawn());
    expect(cdt?.nodes.some((l) => /EndpointCap\(EP1, badge 3/.test(l))).toBe(true);
    expect(cdt?.edges.length).toBeGreaterThan(0);
    // Step 8: T2 waits on EP1, as the threads-and-queues picture shows.
    await tab.locator('#step-8').click();
    await tab.locator('.tabs button[data-tab="scheduling"]').click();
    const drawn = await tab.evaluate(() => (globalThis as unknown as Page).sel4Report.drawn());
    const waits = drawn?.edges.map(([from, to]) => `${from.split('\n')[0]} -> ${to.split('\n')[0]}`);
    expect(waits).toContain('EP1 -> T2');
    // Written where a CI job can keep it (git ignores the folder).
    mkdirSync(SHOTS, { recursive: true });
    const shot = join(SHOTS, 'html-report.png');
    await tab.screenshot({ path: shot, fullPage: false });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    console.log(`screenshot: ${shot}`);
    await tab.close();
  }, 60_000);

  it('after a step with no state (the spec threw there) the pictures come back, and an unknown #step opens the failing step', async () => {
    // The spec throws at the tick, step 3: the page has states 0..2 and a step 3 without one.
    const throwing: typeof specStep = (st, e) => {
      if (e.kind === 'tick') throw new TypeError('spec broke');
      return specStep(st, e);
    };
    const events = [yieldNow(), yieldNow(), tick()];
    const story = tell(events, { specStep: throwing });
    expect(story.failure).toMatchObject({ kind: 'crash', step: 3 });
    const file = join(tmp(), 'throws.html');
    writeFileSync(file, htmlReport({ title: 'throws', verdict: 'crash', story }));
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(`${pathToFileURL(file).href}#step-99`);
    const report = () => tab.evaluate(() => ({ at: (globalThis as unknown as Page).sel4Report.current(), drawn: (globalThis as unknown as Page).sel4Report.drawn() }));
    expect((await report()).at).toBe(2);
    await tab.locator('#step-3').click();
    expect(await tab.locator('#state-text').textContent()).toBe('no state after this step: the spec threw at it');
    expect((await report()).drawn).toBeNull();
    await tab.locator('#step-1').click();
    const back = await report();
    expect(back.at).toBe(1);
    expect(back.drawn?.nodes.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await tab.close();
  }, 60_000);
});
