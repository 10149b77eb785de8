import { OUTPUT_KINDS, type OutputKind } from '../../src/browser.js';

/**
 * What the URL's fragment keeps of the view, so that reloading the page or opening the same file again shows it as
 * it was: the export level, the level it is compared with, and the output. Never anything of the dump itself.
 */
export interface ViewFragment {
  level?: number;
  other?: number;
  output?: OutputKind;
}

const LEVEL = /^(?:[0-9]|[12][0-9]|3[01])$/;

export function readFragment(hash: string): ViewFragment {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const level = params.get('level');
  const other = params.get('vs');
  const output = params.get('output');
  return {
    ...(level && LEVEL.test(level) ? { level: Number(level) } : {}),
    ...(other && LEVEL.test(other) ? { other: Number(other) } : {}),
    ...(output && (OUTPUT_KINDS as readonly string[]).includes(output) ? { output: output as OutputKind } : {}),
  };
}

/** The fragment for `view`, leaving out what equals `defaults` (so a new dump still gets its own defaults); '' for none. */
export function writeFragment(view: Required<ViewFragment>, defaults: Required<ViewFragment>): string {
  const params = new URLSearchParams();
  if (view.level !== defaults.level) params.set('level', String(view.level));
  if (view.other !== defaults.other) params.set('vs', String(view.other));
  if (view.output !== defaults.output) params.set('output', view.output);
  const text = params.toString();
  return text ? `#${text}` : '';
}
