import { describe, expect, it } from 'vitest';
import { itCatchesEach, mutantsOf } from '../helpers/mutants';

describe('mutants (cspace): each deliberately broken kernel is caught by the default check', () => {
  it('the catalogue has enough of them', () => {
    expect(mutantsOf('cspace').length).toBeGreaterThanOrEqual(5);
  });

  itCatchesEach('cspace');
});
