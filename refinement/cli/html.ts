/**
 * `--html DIR` on check and replay: the told run written as one HTML page
 * (refinement/report/html.ts) into DIR, never over an earlier one. A page
 * that cannot be written is an error line and exit 2, the run's own verdict
 * printed before it.
 */
import { basename } from 'node:path';
import { htmlReport } from '../report/html';
import type { Story } from '../report/story';
import { ensureDirectory, writeNewFile } from './files';

/** What the page is called after: a trace file's name without its extension. */
export const pageBase = (file: string): string => basename(file).replace(/(\.trace)?\.json$/, '');

/** The one-line verdict at the page's top. */
const verdictOf = (story: Story): string =>
  story.failureLines[0] ?? (story.failure === undefined ? `the spec and the kernels agree on all ${story.steps.length} steps` : story.failure.message);

/** Write the page; returns its path. */
export const writeHtmlReport = (dir: string, base: string, title: string, story: Story): string => {
  ensureDirectory(dir, '--html');
  return writeNewFile(dir, base, 'html', htmlReport({ title, verdict: verdictOf(story), story }));
};
