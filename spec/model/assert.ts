/**
 * Impossible states are not user errors. Where l4v writes `fail` or `assert`
 * (an empty endpoint queue in RecvEP, a TCB in the wrong state), the spec calls
 * `kernelAssert`: it throws `SpecAssertionFailed`, which the runner reports as a
 * spec or invariant bug, separately from a divergence. Decode guarantees that
 * no user input reaches one.
 */
export class SpecAssertionFailed extends Error {
  override readonly name = 'SpecAssertionFailed';
}

export function kernelAssert(cond: boolean, why: string): asserts cond {
  if (!cond) throw new SpecAssertionFailed(why);
}

export const unreachable = (why: string): never => {
  throw new SpecAssertionFailed(why);
};
