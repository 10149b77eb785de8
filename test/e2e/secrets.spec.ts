import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { generateVmcore, type PlantedSecret } from '../../fixtures/gen/generate.js';
import { K } from '../../fixtures/gen/model.js';
import { SECRET_SAMPLES } from '../../fixtures/gen/secrets.js';
import { SECRET_PATTERNS } from '../../src/secrets/patterns.js';
import { closeDumpPage, openDumpPage } from '../helpers/page-dump.js';

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-secrets-e2e-'));
const dump = join(dir, 'secrets.vmcore');
let planted: PlantedSecret[];
let page: Page | undefined;
const logged: string[] = [];

test.beforeAll(async () => {
  planted = (await generateVmcore(dump, { memoryMiB: 64, secrets: true })).planted!;
});
test.afterAll(async () => {
  await closeDumpPage(page);
  rmSync(dir, { recursive: true, force: true });
});

const vocabulary = JSON.stringify(SECRET_PATTERNS.map((p) => [p.kind, p.label])).toLowerCase();

/** Runs of 6 characters from the middle of each planted sample: none may appear anywhere the page shows or logs. */
const middles = SECRET_SAMPLES.flatMap((s) => {
  const text = new TextDecoder('latin1').decode(s.bytes);
  const out: string[] = [];
  for (let i = 1; i + 6 < text.length - 1; i += 3) out.push(text.slice(i, i + 6));
  // What the page says of its own (pattern names and labels) may share words with a sample's fixed part.
  return out.filter((m) => !vocabulary.includes(m.toLowerCase()));
});

test('the secret panel lists the planted secrets a level keeps, masked; no full text in the DOM or console; erase on export', async ({ browser }, info) => {
  test.setTimeout(180_000);
  page = await openDumpPage(browser, info, dump);
  page.on('console', (m) => logged.push(m.text()));
  const level = page.getByTestId('export-level');
  await level.fill('31');
  await level.press('Tab');
  await page.getByTestId('scan-secrets-button').click();
  const summary = page.getByTestId('secrets-summary');
  await expect(summary).toBeVisible({ timeout: 120_000 });
  await expect(summary).toHaveAttribute('data-level', '31');
  expect(Number(await summary.getAttribute('data-scanned-pages'))).toBeGreaterThan(1000);
  await expect(summary).toContainText('14 patterns');

  const kept = planted.filter((p) => p.pageKind === K.KDATA || p.pageKind === K.SLAB);
  const rows = page.getByTestId('secret-finding');
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => ({ kind: tr.getAttribute('data-kind'), paddr: Number(tr.getAttribute('data-paddr')) })));
  for (const p of kept) expect(shown).toContainEqual({ kind: p.kind, paddr: p.paddr });
  for (const p of planted.filter((x) => !kept.includes(x))) expect(shown.map((s) => s.paddr)).not.toContain(p.paddr);

  await page.getByTestId('erase-found').check();
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-erased')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('export-erased')).toContainText(`Erased ${shown.length} findings`);

  const dom = await page.content();
  const leaked = middles.filter((m) => dom.includes(m) || logged.some((c) => c.includes(m)));
  expect(leaked).toEqual([]);
});
