/**
 * Coverage by argument counts what an invocation met, read from the state
 * before it: here a message with three extra caps (one of them the endpoint
 * it goes through) to an endpoint with a waiting receiver, and a
 * CancelBadgedSends with the badge's sender behind another badge.
 */
import { describe, expect, it } from 'vitest';
import { InitSlot } from '../../spec/api';
import { Untyped, msg, nbSend } from '../../refinement/scenario';
import { LockStep } from '../../refinement/run';
import { Tally } from '../../properties/tally';

describe('properties/argumentCoverage', () => {
  it('records extra caps, length, queue state, badge and unwrapping of a message, and what was never met', () => {
    const tally = new Tally();
    const ls = new LockStep({ observe: tally.observer });
    // An endpoint in root slot 40, then an NBSend on it with three extra caps, the first the endpoint itself.
    const events = [Untyped.retype(InitSlot.FirstUntyped + 4, 2, 0, InitSlot.ThreadCNode, 0, 0, 40, 1), nbSend(40, msg(0, [7, 8], [40, InitSlot.ThreadTCB, InitSlot.ThreadCNode]))];
    for (const e of events) expect(ls.step(e)).toBe(true);
    ls.dispose();
    const rows = tally.arguments.rows().filter((r) => r.invocation === 'NBSend(Endpoint)');
    const met = Object.fromEntries(rows.map((r) => [r.dimension, r.counts.filter(([, n]) => n > 0).map(([v]) => v)]));
    expect(met).toEqual({ 'extra caps': ['3'], length: ['1..4'], queue: ['idle'], badge: ['0'], unwraps: ['yes'] });
    expect(tally.arguments.neverReached()).toContain('NBSend(Endpoint) extra caps=0');
    expect(tally.arguments.neverReached()).toContain('NBSend(Endpoint) queue=receivers');
    // Invocations never made have no rows (and nothing "never reached").
    expect(tally.arguments.neverReached().some((x) => x.startsWith('Call(Endpoint)'))).toBe(false);
  });
});
