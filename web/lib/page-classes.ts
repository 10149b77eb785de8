import type { OverviewClass } from '../../src/browser.js';

export interface ClassLook {
  label: string;
  /** What the pages are and which dump-level bit drops them. */
  hint: string;
  /** The CSS custom property (web/app.css) that colours them; null for pages outside the dump, drawn hatched. */
  colorVar: string | null;
}

/** How each page class is named and coloured on the page. */
export const CLASS_LOOK: Record<OverviewClass, ClassLook> = {
  kept: { label: 'Kernel (kept)', hint: 'kept at every dump level', colorVar: '--pc-kept' },
  zero: { label: 'Zero', hint: 'all zero bytes · -d 1', colorVar: '--pc-zero' },
  cache: { label: 'Page cache', hint: 'non-private cache · -d 2', colorVar: '--pc-cache' },
  cachePrivate: { label: 'Private cache', hint: 'cache with private data · -d 4', colorVar: '--pc-cache-private' },
  user: { label: 'User data', hint: 'process memory · -d 8', colorVar: '--pc-user' },
  free: { label: 'Free', hint: 'buddy allocator · -d 16', colorVar: '--pc-free' },
  hwpoison: { label: 'Hardware-poisoned', hint: 'always left out', colorVar: '--pc-hwpoison' },
  offline: { label: 'Offline', hint: 'ballooned or offlined · always left out', colorVar: '--pc-offline' },
  notInDump: { label: 'Not in dump', hint: 'holes, and memory the dump does not hold', colorVar: null },
};

