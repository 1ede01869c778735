// caselist.test.mjs - the home page of every demo role and the case list in a real
// browser: each role's sections with their cases, filters kept in the address (status,
// text, region), "load more", saved filters that survive a reload, Back, keyboard-only
// use of the filter form, and a phone-width view. Screenshots: home-dispatcher,
// home-grid-worker, cases-list, cases-list-phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole } from './lib.mjs';

let env;
let srv;
const TAG = '列表页测试';

/* Our own cases on top of the demo's (mostly closed) ones, so that every section has
 * some: in gw_001's grid two reported, one registered, two dispatched to 城管局 (one
 * supervised), two in progress (one escalated); a dispute in 相山区 and a petition. */
async function seed() {
  const gw = await srv.session('gw_001');
  const center = await srv.session('center');
  const dept = await srv.session('cg_dept');
  const point = await srv.pointInGrid(gw.user.region);
  assert.ok(point, 'a point in gw_001’s grid');
  const deps = await srv.get('/api/v1/departments?limit=200', { session: center });
  const cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
  const act = async (session, k, action, json = {}) => {
    const r = await srv.post(`/api/v1/cases/${k.id}/actions/${action}`, { session, json, headers: { 'If-Match': k.etag } });
    assert.equal(r.status, 200, `${action}: ${r.text}`);
    return { ...r.json, etag: r.headers.etag };
  };
  const titles = ['垃圾堆放', '占道经营', '路灯损坏', '井盖缺失', '噪音扰民', '违章搭建', '污水外溢'];
  for (let i = 0; i < titles.length; i++) {
    const r = await srv.post('/api/v1/cases', { session: gw, json: { kind: 'event', category: '06010', title: `${TAG}${titles[i]}`, location: { lon: point[0], lat: point[1] } } });
    assert.equal(r.status, 201, r.text);
    let k = { ...r.json, etag: r.headers.etag };
    if (i < 2) continue;
    k = await act(center, k, 'register');
    if (i === 2) continue;
    k = await act(center, k, 'dispatch', { department: cgj.id });
    if (i === 4) k = await act(center, k, 'supervise');
    if (i < 5) continue;
    k = await act(dept, k, 'accept');
    if (i === 6) k = await act(center, k, 'escalate', { reason: '久拖未决' });
  }
  for (const [user, kind, region] of [['mediator', 'dispute', '340603001000'], ['xf_officer', 'petition', '340603001000']]) {
    const s = await srv.session(user);
    const cats = await srv.get(`/api/v1/categories?kind=${kind}`, { session: s });
    const cat = cats.json.items.find((x) => x.parent);
    assert.ok(cat, `a ${kind} category`);
    const r = await srv.post('/api/v1/cases', { session: s, json: { kind, category: cat.code, title: `${TAG}${kind === 'dispute' ? '邻里纠纷' : '信访事项'}`, region } });
    assert.equal(r.status, 201, `${user}: ${r.text}`);
  }
}

before(async () => {
  env = await startConsole({ cases: 300 });
  srv = env.server;
  await seed();
});
after(async () => {
  if (env) await env.close();
});

/* Waits until the home page's sections have loaded (no progress line left). */
async function homeReady(page) {
  await page.locator('.home-grid').waitFor();
  await page.waitForFunction(() => !document.querySelector('#view .progress') && document.querySelectorAll('.home-section').length > 0);
  await page.waitForLoadState('networkidle').catch(() => {});
}

const section = (page, name) => page.getByRole('region', { name, exact: true });

async function listReady(page) {
  await page.locator('.cl-results').waitFor();
  await page.waitForFunction(() => {
    const r = document.querySelector('.cl-results');
    return r && !r.querySelector('.progress') && document.querySelector('.cl-count')?.textContent;
  });
}

test('each role’s home page shows its own sections with cases', async () => {
  const expect = {
    gw_001: { data: ['本网格未办结案件'], also: ['今日到期'] },
    center: { data: ['待受理（新上报）', '督办案件'], also: ['超期案件'] },
    xs_center: { data: ['待受理（新上报）'], also: ['超期案件', '督办案件'] },
    cg_dept: { data: ['本单位待办'], also: ['本单位今日到期'] },
    leader: { data: ['已提级案件', '关键指标'], also: [] },
    mediator: { data: ['在办矛盾纠纷'], also: [] },
    xf_officer: { data: ['在办信访件'], also: [] },
    admin: { data: [], also: ['常用功能'], links: ['用户管理', '区域与网格', '事项分类与期限', '节假日日历', '提级策略', '网格地图', '统计看板'] },
    secadmin: { data: [], also: ['常用功能'], links: ['用户管理'] },
    auditor: { data: [], also: ['常用功能'], links: [], text: /\/api\/v1\/audit/ },
    citizen: { data: [], also: ['常用功能'], links: ['上报案件', '市民服务（手机版）'] },
  };
  const others = ['本网格未办结案件', '待受理（新上报）', '本单位待办', '关键指标', '在办矛盾纠纷', '在办信访件'];
  for (const [user, want] of Object.entries(expect)) {
    const page = await env.page();
    await env.login(page, user);
    await homeReady(page);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '工作台', user);
    for (const name of want.data) {
      const sec = section(page, name);
      await sec.waitFor();
      if (name === '关键指标') {
        const figs = await sec.locator('.home-fig-value').allTextContents();
        assert.ok(figs.length >= 4, `${user}: figures ${figs}`);
        for (const f of figs) assert.doesNotMatch(f, /undefined|NaN|null/, `${user}: ${f}`);
        // From the dashboard's API (GET /api/v1/stats/cases): the last 30 days, rates too.
        assert.match(await sec.locator('.home-note').textContent(), /近30天/);
        assert.ok(figs.length >= 7, `${user}: counts and rates ${figs}`);
        continue;
      }
      const rows = sec.locator('.cl-item');
      assert.ok((await rows.count()) >= 1, `${user}: “${name}” lists cases`);
      assert.ok((await rows.count()) <= 5, `${user}: a few rows only`);
      const href = await rows.first().getByRole('link').getAttribute('href');
      assert.match(href, /^#\/cases\/\d+$/);
      const all = await sec.getByRole('link', { name: `查看全部：${name}` }).getAttribute('href');
      assert.match(all, /^#\/cases\?/, `${user}: “see all” of ${name}`);
    }
    for (const name of want.also) {
      const sec = section(page, name);
      await sec.waitFor();
      const n = await sec.locator('.cl-item').count();
      if (n === 0 && name !== '常用功能') assert.ok((await sec.locator('.empty').textContent()).length > 4, `${user}: “${name}” says what an empty list means`);
    }
    for (const l of want.links || []) assert.ok(await section(page, '常用功能').getByRole('link', { name: l, exact: true }).count(), `${user}: link ${l}`);
    if (want.text) assert.match(await section(page, '常用功能').textContent(), want.text);
    if (!want.links) assert.equal(await section(page, '常用功能').count(), 0, `${user}: the navigation has the rest`);
    else for (const a of await section(page, '常用功能').getByRole('link').all()) assert.notEqual(await a.getAttribute('href'), '#/notifications');
    for (const name of others) if (!want.data.includes(name)) assert.equal(await section(page, name).count(), 0, `${user} has no “${name}”`);
    const text = await page.locator('#view').textContent();
    assert.doesNotMatch(text, /undefined|NaN|\[object|home\.|cases_list\./, `${user}: no raw keys or undefined`);
    if (user === 'center') await env.shot(page, 'home-dispatcher');
    if (user === 'gw_001') await env.shot(page, 'home-grid-worker');
    if (user === 'gw_001') {
      // The grid worker's "see all" opens the list with the grid's open cases.
      await section(page, '本网格未办结案件').getByRole('link', { name: '查看全部：本网格未办结案件' }).click();
      await listReady(page);
      assert.match(page.url(), /#\/cases\?.*open=true/);
      assert.ok((await page.locator('.cl-table tbody tr').count()) >= 1);
    }
    await page.context().close();
  }
  env.assertNoErrors('home pages');
});

test('the list: filters in the address, text search, region, load more, Back', async () => {
  const page = await env.page();
  await env.login(page, 'center');
  await page.goto('/#/cases');
  await listReady(page);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '案件列表');
  assert.equal(await page.locator('.cl-table tbody tr').count(), 30, 'a page of 30');
  const headers = await page.locator('.cl-table thead th').allTextContents();
  assert.deepEqual(headers, ['编号', '标题', '分类', '状态', '期限', '区域/网格']);
  assert.ok(await page.getByRole('link', { name: '上报案件' }).count(), 'a dispatcher may report');
  await env.shot(page, 'cases-list');

  // Load more: the next 30 after the cursor, the focus on the first new row.
  await page.getByRole('button', { name: '加载更多' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.cl-table tbody tr').length === 60);
  const numbers = await page.locator('.cl-table .cl-number').allTextContents();
  assert.equal(new Set(numbers).size, 60, 'no case twice');
  assert.equal(await page.evaluate(() => document.activeElement.closest('tr') === document.querySelectorAll('.cl-table tbody tr')[30]), true);

  // Status.
  await page.getByLabel('状态', { exact: true }).selectOption('dispatched');
  await page.getByRole('button', { name: '查询' }).click();
  await page.waitForURL(/#\/cases\?status=dispatched$/);
  await listReady(page);
  const statuses = await page.locator('.cl-table .cl-c-status').allTextContents();
  assert.ok(statuses.length >= 2);
  for (const s of statuses) assert.equal(s, '已派遣');

  // Text search (with the status kept).
  await page.getByLabel('关键词').fill('井盖');
  await page.getByLabel('关键词').press('Enter');
  await page.waitForURL(/q=/);
  await listReady(page);
  const titles = await page.locator('.cl-table .cl-c-title a').allTextContents();
  assert.deepEqual(titles, [`${TAG}井盖缺失`]);
  assert.match(await page.locator('.cl-count').textContent(), /1/);

  // Back: the status-only list again, its form showing it.
  await page.goBack();
  await page.waitForURL(/#\/cases\?status=dispatched$/);
  await listReady(page);
  assert.equal(await page.getByLabel('关键词').inputValue(), '');
  assert.equal(await page.getByLabel('状态', { exact: true }).inputValue(), 'dispatched');

  // Nothing matches: the empty state says what to do.
  await page.getByLabel('关键词').fill('不存在的词语组合');
  await page.getByRole('button', { name: '查询' }).click();
  await page.locator('.empty').waitFor();
  assert.match(await page.locator('.empty').textContent(), /清除条件/);
  await page.locator('.empty').getByRole('button', { name: '清除条件' }).click();
  await page.waitForURL(/#\/cases$/);
  await listReady(page);

  // Region: 相山区 → only its cases; the address keeps it.
  const picker = page.locator('.region-picker');
  await picker.locator('select').first().waitFor();
  const firstOptions = await picker.locator('select').first().locator('option').allTextContents();
  assert.ok(firstOptions.includes('相山区'), firstOptions.join(','));
  await picker.locator('select').first().selectOption({ label: '相山区' });
  await page.getByLabel('状态', { exact: true }).selectOption('closed');
  await page.getByRole('button', { name: '查询' }).click();
  await page.waitForURL(/region=340603000000/);
  await listReady(page);
  const hash = new URL(page.url()).hash;
  const api = await srv.get(`/api/v1/cases?region=340603000000&status=closed&limit=30`, { session: await srv.session('center') });
  const want = api.json.items.map((c) => c.number);
  assert.ok(want.length > 0, 'closed cases in 相山区');
  assert.deepEqual(await page.locator('.cl-table .cl-number').allTextContents(), want, hash);
  // The region survives a reload (it is in the address).
  await page.reload();
  await listReady(page);
  await page.locator('.region-picker select').first().waitFor();
  await page.waitForFunction(() => document.querySelector('.region-picker select')?.value === '340603000000');
  assert.deepEqual(await page.locator('.cl-table .cl-number').allTextContents(), want);
  // An edited address the server refuses: its message, and a way out.
  await page.goto('/#/cases?grid=123');
  const alert = page.locator('.cl-error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /查询参数无效/);
  assert.doesNotMatch(await alert.textContent(), /INVALID_QUERY|undefined/);
  await alert.getByRole('button', { name: '清除条件' }).click();
  await page.waitForURL(/#\/cases$/);
  await listReady(page);
  await page.context().close();
  env.assertNoErrors('list');
});

test('saved filters: save, reload, apply, delete', async () => {
  const page = await env.page();
  await env.login(page, 'center');
  await page.goto('/#/cases?supervised=true&open=true');
  await listReady(page);
  assert.ok(await page.getByLabel('仅看督办').isChecked());
  assert.match(await page.locator('.cl-saved').textContent(), /还没有保存的筛选/);
  await page.getByLabel('筛选名称').fill('督办在办');
  await page.getByRole('button', { name: '保存筛选' }).click();
  await page.getByRole('status').filter({ hasText: '已保存筛选“督办在办”' }).waitFor();
  // Another place, a reload, then apply it.
  await page.goto('/#/cases?status=closed');
  await page.reload();
  await listReady(page);
  const apply = page.getByRole('button', { name: '应用筛选“督办在办”' });
  await apply.click();
  await page.waitForURL(/#\/cases\?open=true&supervised=true$/);
  await listReady(page);
  assert.ok(await page.getByLabel('仅看督办').isChecked());
  assert.equal(await page.getByLabel('办理情况').inputValue(), 'true');
  const rows = await page.locator('.cl-table tbody tr').count();
  assert.ok(rows >= 1);
  assert.equal(await page.locator('.cl-flag-supervised').count(), rows, 'every row supervised');
  // Saved per user: another user does not see it.
  const other = await env.page();
  await env.login(other, 'xs_center');
  await other.goto('/#/cases');
  await listReady(other);
  assert.equal(await other.getByRole('button', { name: '应用筛选“督办在办”' }).count(), 0);
  await other.context().close();
  // Delete.
  await page.getByRole('button', { name: '删除筛选“督办在办”' }).click();
  await page.getByRole('status').filter({ hasText: '已删除筛选“督办在办”' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '应用筛选“督办在办”' }).count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'filter_name', 'the focus goes to the name field');
  await page.context().close();
  env.assertNoErrors('saved filters');
});

test('the filter form and saved filters work with the keyboard only', async () => {
  const page = await env.page();
  await env.login(page, 'center');
  await page.goto('/#/cases');
  await listReady(page);
  const focusName = () => page.evaluate(() => document.activeElement?.name || document.activeElement?.textContent || '');
  const tabTo = async (pred, max = 40) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(pred)) return;
    }
    assert.fail(`not reached with Tab (at ${await focusName()})`);
  };
  await tabTo(() => document.activeElement?.name === 'q');
  await page.keyboard.type('占道');
  await tabTo(() => document.activeElement?.name === 'supervised');
  await page.keyboard.press('Space');
  await page.locator('input[name=q]').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=/);
  await listReady(page);
  const hash = decodeURIComponent(new URL(page.url()).hash);
  assert.match(hash, /q=占道/);
  assert.match(hash, /supervised=true/);
  // Save it by keyboard: Tab to the name, type, Enter.
  await tabTo(() => document.activeElement?.name === 'filter_name');
  await page.keyboard.type('键盘筛选');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: '已保存筛选“键盘筛选”' }).waitFor();
  // Clear the filters with the keyboard, then apply the saved one with Enter.
  await page.locator('input[name=q]').focus();
  await tabTo(() => document.activeElement?.textContent === '清除条件');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/cases$/);
  await listReady(page);
  await tabTo(() => document.activeElement?.getAttribute('aria-label') === '应用筛选“键盘筛选”', 60);
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=/);
  await listReady(page);
  assert.match(decodeURIComponent(new URL(page.url()).hash), /q=占道/);
  // The focus is visible (an outline) on a focused control.
  await page.locator('input[name=q]').focus();
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  await page.context().close();
  env.assertNoErrors('keyboard');
});

test('phone width: cards, no sideways scrolling', async () => {
  const page = await env.page({ width: 390, height: 844, mobile: true });
  await env.login(page, 'gw_001');
  await homeReady(page);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'home fits the width');
  await page.goto('/#/cases?open=true');
  await listReady(page);
  const rows = page.locator('.cl-table tbody tr');
  assert.ok((await rows.count()) >= 1);
  assert.equal(await rows.first().evaluate((el) => getComputedStyle(el).display), 'flex', 'each case is a card');
  assert.equal(await page.locator('.cl-table thead').evaluate((el) => el.getBoundingClientRect().height <= 1), true, 'column heads hidden visually');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the list fits the width');
  assert.equal(await page.locator('details.cl-filters').evaluate((el) => el.open), false, 'the filters start folded on a phone');
  await page.locator('details.cl-filters summary').click();
  await page.getByLabel('关键词').waitFor();
  await page.locator('details.cl-filters summary').click();
  await env.shot(page, 'cases-list-phone');
  await page.context().close();
  env.assertNoErrors('phone');
});

test('in English: the home page and the list speak English', async () => {
  const page = await env.page({ lang: 'en' });
  await env.login(page, 'center');
  await homeReady(page);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Home');
  await section(page, 'Intake queue (newly reported)').waitFor();
  await page.goto('/#/cases?status=dispatched,in_progress&open=true');
  await listReady(page);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Cases');
  assert.match(await page.getByLabel('Status', { exact: true }).locator('option:checked').textContent(), /Dispatched/);
  const text = await page.locator('#view').textContent();
  assert.doesNotMatch(text, /undefined|NaN|cases_list\.|status\./);
  assert.doesNotMatch(text, /筛选条件|加载更多|已显示|关键词|查询/, 'the list’s own words are English');
  await page.context().close();
  env.assertNoErrors('english');
});
