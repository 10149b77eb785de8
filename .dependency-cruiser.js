// The layering rules: layers point down only. test/unit/layering.test.ts runs them in `npm test`; alone: `npx depcruise src web`.
// Type-only imports count (tsPreCompilationDeps): a type pulled upward ties the layers together as much as a value.
// A folder cycle is one between any two folders below src/ (src/kernel/arch and src/kernel/x86_64 too); a folder
// and its own subfolders, and the modules at src/'s top (entry modules, errors, api-types), take no part: for those
// `entry-modules-on-top` keeps the entry modules above every folder but the command line's.

/**
 * The src/ modules web/ may import. Today that is the browser entry alone; `index` and `shared-exports` are the other
 * entry modules, allowed so the page can move to them without touching this file. Add nothing deeper: export it
 * from an entry module instead.
 */
const WEB_ENTRY_MODULES = ['^src/browser\\.ts$', '^src/index\\.ts$', '^src/shared-exports\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment:
        'Folders of src/ form a stack: if a folder imports another, nothing in the other (or below it) imports it back. ' +
        'A module both sides need goes down a layer (src/model/ holds what formats/ and kernel/ share).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'entry-modules-on-top',
      comment: 'The entry modules gather the library for its users (the command line, the page); nothing below uses them.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: '^src/cli/' },
      to: { path: '^src/(index|browser|shared-exports)\\.ts$' },
    },
    {
      name: 'web-through-entry-modules',
      comment: 'The page (web/) uses the library through its entry modules only, as a package user would.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: WEB_ENTRY_MODULES },
    },
    {
      name: 'assembly-through-wasm-registry',
      comment: 'AssemblyScript sources and their build are reached through src/wasm/ only, which owns the wasm exports.',
      severity: 'error',
      from: { pathNot: ['^src/wasm/', '^assembly/'] },
      to: { path: ['^assembly/', '^build/wasm/'] },
    },
    {
      name: 'src-not-into-web-or-test',
      comment: 'The library knows nothing of the page or of the tests (code only tests use lives in test/).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: ['^web/', '^test/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
