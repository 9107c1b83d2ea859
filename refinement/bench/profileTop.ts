/**
 * The top of a V8 CPU profile (`node --cpu-prof`): where the time went, by
 * source file (self time: samples in a file's own code, not in what it calls).
 * The sources run through tsx without names or lines the profiler can see, so
 * a file is the finest grain it reports for them; natives and the garbage
 * collector keep their names. `npm run profile` profiles a default check and
 * prints this, the first thing to look at before making the check faster.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

export interface ProfileEntry {
  /** The source file relative to `root` (or node's own module, or the native's name). */
  readonly where: string;
  /** Samples in the function itself, and their share of all samples. */
  readonly samples: number;
  readonly share: number;
}

/**
 * The `n` places with the most self samples over the profiles, most first
 * (ties by place, so the order is stable). Idle samples (a thread
 * waiting) are left out, and shares are of the busy samples.
 */
export const topOfProfile = (profiles: readonly CpuProfile[], n: number, root: string): { busy: number; entries: ProfileEntry[] } => {
  const bySite = new Map<string, { where: string; samples: number }>();
  let busy = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const id of profile.samples) {
      const frame = nodes.get(id)?.callFrame;
      if (frame === undefined || frame.functionName === '(idle)') continue;
      busy++;
      const where = frame.url.startsWith('file://') ? relative(root, fileURLToPath(frame.url)) : frame.url || frame.functionName || '(native)';
      const site = bySite.get(where) ?? { where, samples: 0 };
      site.samples++;
      bySite.set(where, site);
    }
  }
  const entries = [...bySite.values()]
    .sort((a, b) => b.samples - a.samples || a.where.localeCompare(b.where))
    .slice(0, n)
    .map((s) => ({ ...s, share: busy === 0 ? 0 : s.samples / busy }));
  return { busy, entries };
};

/** The lines `npm run profile` prints for the profiles in `dir` (one per thread of the profiled process). */
export const profileReport = (dir: string, n = 25, root = process.cwd()): string[] => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return [`no .cpuprofile in ${dir}`];
  const profiles = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
  const { busy, entries } = topOfProfile(profiles, n, root);
  return [`top ${n} by self time, of ${busy} busy samples (profiles in ${dir}):`, ...entries.map((e) => `  ${(100 * e.share).toFixed(1).padStart(5)}%  ${e.where}`)];
};
