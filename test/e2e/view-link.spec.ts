// A link is a view: the export level, the compared level and the output live in the URL's fragment (never the dump),
// so a reload and the same file opened again show them; and another page can hand the page a dump with postMessage.
import { expect, test } from '@playwright/test';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();
const dump = realFixtures()[0];

test.describe('the view in the URL, and dumps posted by another page', () => {
  test.skip(!!skip, skip ?? '');

  test('the fragment sets the view, follows it, and brings it back after a reload', async ({ page }) => {
    await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await page.goto('/#level=17&vs=5&output=kdump-lzo');
    await page.getByTestId('file-input').setInputFiles(dump!.vmcore);
    await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('export-level')).toHaveValue('17');
    await expect(page.getByTestId('compare-level-b')).toHaveValue('5');
    await expect(page.getByTestId('export-output')).toHaveValue('kdump-lzo');

    await page.getByTestId('compare-level-a').selectOption('23');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#level=23&vs=5&output=kdump-lzo');
    // An in-page link scrolls without taking the fragment.
    await page.locator('nav.jump a').first().click();
    expect(await page.evaluate(() => location.hash)).toBe('#level=23&vs=5&output=kdump-lzo');

    await page.reload();
    await page.getByTestId('file-input').setInputFiles(dump!.vmcore);
    await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('export-level')).toHaveValue('23');
    await expect(page.getByTestId('compare-level-a')).toHaveValue('23');
    await expect(page.getByTestId('compare-level-b')).toHaveValue('5');
    expect(page.url()).not.toContain(dump!.name);

    // Back to the defaults: the fragment empties.
    await page.getByTestId('compare-level-a').selectOption('31');
    await page.getByTestId('compare-level-b').selectOption('1');
    await page.getByTestId('export-output').selectOption('kdump-zlib');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('');
  });

  test('a page of another origin opens a dump in it with window.open and postMessage', async ({ page, context }, info) => {
    const vmsieveUrl = new URL('/', info.project.use.baseURL).href;
    // The opener, a dashboard of another origin: it waits for 'ready', then posts the File.
    await page.route('http://dashboard.test/opener.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><input type="file" id="f"><script>
          document.getElementById('f').onchange = (e) => {
            const file = e.target.files[0];
            const w = window.open(${JSON.stringify(vmsieveUrl)}, '_blank');
            addEventListener('message', (m) => { if (m.source === w && m.data && m.data.vmsieve === 'ready') w.postMessage({ vmsieve: { file } }, '*'); });
          };
        </script>`,
      }),
    );
    await context.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await page.goto('http://dashboard.test/opener.html');
    const popup = context.waitForEvent('page');
    await page.locator('#f').setInputFiles(dump!.vmcore);
    const vmsieve = await popup;
    await expect(vmsieve.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
    await expect(vmsieve.getByTestId('file-name')).toHaveText(`${dump!.name}.vmcore`);
    // A page that missed 'ready' can ask for it.
    const answer = await page.evaluate(
      (url) =>
        new Promise<unknown>((resolve) => {
          const w = window.open(url, '_blank')!;
          const ask = setInterval(() => w.postMessage({ vmsieve: 'ping' }, '*'), 100);
          addEventListener('message', (m) => {
            if (m.source !== w) return;
            clearInterval(ask);
            resolve(m.data);
          });
        }),
      vmsieveUrl,
    );
    expect(answer).toEqual({ vmsieve: 'ready' });
  });
});
