/**
 * The checker's old blind spots, each shown closed by a bug it now catches:
 * the concrete kernel decodes the ABI words itself (message info and its
 * clamp, the rights word, error replies), so a wrong decoder is a divergence;
 * reply_mdb in the representation invariant catches a reply cap misplaced in
 * the MDB; a kernel array indexed past its end is a kernel bug, not a dropped
 * write.
 */
import { describe, expect, it } from 'vitest';
import { InitSlot, NUM_DOMAINS } from '../../spec/api';
import { DomainSet } from '../../refinement/scenario';
import { runTrace } from '../../refinement/run';
import { MUTANTS } from '../../properties/mutants';
import { expectCaught, itCatchesEach, mutantsOf } from '../helpers/mutants';

const mutant = (name: string) => {
  const m = MUTANTS.find((x) => x.name === name);
  if (m === undefined) throw new Error(`no mutant ${name}`);
  return m;
};

describe('mutants (blind spots): each deliberately broken kernel is caught by the default check', () => {
  it('the catalogue has one for each closed blind spot', () => {
    expect(mutantsOf('blindSpots').map((m) => m.name)).toEqual([
      'message-length-not-clamped',
      'rights-word-misread',
      'range-error-words-swapped',
      'reply-cap-under-receiver-master',
      'domain-set-off-by-one',
    ]);
  });

  itCatchesEach('blindSpots');

  it('a reply cap misplaced in the MDB breaks reply_mdb in the representation invariant', async () => {
    const h = await expectCaught(mutant('reply-cap-under-receiver-master'));
    expect(h.counterexample?.failure.kind).toBe('representation');
    expect(h.counterexample?.failure.violations.map((v) => v.message).join('\n')).toMatch(
      /a reply cap to 0x[0-9a-f]+ whose MDB parent \(none\) is not that thread's master reply cap/,
    );
  }, 180_000);

  it('a thread enqueued past the ready-queue table is a kernel bug at that step, not a write dropped without a word', () => {
    // The root task moves itself to the domain one past the last: the mutant accepts it, and enqueues it there.
    const e = DomainSet.set(InitSlot.Domain, NUM_DOMAINS, InitSlot.ThreadTCB);
    expect(runTrace([e]).failure).toBeUndefined();
    const f = runTrace([e], { mutants: ['domain-set-off-by-one'] }).failure;
    expect(f).toMatchObject({ kind: 'kernel-bug', step: 1 });
    expect(f?.message).toMatch(/ksReadyQueue(Head|Tail|sL1Bitmap)\[\d+\]: index outside 0\.\.\d+/);
  });
});
