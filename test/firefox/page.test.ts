import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOutputDigest, fileDigest } from '../helpers/cli-export.js';
import { excludedByClass, fixtureCacheDir, realFixtures } from '../helpers/fixtures.js';
import { firefoxSkipReason, openFirefoxPage, type FirefoxPage } from '../helpers/firefox.js';
import { opfsFileList } from '../helpers/opfs.js';
import { noteForSummary } from '../helpers/summary-notes.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;
const skip = firefoxSkipReason() ?? (fixture ? undefined : `real fixture missing: ${DUMP} and its makedumpfile oracle (run the fixture setup)`);

const testId = (id: string) => `[data-testid="${id}"]`;
const attr = (page: Page, id: string, name: string) => page.$eval(testId(id), (e, name) => e.getAttribute(name), name);

async function choose(page: Page, output: string, level: number): Promise<void> {
  await page.select(testId('export-output'), output);
  const input = (await page.$(testId('export-level')))!;
  await input.evaluate((e) => ((e as HTMLInputElement).value = ''));
  await input.type(String(level));
  await page.keyboard.press('Tab');
  expect(await page.$eval(testId('export-command'), (e) => e.textContent)).toContain(` -d ${level} `);
}

/** The finished downloads (Firefox writes NAME.part until a download completes). */
function finishedDownloads(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.endsWith('.part'));
}

/** Waits for the export card's status to reach `state`; a timeout says what it showed last. */
function statusReaches(ff: FirefoxPage, state: string, timeoutMs: number): Promise<unknown> {
  const status = () => ff.page.$eval(testId('export-status'), (e) => [e.getAttribute('data-state'), e.textContent?.trim().slice(0, 200)]);
  return until(ff, `the export status to be ${state}`, status, ([s]) => s === state, timeoutMs);
}

/** Polls `get` until `ok`; a timeout says what it saw last and what the page printed. */
async function until<T>(ff: FirefoxPage, what: string, get: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}; the page printed:\n${ff.log.slice(-30).join('\n') || '(nothing)'}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Where the page ran a job without its compute workers, says so in the test summary (the job itself passed). */
async function noteWorkersFailed(ff: FirefoxPage, job: string): Promise<void> {
  const why = await ff.page.$eval(testId('workers-failed'), (e) => e.textContent).catch(() => null);
  if (why) noteForSummary(`Firefox ESR, ${job}: ${why.trim()}`);
}

describe.skipIf(skip)(`the page in Firefox ESR on a real kdump vmcore${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ff: FirefoxPage;
  const page = () => ff.page;

  beforeAll(async () => {
    ff = await openFirefoxPage();
    await ((await page().$(testId('file-input'))) as ElementHandle<HTMLInputElement>).uploadFile(DUMP);
    await page().waitForSelector(testId('summary'), { timeout: 60_000 });
  }, 120_000);
  afterAll(() => ff?.close());

  it('shows the summary and draws the class map with the record’s -d 31 counts', async () => {
    expect(await page().$eval(testId('fact-release'), (e) => e.textContent)).toBe(fixture!.oracle.vmcoreinfo_summary.OSRELEASE);
    await page().waitForSelector(testId('class-map'), { visible: true, timeout: 120_000 });
    const want = excludedByClass(fixture!.oracle.counts_by_level['31']);
    for (const [cls, n] of Object.entries(want)) {
      await page().waitForSelector(`${testId(`class-count-${cls}`)}[data-pages="${n}"]`, { timeout: 60_000 });
    }
  });

  it('Analyse completes: the -d 31 uncompressed size is makedumpfile’s', async () => {
    await page().click(testId('analyse-button'));
    try {
      await statusReaches(ff, 'analysed', 60_000);
    } catch (e) {
      // An analysis that never ends has been seen here about once in five runs, and not yet explained: it is said in
      // the test summary, with what the page showed and printed, then cancelled and tried once more.
      noteForSummary(`Firefox ESR: Analyse had not ended after 60 s and was cancelled and run again: ${e instanceof Error ? e.message.slice(0, 1500) : String(e)}`);
      await page().$eval(testId('cancel-button'), (b) => (b as HTMLButtonElement).click());
      await statusReaches(ff, 'cancelled', 20_000);
      await page().$eval(testId('analyse-button'), (b) => (b as HTMLButtonElement).click());
      await statusReaches(ff, 'analysed', 90_000);
    }
    await noteWorkersFailed(ff, 'Analyse');
    const want = fixture!.oracle.matrix.find((m: { format_requested: string; dump_level: number; rc: number }) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31 && m.rc === 0);
    expect(Number(await attr(page(), 'size-31-kdump-none', 'data-bytes'))).toBe(want.output_size);
  });

  it('export -c -d 31 streams to one download with the CLI’s bytes, and leaves nothing in private storage', async () => {
    const want = cliOutputDigest(['-c', '-d', '31'], DUMP);
    const name = `${NAME}.vmcore.d31.kdump`;
    await choose(page(), 'kdump-zlib', 31);
    await page().click(testId('export-button'));
    await until(ff, 'the streamed download to be offered', () => page().$(testId('download-streamed')).then((e) => e !== null), (shown) => shown, 150_000);
    await noteWorkersFailed(ff, 'export -c -d 31');
    expect(Number(await attr(page(), 'export-result', 'data-size'))).toBe(want.size);
    await until(ff, 'the download to finish', () => finishedDownloads(ff.downloads), (f) => f.includes(name), 60_000);
    expect(finishedDownloads(ff.downloads)).toEqual([name]);
    expect(fileDigest(join(ff.downloads, name))).toEqual(want);
    expect(await page().evaluate(opfsFileList)).toEqual([]);
  });

  it('a cancelled export leaves nothing in private storage, and nothing complete-looking in the downloads', async () => {
    const name = `${NAME}.vmcore.d0.kdump`;
    await choose(page(), 'kdump-zstd', 0);
    // A click on the element itself: the download just finished may still move things under the pointer.
    await page().$eval(testId('export-button'), (b) => (b as HTMLButtonElement).click());
    await statusReaches(ff, 'export', 60_000);
    await until(ff, 'the download to start', () => readdirSync(ff.downloads), (f) => f.includes(name), 30_000);
    await page().click(testId('cancel-button'));
    await statusReaches(ff, 'cancelled', 10_000);
    expect(await page().evaluate(opfsFileList)).toEqual([]);
    // The download failed: Firefox never moves its .part file (kept for its Retry button, which the page names) to the
    // file's name, which stays the empty placeholder, if anything.
    await new Promise((r) => setTimeout(r, 2_000));
    const named = join(ff.downloads, name);
    expect(existsSync(named) ? statSync(named).size : 0).toBe(0);
    expect(await page().$eval(testId('cancelled'), (e) => e.textContent)).toContain('.part');
  });
});
