import { describe, expect, it } from 'vitest';
import { type CheckResult, checkRefinement } from '../../refinement/check';
import { wellFormed } from '../../invariants/wellFormed';
import { FALLBACK_REASONS } from '../../impl/fastpath/reasons';
import type { Statistic } from '../../properties/statistics';

/** One default-size check (the fastpath both on and off, invariants on), shared by the tests below. */
let cached: Promise<CheckResult> | undefined;
const defaultCheck = (): Promise<CheckResult> => (cached ??= checkRefinement({ seed: 20261121, runs: 100, steps: 200, checkSpec: wellFormed }));

describe('refinement/check: the default check at CI size', () => {
  it('finds no divergence, no fast/slow difference and no broken invariant over 100 generated traces', async () => {
    const r = await defaultCheck();
    expect(r.counterexample?.failure.message).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.events).toBeGreaterThan(10_000);
  }, 180_000);

  it('reaches most of the known (invocation, outcome) pairs', async () => {
    const { hit, known } = (await defaultCheck()).coverage.summary();
    // A generator change that stops reaching error paths shows up here.
    expect(hit / known).toBeGreaterThan(0.8);
  }, 180_000);

  /** Which of the statistics happened in at most `share` of the runs (none should). */
  const rarerThan = async (share: number, ks: readonly Statistic[]): Promise<Statistic[]> => {
    const r = await defaultCheck();
    return ks.filter((k) => r.statistics.runsWith[k] / r.runs <= share);
  };

  it('most traces complete round trips, cancel blocked IPC by deletion, signal bound notifications and deliver faults', async () => {
    expect(await rarerThan(0.5, ['callReplyRoundTrips', 'blockedIPCCancelledByDeletion', 'signalsToBoundNotifications', 'faultsDeliveredToHandlers', 'domainSwitches'])).toEqual(
      [],
    );
  }, 180_000);

  it('reaches what it once missed: multi-cap IPC and badge-matched cancellation in more than 20% of runs each', async () => {
    expect(await rarerThan(0.2, ['multiCapIPC', 'badgeMatchedCancel', 'badgeMatchedCancelBehindOther'])).toEqual([]);
  }, 180_000);

  it('the per-argument view covers every value of most argument dimensions, and names the ones never met', async () => {
    const a = (await defaultCheck()).arguments;
    const rows = a.rows();
    const cells = rows.flatMap((row) => row.counts);
    const met = cells.filter(([, n]) => n > 0).length;
    expect(met / cells.length).toBeGreaterThan(0.9);
    expect(a.neverReached()).toHaveLength(cells.length - met);
    const callCaps = rows.find((row) => row.invocation === 'Call(Endpoint)' && row.dimension === 'extra caps');
    expect(callCaps?.counts.every(([, n]) => n > 0)).toBe(true);
    const cancel = rows.find((row) => row.invocation === 'CNodeCancelBadgedSends');
    expect(cancel?.counts.find(([v]) => v === 'the badge behind another')?.[1]).toBeGreaterThan(0);
  }, 180_000);

  it('the fastpath takes a good share of the IPCs, and every fallback reason happens', async () => {
    const t = (await defaultCheck()).fastpath;
    expect(t.hitRate).toBeGreaterThan(0.25);
    expect(t.runsWithHits).toBeGreaterThan(50);
    expect(t.reasonsNeverHit()).toEqual([]);
    expect(FALLBACK_REASONS.length).toBe(20);
  }, 180_000);

  it('is deterministic: the same seed gives the same runs, events, coverage and statistics', async () => {
    const a = await checkRefinement({ seed: 99, runs: 15, steps: 120 });
    const b = await checkRefinement({ seed: 99, runs: 15, steps: 120 });
    expect(b.events).toBe(a.events);
    expect([...b.coverage.counts.entries()]).toEqual([...a.coverage.counts.entries()]);
    expect(b.statistics.counts).toEqual(a.statistics.counts);
    expect(b.fastpath.total).toEqual(a.fastpath.total);
  }, 60_000);
});
