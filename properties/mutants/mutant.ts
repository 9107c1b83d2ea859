/**
 * A mutant: a deliberately broken variant of the concrete kernel, a realistic
 * bug (the kind a C kernel developer could write), made by patching the one
 * kernel function it breaks through the kernel's seams (impl/model/seam.ts).
 * Every checker is shown to bite by catching its mutants (test/mutants/).
 */
import type { Patch } from '../../impl/model/seam';

export interface Mutant {
  readonly name: string;
  /** What the bug is, in one line. */
  readonly description: string;
  /** Which checker must catch it. */
  readonly checker: 'refinement' | 'fastpath' | 'integrity' | 'confidentiality';
  /** How it changes the kernel. */
  readonly patches: readonly Patch[];
}
