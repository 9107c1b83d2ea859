// A worker thread of `sel4-spec check --workers N`: runs the TypeScript sources through tsx, as the command does.
import { register } from 'tsx/esm/api';

register();
const { serveExplore } = await import('./exploreWorker.ts');
serveExplore();
