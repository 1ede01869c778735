// lib.mjs - helpers for the browser tests: the real civicgrid binary with the demo city
// (and demo cases) on a loopback port, Debian's Chromium driven headless by
// playwright-core, sign-in through the console's form, screenshots for docs/, and a
// record of every console error, uncaught exception and 5xx answer of every page —
// close() fails the test when there was any.
//
// Answers 4xx of the API are not errors of the page (a form that gets 422 shows the
// message; the first visit gets 401 from GET /api/v1/session), so Chromium's
// "Failed to load resource" lines for them are left out; everything else counts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { makeDb, startServer, cliAsync, PASSWORD, SHARED_DATA, REPO, SLOW } from '../e2e/lib.mjs';

export { PASSWORD, REPO, SLOW };
export const CHROMIUM = process.env.CW_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO, 'docs', 'screenshots');
/* The demo cases' seed: the same cases every run (as of the day the test runs). */
export const DEMO_SEED = 20261127;

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--font-render-hinting=none',
];

/* Starts the demo city (and `cases` generated cases) on a server and a headless
 * Chromium. → Console: {server, browser, url, page(), login(), shot(), close()}. */
export async function startConsole({ cases = 0, args = [], demoArgs = [] } = {}) {
  const db = makeDb();
  let server = null;
  let browser = null;
  try {
    const demo = ['demo', '--db', db.url, '--password', PASSWORD, '--shared-data', SHARED_DATA,
      '--cases', String(cases), '--seed', String(DEMO_SEED), ...demoArgs];
    const r = await cliAsync(demo, { timeout: 180000 * SLOW });
    assert.equal(r.status, 0, `civicgrid ${demo.join(' ')} exited ${r.status}\n${r.stderr}`);
    server = await startServer({ db, args });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS, timeout: 60000 });
  } catch (e) {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.close().catch(() => {});
    db.drop();
    throw e;
  }
  return new Console(server, browser, db);
}

export class Console {
  constructor(server, browser, db) {
    this.server = server;
    this.browser = browser;
    this.db = db;
    this.url = server.url;
    this.errors = [];
    this.contexts = [];
  }

  /* A new browser context and page: its own cookies and storage. lang: 'zh' (the
   * default) or 'en'; width/height of the viewport; geolocation {latitude, longitude}
   * grants the permission too. */
  async page({ lang, width = 1280, height = 800, geolocation, mobile = false } = {}) {
    const ctx = await this.browser.newContext({
      viewport: { width, height },
      deviceScaleFactor: 1,
      isMobile: mobile,
      hasTouch: mobile,
      locale: lang === 'en' ? 'en-GB' : 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      baseURL: this.url,
      geolocation,
      permissions: geolocation ? ['geolocation'] : [],
    });
    this.contexts.push(ctx);
    if (lang) await ctx.addInitScript((l) => { if (!localStorage.getItem('civicgrid.lang')) localStorage.setItem('civicgrid.lang', l); }, lang);
    const page = await ctx.newPage();
    page.setDefaultTimeout(15000 * SLOW);
    this.watch(page);
    return page;
  }

  watch(page) {
    const where = () => { try { return new URL(page.url()).hash || page.url(); } catch { return page.url(); } };
    page.on('pageerror', (e) => this.errors.push(`[${where()}] uncaught: ${e.stack || e.message}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = m.text();
      const url = (m.location() && m.location().url) || '';
      if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text) && /\/api\/v1\//.test(url)) return;
      this.errors.push(`[${where()}] console.error: ${text} ${url}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 500) this.errors.push(`[${where()}] ${r.status()} for ${r.request().method()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => {
      const f = r.failure();
      /* a page left while its requests ran (navigation, closed stream) is not a failure */
      if (f && /ERR_ABORTED|ERR_NETWORK_CHANGED/.test(f.errorText)) return;
      this.errors.push(`[${where()}] request failed: ${r.method()} ${r.url()} ${f && f.errorText}`);
    });
  }

  /* Signs in through the form and waits for the signed-in frame. */
  async login(page, username, password = PASSWORD) {
    if (!page.url().startsWith(this.url)) await page.goto('/');
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill(password);
    await page.locator('form.login-form button[type=submit]').click();
    await page.locator('#nav').waitFor();
    await page.locator('#view').waitFor();
  }

  /* docs/screenshots/<name>.png of the viewport, once fonts and pending work settled. */
  async shot(page, name, { fullPage = false } = {}) {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.evaluate(() => document.fonts.ready);
    await page.waitForLoadState('networkidle').catch(() => {});
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage, animations: 'disabled', caret: 'hide' });
  }

  /* Fails when any page logged an error so far (and forgets them). */
  assertNoErrors(what = '') {
    const e = this.errors.splice(0);
    assert.deepEqual(e, [], `errors in the browser${what ? ` (${what})` : ''}:\n${e.join('\n')}`);
  }

  async close() {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser.close().catch(() => {});
    await this.server.close();
    this.db.drop();
    this.assertNoErrors('at close');
  }
}

/* A temporary file (for uploads): → its path. */
export function tempFile(name, bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-browser-'));
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}
