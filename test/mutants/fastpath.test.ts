import { describe, expect, it } from 'vitest';
import { itCatchesEach, mutantsOf } from '../helpers/mutants';

describe('mutants (fastpath): each deliberately broken kernel is caught by the default check', () => {
  it('the catalogue has enough of them', () => {
    expect(mutantsOf('fastpath').length).toBeGreaterThanOrEqual(6);
  });

  itCatchesEach('fastpath');
});
