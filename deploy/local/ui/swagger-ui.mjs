// Opens Swagger UI in headless Chromium (Debian's package), authorises with an API key, runs
// GET /v1/bands with "Try it out" and saves a screenshot. Used by deploy/local/swagger-ui-check.sh.
//   node swagger-ui.mjs <api-base-url> <api-key> <screenshot.png>
import { chromium } from 'playwright-core';

const [base, key, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.COMP_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  // Offline: every request must stay on the API's own origin (no CDN).
  const foreign = [];
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  await page.goto(`${base}/swagger/index.html`, { waitUntil: 'networkidle' });
  await page.waitForSelector('.opblock-summary-path', { timeout: 20000 });
  const operations = await page.locator('.opblock').count();

  await page.click('button.authorize');
  await page.fill('.auth-container input[type=text], .auth-container input[type=password]', key);
  await page.click('.auth-btn-wrapper button.authorize');
  await page.click('button.btn-done');

  const band = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/v1/bands"]') }).first();
  await band.locator('.opblock-summary').click();
  await band.locator('button.try-out__btn').click();
  await band.locator('button.execute').click();
  const status = await band.locator('.live-responses-table .response .response-col_status').first().innerText({ timeout: 20000 });
  const curl = await band.locator('.curl-command').first().innerText();
  await band.scrollIntoViewIfNeeded();
  await page.screenshot({ path: out, fullPage: false });
  console.log(JSON.stringify({ operations, status: status.trim(), sentKey: curl.includes('X-Api-Key'), foreign }));
  if (status.trim() !== '200' || !curl.includes('X-Api-Key') || foreign.length > 0) process.exitCode = 1;
} finally {
  await browser.close();
}
