/**
 * `--html DIR` on check and replay: the told run written as one HTML page
 * (refinement/report/html.ts) into DIR, never over an earlier one. A page
 * that cannot be written is an error line and exit 2, the run's own verdict
 * printed before it.
 */
import { basename } from 'node:path';
import { htmlReport } from '../report/html';
import type { Story } from '../report/story';
import type { Failure } from '../run';
import { ensureDirectory, writeNewFile } from './files';

/** What the page is called after: a trace file's name without its extension. */
export const pageBase = (file: string): string => basename(file).replace(/(\.trace)?\.json$/, '');

/**
 * The one-line verdict at the page's top. A failure the check found that its
 * replay for the page did not meet again is said as such, never as agreement.
 */
const verdictOf = (story: Story, found: Failure | undefined): string => {
  const told = story.failureLines[0] ?? story.failure?.message;
  if (told !== undefined) return told;
  if (found !== undefined)
    return `the check found ${found.kind} after step ${found.step} (${found.message}), but this replay of the shrunk trace agrees on all ${story.steps.length} steps`;
  return `the spec and the kernels agree on all ${story.steps.length} steps`;
};

/** Write the page (`found`: the failure the check saw, when the page is of a counterexample); returns its path. */
export const writeHtmlReport = (dir: string, base: string, title: string, story: Story, found?: Failure): string => {
  ensureDirectory(dir, '--html');
  return writeNewFile(dir, base, 'html', htmlReport({ title, verdict: verdictOf(story, found), story }));
};
