// shell.test.mjs - the console's frame in a real browser: sign-in and its messages
// (wrong password, lockout, expired session), the navigation each role gets, the
// language switch, keyboard use, the security headers, and no console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, SLOW } from './lib.mjs';

let env;
before(async () => {
  env = await startConsole({ cases: 0 });
});
after(async () => {
  if (env) await env.close();
});

test('the console is served with a CSP that allows no inline script', async () => {
  const r = await env.server.get('/');
  assert.equal(r.status, 200);
  const csp = r.headers['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script> in index.html');
  assert.doesNotMatch(r.text, /\son\w+=|style=/, 'no inline handlers or style attributes');
  /* Every style sheet parses to its end: an unbalanced brace (a merge can lose one)
   * silently swallows the rules after it. */
  for (const css of ['base', 'cases', 'map', 'dashboard', 'admin']) {
    const r = await env.server.get(`/css/${css}.css`);
    assert.equal(r.status, 200, css);
    const text = r.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/"[^"]*"|'[^']*'/g, '');
    let depth = 0;
    for (const ch of text) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      assert.ok(depth >= 0, `${css}.css closes a brace it never opened`);
    }
    assert.equal(depth, 0, `${css}.css leaves ${depth} brace(s) open`);
  }
  const vendor = await env.server.get('/vendor/leaflet/leaflet.js');
  assert.equal(vendor.status, 200, 'the build copies Leaflet from npm into build/web/vendor');
  const portal = await env.server.get('/m/');
  assert.equal(portal.status, 200);
  assert.match(portal.headers['content-type'], /text\/html/);
});

test('sign-in: a wrong password says so, the right one opens the home page in Chinese', async () => {
  const page = await env.page();
  await page.goto('/');
  await page.getByLabel('用户名').waitFor();
  await env.shot(page, 'login');
  await page.getByLabel('用户名').fill('center');
  await page.getByLabel('密码').fill('wrong-password-1');
  await page.getByRole('button', { name: '登录' }).click();
  await assert.doesNotReject(page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor());
  assert.equal(await page.getByLabel('密码').inputValue(), '', 'the password field is cleared');
  await page.getByLabel('密码').fill('Test-Pass-2026');
  await page.getByLabel('密码').press('Enter');
  await page.locator('#nav').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  const nav = await page.locator('#nav a').allTextContents();
  for (const label of ['首页', '案件', '网格地图', '统计分析']) assert.ok(nav.some((t) => t.startsWith(label)), `dispatcher nav has ${label}: ${nav}`);
  assert.ok(!nav.some((t) => t.startsWith('用户')), 'no administration for a dispatcher');
  assert.match(await page.locator('#who').textContent(), /调度员/);
  await page.context().close();
});

test('five wrong passwords lock the account and the form says what to do', async () => {
  /* citizen: an account no other test here signs in with */
  const page = await env.page();
  await page.goto('/');
  for (let i = 0; i < 5; i++) {
    await page.locator('input[name=username]').fill('citizen');
    await page.locator('input[name=password]').fill(`wrong-${i}`);
    await page.locator('form.login-form button[type=submit]').click();
    await page.locator('.login-message.is-error').waitFor();
    await page.waitForFunction(() => !document.querySelector('form.login-form button[type=submit]').disabled);
  }
  await page.locator('input[name=username]').fill('citizen');
  await page.locator('input[name=password]').fill('Test-Pass-2026');
  await page.locator('form.login-form button[type=submit]').click();
  const msg = page.getByRole('alert');
  await msg.filter({ hasText: '锁定' }).waitFor();
  assert.match(await msg.textContent(), /安全管理员/, 'the lockout message says who can unlock');
  await env.shot(page, 'login-locked');
  await page.context().close();
});

test('each role gets its own navigation; pages of other roles say they are not available', async () => {
  const expect = {
    admin: { has: ['区域与网格', '事项分类与时限', '节假日', '超期提级规则'], not: ['用户'] },
    secadmin: { has: ['用户'], not: ['区域与网格', '统计分析'] },
    auditor: { has: ['首页', '消息', '用户'], not: ['案件', '区域与网格'] },
    leader: { has: ['案件', '网格地图', '统计分析'], not: ['用户', '上报事件'] },
    xs_center: { has: ['案件', '上报事件', '统计分析'], not: ['用户'] },
    cg_dept: { has: ['案件', '统计分析'], not: ['上报事件', '用户'] },
    gw_001: { has: ['案件', '上报事件', '网格地图'], not: ['统计分析', '用户'] },
    mediator: { has: ['案件', '上报事件'], not: ['统计分析'] },
    xf_officer: { has: ['案件', '上报事件'], not: ['网格地图'] },
  };
  for (const [user, want] of Object.entries(expect)) {
    const page = await env.page();
    await env.login(page, user);
    const nav = (await page.locator('#nav a').allTextContents()).map((s) => s.replace(/\d+$/, ''));
    for (const l of want.has) assert.ok(nav.includes(l), `${user} sees ${l}: ${nav}`);
    for (const l of want.not) assert.ok(!nav.includes(l), `${user} does not see ${l}: ${nav}`);
    if (user === 'gw_001') {
      await page.goto('/#/admin/users');
      await page.getByRole('heading', { name: '无权访问' }).waitFor();
      await page.goto('/#/no/such/page');
      await page.getByRole('heading', { name: '没有这个页面' }).waitFor();
    }
    const body = await page.locator('body').innerText();
    assert.doesNotMatch(body, /undefined|NaN|\[object /, `${user}: no raw values on the page`);
    await page.context().close();
  }
});

test('the language switch turns the console into English and back, and is remembered', async () => {
  const page = await env.page();
  await env.login(page, 'leader');
  await page.getByRole('button', { name: 'Switch the language to English' }).click();
  await page.getByRole('link', { name: 'Dashboard' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.locator('#who').textContent(), /Leader/);
  await page.reload();
  await page.getByRole('link', { name: 'Dashboard' }).waitFor();
  await env.shot(page, 'console-en');
  /* the server's messages follow the language too */
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('input[name=username]').fill('leader');
  await page.locator('input[name=password]').fill('nope-nope-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
  await page.getByRole('button', { name: '切换为中文' }).click();
  await page.getByRole('button', { name: '登录' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await page.context().close();
});

test('keyboard only: skip link, sign-in, navigation and sign-out', async () => {
  const page = await env.page();
  await page.goto('/');
  await page.locator('input[name=username]').waitFor();
  /* the form takes focus; before it come the language switch and the skip link */
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lang');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.locator('input[name=username]').focus();
  await page.keyboard.type('center');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Test-Pass-2026');
  await page.keyboard.press('Enter');
  await page.locator('#nav').waitFor();
  /* Tab from the top reaches the navigation's links; Enter follows one. (The home page
   * focuses its heading, inside <main> after the navigation: start from the top.) */
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.locator('a.skip').focus();
  await page.keyboard.press('Tab');
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('href') === '#/notifications');
  }
  assert.ok(reached, 'the messages link is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: '消息' }).waitFor();
  assert.equal(await page.locator('#nav a[aria-current=page]').getAttribute('href'), '#/notifications');
  await page.context().close();
});

test('phone width: the navigation folds behind a menu button', async () => {
  const page = await env.page({ width: 390, height: 844, mobile: true });
  await env.login(page, 'gw_001');
  const menu = page.getByRole('button', { name: '菜单' });
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#nav').isVisible() && (await page.locator('#nav').boundingBox()).x >= 0, false, 'the nav is off screen');
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await page.getByRole('link', { name: '消息' }).click();
  await page.getByRole('heading', { name: '消息' }).waitFor();
  assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'following a link folds the menu');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scrolling at 390 px (${width})`);
  await page.context().close();
});

test('an expired session sends the user to sign-in with a message, then back to the page', async () => {
  const short = await startConsole({ cases: 0, args: ['--session-idle', '6s'] });
  try {
    const page = await short.page();
    await short.login(page, 'center');
    await page.waitForTimeout(7500 * SLOW);
    await page.getByRole('link', { name: '消息' }).click();
    const msg = page.getByRole('alert');
    await msg.filter({ hasText: '登录已过期' }).waitFor();
    await short.login(page, 'center');
    await page.getByRole('heading', { name: '消息' }).waitFor();
    assert.match(page.url(), /#\/notifications$/);
  } finally {
    await short.close();
  }
});
