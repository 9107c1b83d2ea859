/**
 * Seams: the one place where code outside the kernel may change or watch a
 * kernel function. A function declared `seam('name', f)` behaves as `f` on
 * every kernel booted without patches (one null test per call); a kernel
 * booted with patches runs the patched version instead. Patches are how the
 * mutants (properties/mutants) break the kernel and how the checker counts
 * what the fastpath did, so the kernel files name neither.
 *
 * Setting SEL4_SPEC_SEAMS=off in the environment makes `seam` return `f`
 * itself (no dispatch at all; patching is then refused): the benchmark runs
 * the kernel both ways to measure what the seams cost.
 */
import type { Kernel } from './state';

// Kernel functions take the kernel first, as C's take its globals implicitly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KernelFunction = (k: Kernel, ...args: any[]) => any;

/** A replacement for one seam: given the function it replaces (the real one or an inner patch), the function to run. */
export interface Patch {
  /** The seam, as the kernel module exports it. */
  readonly target: KernelFunction;
  readonly wrap: (inner: KernelFunction) => KernelFunction;
}

/** The patched functions of one kernel, by seam name. */
export type SeamTable = ReadonlyMap<string, KernelFunction>;

const SEAMS_COMPILED_OUT = typeof process !== 'undefined' && process.env['SEL4_SPEC_SEAMS'] === 'off';

const realByName = new Map<string, KernelFunction>();
const nameOfSeam = new Map<KernelFunction, string>();

/**
 * The function a seam exports: the real one for a kernel without patches,
 * else the kernel's patched one. Each seam gets a dispatcher compiled for it
 * alone (not a closure shared by all seams), so the call to the real function
 * is monomorphic and the JIT inlines it as if it were called directly; the
 * arguments pass straight through (no rest parameter and spread). The arity
 * is the real function's `length`, so a seamed function has no default or
 * optional parameters (test/impl/seam.test.ts checks it).
 */
const dispatcher = (name: string, real: KernelFunction): KernelFunction => {
  const patched = (k: Kernel): KernelFunction => (k.seams === null ? real : (k.seams.get(name) ?? real));
  const params = Array.from({ length: Math.max(0, real.length - 1) }, (_, i) => `a${i}`);
  const args = ['k', ...params].join(', ');
  // A generated function, so that every seam has call sites of its own (the text is fixed: only the arity varies).
  const make = new Function('real', 'patched', `return function (${args}) { return k.seams === null ? real(${args}) : patched(k)(${args}); };`) as (
    real: KernelFunction,
    patched: (k: Kernel) => KernelFunction,
  ) => KernelFunction;
  return make(real, patched);
};

/** Declare a kernel function that patches may replace. Names are unique: they are the seams' identities. */
export const seam = <F extends KernelFunction>(name: string, real: F): F => {
  if (realByName.has(name)) throw new Error(`seam '${name}' is declared twice`);
  realByName.set(name, real);
  // Stack traces name the kernel function (a crash report cites it), not the arrow it was written as.
  Object.defineProperty(real, 'name', { value: name });
  if (SEAMS_COMPILED_OUT) {
    nameOfSeam.set(real, name);
    return real;
  }
  const dispatch = dispatcher(name, real) as F;
  Object.defineProperty(dispatch, 'name', { value: name });
  nameOfSeam.set(dispatch, name);
  return dispatch;
};

/**
 * A patch of the seam `target` (the kernel function as exported): `wrap` gets
 * the function it replaces and returns the one to run. A target that is not a
 * seam is refused when a kernel is booted with the patch, so a patch cannot
 * silently miss (test/impl/seam.test.ts boots every mutant's).
 */
export const patch = <F extends KernelFunction>(target: F, wrap: (inner: F) => F): Patch => ({
  target,
  wrap: wrap as unknown as Patch['wrap'],
});

/** The table a kernel booted with these patches dispatches through (null when there are none: the fast case). */
export const seamTable = (patches: readonly Patch[]): SeamTable | null => {
  if (patches.length === 0) return null;
  if (SEAMS_COMPILED_OUT) throw new Error('kernel seams are compiled out (SEL4_SPEC_SEAMS=off): a kernel cannot be patched');
  const table = new Map<string, KernelFunction>();
  for (const p of patches) {
    const name = nameOfSeam.get(p.target);
    if (name === undefined) throw new Error(`patch of '${p.target.name || 'an anonymous function'}', which is not a kernel seam`);
    const inner = table.get(name) ?? (realByName.get(name) as KernelFunction);
    table.set(name, p.wrap(inner));
  }
  return table;
};

/** Whether the seams dispatch (false when SEL4_SPEC_SEAMS=off compiled them out). */
export const seamsDispatch = (): boolean => !SEAMS_COMPILED_OUT;

/** The real function of every seam, by name (for tests). */
export const seamFunctions = (): ReadonlyMap<string, KernelFunction> => realByName;

/** A patch of every seam that changes nothing: a kernel booted with it pays the dispatch through the table and nothing else. */
export const identityPatches = (): Patch[] => [...nameOfSeam.keys()].map((target) => ({ target, wrap: (inner) => inner }));
