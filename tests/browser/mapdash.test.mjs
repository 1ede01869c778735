// mapdash.test.mjs - the dashboard and the map in a real browser. As a leader: the
// dashboard draws its charts with data, its figures are the stats API's, the region and
// the period change them, and a case reported meanwhile updates them live (SSE). As the
// city centre: the map draws the grids (on a plain background: no tile requests) and
// clustered case markers, a click on a grid and on a marker opens their popups whose
// links lead to the case list of the grid and to the case, and the lists beside the map
// work from the keyboard. Screenshots: dashboard, map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, SLOW } from './lib.mjs';

const CITY = '340600000000';
const XIANGSHAN = '340603000000';
let env;
let leaderApi;

before(async () => {
  env = await startConsole({ cases: 300 });
  leaderApi = await env.server.login('leader');
});
after(async () => {
  if (env) await env.close();
});

/* Today and n days before in Asia/Shanghai, YYYY-MM-DD. */
const cityDate = (n = 0) => new Date(Date.now() + n * 86400000).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
const num = (s) => Number(String(s).replace(/[^\d.-]/g, ''));

async function stats(q) {
  const r = await env.server.get(`/api/v1/stats/cases?${new URLSearchParams(q)}`, { session: leaderApi });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function figure(page, name) {
  return page.locator(`.dash-figure-${name} .dash-figure-value`).textContent();
}

async function waitFigure(page, name, value) {
  await page.waitForFunction(([n, v]) => {
    const el = document.querySelector(`.dash-figure-${n} .dash-figure-value`);
    return el && Number(el.textContent.replace(/[^\d.-]/g, '')) === v && el.textContent.trim() !== '—';
  }, [name, value], { timeout: 15000 * SLOW });
}

test('dashboard: charts with the stats API figures; region and period change them; live updates', async () => {
  const page = await env.page({ width: 1280, height: 900 });
  await env.login(page, 'leader');
  await page.goto('/#/dashboard');
  await page.getByRole('heading', { level: 1, name: '统计分析' }).waitFor();
  const s30 = await stats({ from: cityDate(-29), to: cityDate(0) });
  assert.ok(s30.total > 0, 'the demo cases reach into the last 30 days');
  await waitFigure(page, 'total', s30.total);
  for (const k of ['open', 'closed', 'overdue', 'escalated', 'supervised']) assert.equal(num(await figure(page, k)), s30[k], k);
  const onTime = await figure(page, 'on_time');
  if (s30.on_time_rate === null) assert.equal(onTime.trim(), '—');
  else assert.equal(onTime.trim(), `${(s30.on_time_rate * 100).toFixed(1)}%`);
  assert.doesNotMatch(await page.locator('#view').innerText(), /undefined|NaN|null/);

  // Four charts drawn with a size, each with a text alternative.
  for (const k of ['trend', 'category', 'region', 'rates']) {
    const canvas = page.locator(`#dash-chart-${k} canvas`).first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, `${k} chart has a size: ${JSON.stringify(box)}`);
    const label = await page.locator(`#dash-chart-${k}`).getAttribute('aria-label');
    assert.ok(label && label.length > 6, `${k}: ${label}`);
  }
  assert.equal(await page.locator('.dash-card-trend table.sr-only tbody tr').count(), 30, 'every day in the trend table');
  const regionRows = await page.locator('.dash-card-region table.sr-only tbody tr').allInnerTexts();
  assert.equal(regionRows.length, s30.by_region.length);
  assert.ok(regionRows.some((r) => r.includes('相山区')), regionRows.join('|'));
  assert.match(await page.locator('#dash-chart-trend').getAttribute('aria-label'), new RegExp(`共 ${s30.total.toLocaleString('zh-CN')} 件`));
  await page.locator('.dash-live').filter({ hasText: '实时更新已开启' }).waitFor();
  await env.shot(page, 'dashboard');

  // The period: the last 7 days.
  await page.getByLabel('时间段').selectOption('7');
  const s7 = await stats({ from: cityDate(-6), to: cityDate(0) });
  await waitFigure(page, 'total', s7.total);
  assert.equal(await page.locator('.dash-card-trend table.sr-only tbody tr').count(), 7);
  assert.equal(await page.getByLabel('开始日期').inputValue(), cityDate(-6));

  // A custom period far back: no cases, an empty state that says what to do.
  await page.getByLabel('开始日期').fill('2020-01-01');
  await page.getByLabel('结束日期').fill('2020-01-31');
  await page.getByLabel('结束日期').dispatchEvent('change');
  await waitFigure(page, 'total', 0);
  await page.locator('.dash-empty').filter({ hasText: '该时间段内没有案件' }).waitFor();
  assert.equal(await page.locator('.dash-charts').isHidden(), true);

  // Back to 30 days, then the region: 相山区.
  await page.getByLabel('时间段').selectOption('30');
  await waitFigure(page, 'total', s30.total);
  await page.locator('.region-picker select').first().selectOption(XIANGSHAN);
  const sx = await stats({ region: XIANGSHAN, from: cityDate(-29), to: cityDate(0) });
  await page.locator('.dash-scope').filter({ hasText: '相山区' }).waitFor();
  await waitFigure(page, 'total', sx.total);
  assert.equal(num(await figure(page, 'open')), sx.open);
  const towns = await page.locator('.dash-card-region table.sr-only tbody tr').count();
  assert.equal(towns, sx.by_region.length, 'the sub-regions are 相山区’s towns now');

  // Live: the grid worker reports a case in 相山区; the figure follows without a reload.
  await page.locator('.dash-live').filter({ hasText: '实时更新已开启' }).waitFor();
  const gw = await env.server.login('gw_001');
  const me = await env.server.get('/api/v1/session', { session: gw });
  const grid = me.json.user.region;
  const g = await env.server.get(`/api/v1/grids/${grid}`, { session: gw });
  const ring = g.json.boundary.type === 'Polygon' ? g.json.boundary.coordinates[0] : g.json.boundary.coordinates[0][0];
  const c = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
  const made = await env.server.post('/api/v1/cases', { session: gw, json: { kind: 'event', category: '06010', title: '看板实时更新测试', location: { lon: c[0], lat: c[1] } } });
  assert.equal(made.status, 201, made.text);
  await waitFigure(page, 'total', sx.total + 1);
  await waitFigure(page, 'open', sx.open + 1);
  await page.locator('.dash-live').filter({ hasText: '根据新动态更新' }).waitFor();
  await page.context().close();
  env.assertNoErrors('dashboard');
});

test('a grid worker: no dashboard; the map shows the own grid with empty lists that say so', async () => {
  const page = await env.page();
  await env.login(page, 'gw_001');
  await page.goto('/#/dashboard');
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await page.locator('.dash-figures').count(), 0);
  await page.goto('/#/map');
  await page.getByRole('heading', { level: 1, name: '网格地图' }).waitFor();
  await page.locator('path.map-grid').first().waitFor();
  assert.equal(await page.locator('path.map-grid').count(), 1, 'the grid worker’s own grid');
  await page.locator('.map-summary').filter({ hasText: '1 个网格' }).waitFor();
  assert.doesNotMatch(await page.locator('#view').innerText(), /undefined|NaN|null/);
  await page.context().close();
  env.assertNoErrors('grid worker');
});

test('map: grids on a plain background, clustered markers, popups that lead on, keyboard lists', async () => {
  const page = await env.page({ width: 1280, height: 900 });
  const tileRequests = [];
  page.on('request', (r) => { if (/\.(png|jpg)(\?|$)|tile|wmts/i.test(r.url()) && !r.url().startsWith(env.url)) tileRequests.push(r.url()); });
  await env.login(page, 'center');
  await page.goto('/#/map');
  await page.getByRole('heading', { level: 1, name: '网格地图' }).waitFor();
  await page.locator('path.map-grid').first().waitFor();
  const grids = await env.server.get(`/api/v1/grids?within=${CITY}`, { session: leaderApi });
  const withBoundary = grids.json.features.filter((f) => f.geometry).length;
  assert.equal(await page.locator('path.map-grid').count(), withBoundary, 'one polygon per grid');
  const counts = await env.server.get(`/api/v1/stats/grids?within=${CITY}`, { session: leaderApi });
  const overdueGrids = counts.json.items.filter((x) => x.overdue > 0).length;
  assert.equal(await page.locator('path.map-grid-overdue').count(), overdueGrids, 'grids with overdue cases are red');
  await page.locator('.marker-cluster').first().waitFor();
  assert.ok(await page.locator('.map-canvas.map-plain').count() === 1, 'a plain background');
  assert.equal(await page.locator('img.leaflet-tile').count(), 0, 'no tiles');
  await page.getByText('未配置底图').waitFor();
  assert.ok(await page.getByRole('region', { name: '网格与案件地图' }).isVisible());
  assert.doesNotMatch(await page.locator('#view').innerText(), /undefined|NaN|null/);
  await env.shot(page, 'map');

  // Keyboard: the grid list's first "show on the map" button opens that grid's popup.
  const firstRow = page.locator('.map-grid-table tbody tr').first();
  const code = await firstRow.getAttribute('data-grid');
  const button = firstRow.getByRole('button', { name: '在地图上查看' });
  await button.focus();
  await page.keyboard.press('Enter');
  const gridPopup = page.locator(`.leaflet-popup .map-popup[data-grid="${code}"]`);
  await gridPopup.waitFor();
  const row = counts.json.items.find((x) => x.grid === code);
  assert.match(await gridPopup.innerText(), new RegExp(`未办结：${row.open} 件`));
  assert.equal(await gridPopup.getByRole('link').getAttribute('href'), `#/cases?grid=${code}`);
  await page.keyboard.press('Tab'); // focus moves on through the lists
  await page.locator('.leaflet-popup-close-button').click();

  // Mouse: a click inside a grid polygon opens its popup (whichever grid is hit).
  const path = page.locator(`path.map-grid[data-grid="${code}"]`);
  const box = await path.boundingBox();
  let opened = null;
  for (const [fx, fy] of [[0.5, 0.5], [0.3, 0.3], [0.7, 0.7], [0.3, 0.7], [0.7, 0.3], [0.5, 0.2], [0.5, 0.8]]) {
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    const p = page.locator('.leaflet-popup .map-popup[data-grid]');
    if (await p.count()) { opened = p; break; }
  }
  assert.ok(opened, 'a click on the grid opens a grid popup');
  const hit = await opened.getAttribute('data-grid');
  assert.match(await opened.innerText(), /未办结：\d+ 件/);
  await opened.getByRole('link', { name: '查看该网格的案件' }).click();
  await page.waitForFunction((c) => location.hash === `#/cases?grid=${c}`, hit);

  // A marker: the case list beside the map zooms to it; a click on the marker opens it.
  await page.goto('/#/map');
  await page.locator('.map-case-table tbody tr').first().waitFor();
  const caseRow = page.locator('.map-case-table tbody tr').first();
  const id = await caseRow.getAttribute('data-case');
  await caseRow.getByRole('button', { name: '在地图上查看' }).click();
  const casePopup = page.locator(`.leaflet-popup .map-popup[data-case="${id}"]`);
  await casePopup.waitFor();
  await page.locator('.leaflet-popup-close-button').click();
  await casePopup.waitFor({ state: 'detached' });
  const marker = page.locator('.leaflet-marker-icon.map-case').filter({ visible: true });
  await marker.first().waitFor();
  await marker.first().click();
  const popup = page.locator('.leaflet-popup .map-popup[data-case]');
  await popup.waitFor();
  const shown = await popup.getAttribute('data-case');
  await popup.getByRole('link', { name: '查看案件详情' }).click();
  await page.waitForFunction((c) => location.hash === `#/cases/${c}`, shown);

  assert.deepEqual(tileRequests, [], 'no tile requests without a tile URL');
  await page.context().close();
  env.assertNoErrors('map');
});
