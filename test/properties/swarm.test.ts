/**
 * Swarm testing: every other run leaves out each kind of operation with
 * probability 1/2 (never IPC, ticks or teardown), and keeps its length; with
 * swarm off every run draws from all kinds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SWARM_KEPT, tracePlanArbitrary } from '../../properties/arbitraries/plan';

const sample = (swarm: boolean) => fc.sample(tracePlanArbitrary(200, undefined, swarm), { seed: 42, numRuns: 300 });
const without = (traces: ReturnType<typeof sample>, op: string) => traces.filter((t) => !t.some((p) => p.op === op)).length / traces.length;

describe('properties/arbitraries/plan: swarm testing', () => {
  it('leaves a kind out of about a quarter of the runs (half are swarm runs, each drops it with probability 1/2)', () => {
    const traces = sample(true);
    // Retype is in almost every run of 50 plans or more: when it is missing, the swarm left it out.
    expect(without(traces, 'retype')).toBeGreaterThan(0.15);
    expect(without(traces, 'retype')).toBeLessThan(0.35);
    expect(without(traces, 'copy')).toBeGreaterThan(0.15);
    for (const op of SWARM_KEPT) expect(without(traces, op)).toBeLessThan(0.02);
  });

  it('keeps every kind in every run without swarm, and the traces as long', () => {
    const lax = sample(false);
    expect(without(lax, 'retype')).toBeLessThan(0.02);
    const mean = (ts: ReturnType<typeof sample>) => ts.reduce((n, t) => n + t.length, 0) / ts.length;
    // Swarm runs draw half again from a reserve to make up for what they leave out.
    expect(mean(sample(true)) / mean(lax)).toBeGreaterThan(0.9);
  });
});
