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

/** The patched functions of one kernel, by seam index (undefined where a seam is not patched: it runs as written). */
export type SeamTable = readonly (KernelFunction | undefined)[];

const SEAMS_COMPILED_OUT = typeof process !== 'undefined' && process.env['SEL4_SPEC_SEAMS'] === 'off';

const realByName = new Map<string, KernelFunction>();
/** Each seam's index in a kernel's table, by the function its module exports. */
const indexOfSeam = new Map<KernelFunction, number>();
const realByIndex: KernelFunction[] = [];

/**
 * The function a seam exports: the real one for a kernel without patches
 * and for every seam a kernel's patches leave alone, else the kernel's
 * patched one. Each seam gets a dispatcher compiled for it
 * alone (not a closure shared by all seams), so the call to the real function
 * is monomorphic and the JIT inlines it as if it were called directly; the
 * arguments pass straight through (no rest parameter and spread). The arity
 * is the real function's `length`, so a seamed function has no default or
 * optional parameters (test/impl/seam.test.ts checks it).
 */
const dispatcher = (index: number, real: KernelFunction): KernelFunction => {
  const params = Array.from({ length: Math.max(0, real.length - 1) }, (_, i) => `a${i}`);
  const args = ['k', ...params].join(', ');
  // A generated function, so that every seam has call sites of its own (the text is fixed: only the arity and index vary).
  const make = new Function(
    'real',
    `return function (${args}) { const t = k.seams; if (t !== null) { const f = t[${index}]; if (f !== undefined) return f(${args}); } return real(${args}); };`,
  ) as (real: KernelFunction) => KernelFunction;
  return make(real);
};

/** Declare a kernel function that patches may replace. Names are unique: they are the seams' identities. */
export const seam = <F extends KernelFunction>(name: string, real: F): F => {
  if (realByName.has(name)) throw new Error(`seam '${name}' is declared twice`);
  realByName.set(name, real);
  const index = realByIndex.push(real) - 1;
  // Stack traces name the kernel function (a crash report cites it), not the arrow it was written as.
  Object.defineProperty(real, 'name', { value: name });
  if (SEAMS_COMPILED_OUT) {
    indexOfSeam.set(real, index);
    return real;
  }
  const dispatch = dispatcher(index, real) as F;
  Object.defineProperty(dispatch, 'name', { value: name });
  indexOfSeam.set(dispatch, index);
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
  const table: (KernelFunction | undefined)[] = realByIndex.map(() => undefined);
  for (const p of patches) {
    const index = indexOfSeam.get(p.target);
    if (index === undefined) throw new Error(`patch of '${p.target.name || 'an anonymous function'}', which is not a kernel seam`);
    table[index] = p.wrap(table[index] ?? (realByIndex[index] as KernelFunction));
  }
  return table;
};

/** Whether the seams dispatch (false when SEL4_SPEC_SEAMS=off compiled them out). */
export const seamsDispatch = (): boolean => !SEAMS_COMPILED_OUT;

/** The real function of every seam, by name (for tests). */
export const seamFunctions = (): ReadonlyMap<string, KernelFunction> => realByName;

/** A patch of every seam that changes nothing: a kernel booted with it pays the dispatch through the table and nothing else. */
export const identityPatches = (): Patch[] => [...indexOfSeam.keys()].map((target) => ({ target, wrap: (inner) => inner }));
