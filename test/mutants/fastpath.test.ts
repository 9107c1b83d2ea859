import { describe, expect, it } from 'vitest';
import { expectCaught, mutantsOf } from '../helpers/mutants';

describe('mutants (fastpath): each deliberately broken kernel is caught by the default check', () => {
  it('the catalogue has enough of them', () => {
    expect(mutantsOf('fastpath').length).toBeGreaterThanOrEqual(6);
  });

  it.each(mutantsOf('fastpath').map((m) => [m.name, m.description, m] as const))('%s (%s)', async (_name, _description, m) => {
    await expectCaught(m);
  }, 180_000);
});
