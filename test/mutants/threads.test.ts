import { describe, expect, it } from 'vitest';
import { itCatchesEach, mutantsOf } from '../helpers/mutants';

describe('mutants (threads): each deliberately broken kernel is caught by the default check', () => {
  it('the catalogue has enough of them', () => {
    expect(mutantsOf('threads').length).toBeGreaterThanOrEqual(8);
  });

  itCatchesEach('threads');
});
