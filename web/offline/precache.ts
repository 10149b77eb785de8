/** The service worker's file name, at the site root so that its scope can be the whole app. */
export const SW_FILE = 'sw.js';

/** What one build tells its service worker to keep: the app shell. */
export interface Precache {
  /** Hash of the contents of every file below: a new build gets a new cache, and the old one is deleted. */
  version: string;
  /** Paths relative to the site root, as emitted into dist/ (e.g. `index.html`, `assets/index-….js`). */
  files: string[];
}
