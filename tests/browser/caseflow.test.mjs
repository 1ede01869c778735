// caseflow.test.mjs - one case through the whole loop on screen: the grid worker reports
// it on the map (the device's location, then a click inside the grid) with a photo, the
// dispatch centre registers and dispatches it to the city's urban management bureau, the
// bureau accepts it and reports the result, the centre verifies it, and the reporter
// rates (a citizen: the API lets only a citizen reporter rate, so the grid worker has no
// rate button). After each step the status badge and the timeline. Also: bad values show
// the field's error (client-side and the server's), a stale page gets "changed by
// someone else", live refresh from the event stream, keyboard-only completion of an action
// form, a denied geolocation, and the screenshots case-new-map, case-action-dispatch,
// case-detail and case-detail-phone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';

import { REPO, startConsole } from './lib.mjs';

let env;
let gwApi;
let centerApi;
let grid; // GET /api/v1/grids/{gw_001's grid}
let inside; // {lon, lat} inside that grid
let caseId; // the case walked through the loop
let cgj; // the city's urban management bureau unit

/* L.status.*, L.action.*: the labels as the zh catalogue of the foundation gives them. */
const L = { status: {}, action: {} };
{
  const common = fs.readFileSync(path.join(REPO, 'web', 'js', 'i18n', 'common.js'), 'utf8');
  const zh = common.slice(0, common.indexOf(' en: {'));
  for (const m of zh.matchAll(/'(status|action)\.(\w+)':\s*'([^']*)'/g)) L[m[1]][m[2]] = m[3];
  assert.ok(L.status.closed && L.action.dispatch, 'labels read from common.js');
}

/* A small real PNG (an RGB gradient), built here: signature, IHDR, IDAT, IEND. */
function png(w = 32, h = 24) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 255) / w;
      raw[o + 1] = (y * 255) / h;
      raw[o + 2] = 160;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

before(async () => {
  env = await startConsole({ cases: 0 });
  gwApi = await env.server.login('gw_001');
  centerApi = await env.server.login('center');
  const code = gwApi.user.region;
  const g = await env.server.get(`/api/v1/grids/${code}`, { session: gwApi });
  assert.equal(g.status, 200, g.text);
  grid = g.json;
  const ring = (grid.boundary.type === 'MultiPolygon' ? grid.boundary.coordinates[0] : grid.boundary.coordinates)[0].slice(0, -1);
  inside = {
    lon: ring.reduce((a, p) => a + p[0], 0) / ring.length,
    lat: ring.reduce((a, p) => a + p[1], 0) / ring.length,
  };
  const loc = await env.server.get(`/api/v1/grids/locate?lon=${inside.lon}&lat=${inside.lat}`, { session: gwApi });
  assert.equal(loc.json.grid, code, 'the mean of the corners lies inside the grid');
  const deps = await env.server.get('/api/v1/departments?limit=200', { session: centerApi });
  cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
  assert.ok(cgj);
});

after(async () => {
  await env?.close();
});

/* Every text on these pages comes from a catalogue: a missing key warns "i18n: no text". */
const missingTexts = [];
async function newPage(opts) {
  const page = await env.page(opts);
  page.on('console', (m) => {
    if (m.type() === 'warning' && m.text().startsWith('i18n:')) missingTexts.push(m.text());
  });
  return page;
}

/* A screenshot once the announcements have gone (they would cover the page). */
async function shot(page, name, opts) {
  await page.waitForFunction(() => !document.querySelector('#toasts .toast'), null, { timeout: 12000 });
  await env.shot(page, name, opts);
}

async function openCase(page, id) {
  await page.goto(`${env.url}/#/cases/${id}`);
  await page.getByRole('heading', { level: 1, name: /案件 \d{13}/ }).waitFor();
}

/* The status badge at the top of the page shows `status` (zh label). */
async function expectStatus(page, label) {
  await page.locator('.cd-badges').getByText(label, { exact: true }).waitFor({ timeout: 10000 });
}

/* The newest timeline entry reads `label`. */
async function expectLastTimeline(page, label) {
  await page.waitForFunction((l) => {
    const items = document.querySelectorAll('.cd-timeline .cd-tl-action');
    return items.length && items[items.length - 1].textContent === l;
  }, label, { timeout: 10000 });
}

async function act(page, action, fill) {
  // The form may still be open (after a 412 the page keeps it with its values).
  if (!(await page.locator(`#cd-panel.cd-panel-${action}`).count())) {
    await page.getByRole('button', { name: L.action[action], exact: true }).first().click();
  }
  const panel = page.locator('#cd-panel');
  await panel.waitFor();
  if (fill) await fill(panel);
  await panel.getByRole('button', { name: L.action[action], exact: true }).click();
}

test('the grid worker reports a case on the map (GPS and a click) with a photo', async () => {
  const page = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await page.context().grantPermissions(['geolocation'], { origin: env.url });
  await page.context().setGeolocation({ longitude: inside.lon, latitude: inside.lat, accuracy: 12 });
  await env.login(page, 'gw_001');
  await page.goto(`${env.url}/#/cases/new`);
  await page.getByRole('heading', { level: 1, name: '上报案件' }).waitFor();
  await page.locator('.cn-map.leaflet-container').waitFor();
  await page.locator('.cn-map path.leaflet-interactive, .cn-map svg path').first().waitFor();

  // Nothing filled: the errors say what is missing.
  await page.getByRole('button', { name: '上报', exact: true }).click();
  await page.getByText('请先更正标出的内容。').waitFor();
  assert.equal(await page.getByLabel('标题').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('类别').getAttribute('aria-invalid'), 'true');

  // The device's location.
  await page.getByRole('button', { name: '使用我的位置' }).click();
  await page.getByText(`所在网格：${grid.name}`).waitFor();
  assert.equal(Number(await page.getByLabel('经度').inputValue()).toFixed(5), inside.lon.toFixed(5));
  assert.equal(Number(await page.getByLabel('纬度').inputValue()).toFixed(5), inside.lat.toFixed(5));

  // A click on the map inside the grid (the map shows the grid worker's one grid).
  await page.getByRole('button', { name: '清除位置' }).click();
  await page.getByText('还没有选择位置。').waitFor();
  const box = await page.locator('.cn-map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.getByText(`所在网格：${grid.name}`).waitFor();
  const lon = Number(await page.getByLabel('经度').inputValue());
  const lat = Number(await page.getByLabel('纬度').inputValue());
  const loc = await env.server.get(`/api/v1/grids/locate?lon=${lon}&lat=${lat}`, { session: gwApi });
  assert.equal(loc.json.grid, grid.code, 'the clicked point lies in the grid');

  await page.getByLabel('类型').selectOption('event');
  await page.getByLabel('类别').selectOption('06010');
  await page.getByLabel('标题').fill('人民路口暴露垃圾堆放');
  await page.getByLabel('详细描述').fill('路口东北角有生活垃圾堆放，约两立方米，影响通行。');
  await page.getByLabel('地址').fill('相山区人民路与淮海路交口东北角');
  // A bad phone number: the field says what it needs.
  await page.getByLabel('报告人电话').fill('12345');
  await page.getByRole('button', { name: '上报', exact: true }).click();
  await page.getByText('请填写可回拨的号码', { exact: false }).waitFor();
  await page.getByLabel('报告人电话').fill('');
  await page.getByLabel('选择照片').setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: png() });
  await page.locator('.cn-photo img').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'case-new-map');

  // A double click on submit makes one case (Idempotency-Key).
  const before = await env.server.get('/api/v1/cases?limit=200', { session: centerApi });
  await page.getByRole('button', { name: '上报', exact: true }).dblclick();
  await page.waitForURL(/#\/cases\/\d+$/);
  caseId = Number(/#\/cases\/(\d+)$/.exec(page.url())[1]);
  await expectStatus(page, L.status.reported);
  await page.locator('.cd-photo img').first().waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.cd-photo img')].every((i) => i.complete && i.naturalWidth > 0));
  const afterList = await env.server.get('/api/v1/cases?limit=200', { session: centerApi });
  assert.equal(afterList.json.items.length, before.json.items.length + 1, 'one case made');
  const tl = await page.locator('.cd-timeline .cd-tl-action').allTextContents();
  assert.deepEqual(tl, ['上报', '添加照片']);
  await page.getByText(grid.name).first().waitFor();
  await page.locator('.cd-map.leaflet-container').waitFor();
  await page.close();
});

test('a denied geolocation says what to do', async () => {
  const page = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await env.login(page, 'gw_001');
  await page.goto(`${env.url}/#/cases/new`);
  await page.getByRole('button', { name: '使用我的位置' }).click();
  await page.locator('.cn-gps-status').getByText('您拒绝了位置权限', { exact: false }).waitFor();
  await page.close();
});

test('the dispatcher registers and dispatches it; the department accepts and reports; the dispatcher verifies', async () => {
  assert.ok(caseId, 'the case of the first test');
  const center = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await env.login(center, 'center');
  await openCase(center, caseId);
  await expectStatus(center, L.status.reported);

  await act(center, 'register');
  await expectStatus(center, L.status.registered);
  await expectLastTimeline(center, L.action.register);

  // Dispatch: no department chosen shows the field's error, then the bureau. The list of
  // departments answers late, as on a busy server: the case's routed department, which
  // it preselects, must not undo the choice made by hand before it came.
  await center.route('**/api/v1/departments?*', async (route) => {
    await new Promise((r) => setTimeout(r, 1000));
    await route.continue();
  });
  await center.getByRole('button', { name: L.action.dispatch, exact: true }).click();
  const panel = center.locator('#cd-panel');
  await panel.getByLabel('派遣给部门').selectOption('');
  await panel.getByRole('option', { name: cgj.name, exact: true }).waitFor({ state: 'attached' });
  await center.unroute('**/api/v1/departments?*');
  await panel.getByRole('button', { name: L.action.dispatch, exact: true }).click();
  await panel.getByText('请选择一项。').waitFor();
  assert.equal(await panel.getByLabel('派遣给部门').getAttribute('aria-invalid'), 'true');
  await panel.getByLabel('派遣给部门').selectOption({ label: cgj.name });
  await panel.getByLabel('备注').fill('请尽快清运');
  await shot(center, 'case-action-dispatch');
  await panel.getByRole('button', { name: L.action.dispatch, exact: true }).click();
  await expectStatus(center, L.status.dispatched);
  await expectLastTimeline(center, L.action.dispatch);
  await center.locator('.cd-fact-department').getByText(cgj.name).waitFor();
  await center.locator('.cd-tl-note').getByText('请尽快清运').waitFor();

  const dept = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await env.login(dept, 'cg_dept');
  await openCase(dept, caseId);
  await act(dept, 'accept');
  await expectStatus(dept, L.status.in_progress);
  await expectLastTimeline(dept, L.action.accept);
  // The dispatcher's page follows by the event stream, without a reload.
  await expectStatus(center, L.status.in_progress);

  // An extension of 0 or 20 days: out of range (an event extends by 1-15 days at a time).
  await dept.getByRole('button', { name: L.action.request_extension, exact: true }).click();
  const ext = dept.locator('#cd-panel');
  await ext.getByLabel('延期天数').fill('0');
  await ext.getByLabel('理由').fill('需协调环卫车辆');
  await ext.getByRole('button', { name: L.action.request_extension, exact: true }).click();
  await ext.getByText('请填写 1 到 15 之间的整数。').waitFor();
  await ext.getByLabel('延期天数').fill('20');
  await ext.getByRole('button', { name: L.action.request_extension, exact: true }).click();
  await ext.getByText('请填写 1 到 15 之间的整数。').waitFor();
  assert.equal(await ext.getByLabel('延期天数').getAttribute('aria-invalid'), 'true');
  await dept.keyboard.press('Escape');
  await ext.waitFor({ state: 'detached' });
  await expectStatus(dept, L.status.in_progress);

  // A photo of the work, added on the case page.
  await dept.getByLabel('添加照片').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: png(40, 30) });
  await dept.waitForFunction(() => document.querySelectorAll('.cd-photo img').length === 2);
  await expectLastTimeline(dept, '添加照片');

  // Report the result: empty first (required), then the text.
  await dept.getByRole('button', { name: L.action.report_result, exact: true }).click();
  const rr = dept.locator('#cd-panel');
  await rr.getByRole('button', { name: L.action.report_result, exact: true }).click();
  await rr.getByText('请填写此项。').waitFor();
  await rr.getByLabel('处置结果').fill('已清运垃圾约两立方米，现场已冲洗。');
  await rr.getByRole('button', { name: L.action.report_result, exact: true }).click();
  await expectStatus(dept, L.status.resolved);
  await expectLastTimeline(dept, L.action.report_result);

  await expectStatus(center, L.status.resolved);
  await act(center, 'verify', async (p) => {
    await p.getByLabel('已解决，结案').check();
  });
  await expectStatus(center, L.status.closed);
  await expectLastTimeline(center, L.action.verify);
  const tl = await center.locator('.cd-timeline .cd-tl-action').allTextContents();
  assert.deepEqual(tl, ['上报', '添加照片', L.action.register, L.action.dispatch, L.action.accept, '添加照片', L.action.report_result, L.action.verify]);
  await shot(center, 'case-detail', { fullPage: true });
  await center.close();
  await dept.close();
});

test('only a citizen reporter rates: none for the grid worker; the citizen rates with the five levels', async () => {
  // The grid worker reported this case but is not a citizen: no rate button.
  const gw = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await env.login(gw, 'gw_001');
  await openCase(gw, caseId);
  await expectStatus(gw, L.status.closed);
  assert.equal(await gw.getByRole('button', { name: L.action.rate, exact: true }).count(), 0);
  await gw.close();
});

/* Takes `action` through the API as `session`, with the case's current ETag. */
async function apiAct(session, id, action, json = {}) {
  const v = await env.server.get(`/api/v1/cases/${id}`, { session });
  const r = await env.server.post(`/api/v1/cases/${id}/actions/${action}`, { session, json, headers: { 'If-Match': v.headers.etag } });
  assert.equal(r.status, 200, `${action}: ${r.text}`);
  return r.json;
}

test('the citizen rates the case they reported: the five levels, a choice required', async () => {
  const citizenApi = await env.server.login('citizen');
  const deptApi = await env.server.login('cg_dept');
  const r = await env.server.post('/api/v1/cases', { session: citizenApi, json: { kind: 'event', category: '06010', title: '小区门口垃圾满溢', location: inside } });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  await apiAct(centerApi, id, 'register');
  await apiAct(centerApi, id, 'dispatch', { department: cgj.id });
  await apiAct(deptApi, id, 'accept');
  await apiAct(deptApi, id, 'report_result', { result: '已清运' });
  await apiAct(centerApi, id, 'verify', { fixed: true });

  const page = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await env.login(page, 'citizen');
  await openCase(page, id);
  await expectStatus(page, L.status.closed);
  await page.getByRole('button', { name: L.action.rate, exact: true }).click();
  const panel = page.locator('#cd-panel');
  const levels = await panel.locator('.cd-radios-level label').allTextContents();
  assert.deepEqual(levels, ['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
  await panel.getByRole('button', { name: L.action.rate, exact: true }).click();
  await panel.getByText('请选择一项。').waitFor();
  await panel.getByLabel('非常满意').check();
  await panel.getByLabel('评价意见').fill('处理及时，谢谢！');
  await panel.getByRole('button', { name: L.action.rate, exact: true }).click();
  await expectLastTimeline(page, L.action.rate);
  await page.locator('.cd-fact-rating').getByText('5 · 非常满意').waitFor();
  assert.equal(await page.getByRole('button', { name: L.action.rate, exact: true }).count(), 0, 'rated once');
  await page.close();
});

test('a stale page says someone else changed the case, and reloads it', async () => {
  const r = await env.server.post('/api/v1/cases', { session: centerApi, json: { kind: 'event', category: '06010', title: '占道堆放建筑材料', location: inside, reporter: { name: '张三丰', phone: '13812345678' } } });
  assert.equal(r.status, 201, r.text);
  const page = await newPage({ lang: 'zh', width: 1280, height: 800 });
  // No event stream on this page, so that it goes stale.
  await page.route('**/api/v1/events**', (route) => route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 600000\n\n' }));
  await env.login(page, 'center');
  await openCase(page, r.json.id);
  await expectStatus(page, L.status.reported);
  // The reporter masked; the dispatcher may show it in full (audited).
  await page.locator('.cd-reporter').getByText('张** · 138****5678').waitFor();
  await page.getByRole('button', { name: '查看完整信息' }).click();
  await page.locator('.cd-reporter').getByText('张三丰 · 13812345678').waitFor();
  await apiAct(centerApi, r.json.id, 'register');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: /案件 \d{13}/ }).waitFor();
  await expectStatus(page, L.status.registered);
  // Open the dispatch form; meanwhile a leader supervises the case.
  await page.getByRole('button', { name: L.action.dispatch, exact: true }).click();
  const panel = page.locator('#cd-panel');
  await panel.getByLabel('派遣给部门').selectOption({ label: cgj.name });
  await apiAct(await env.server.login('leader'), r.json.id, 'supervise');
  await panel.getByRole('button', { name: L.action.dispatch, exact: true }).click();
  await page.getByRole('alert').filter({ hasText: '案件刚被其他人修改' }).first().waitFor();
  await expectLastTimeline(page, L.action.supervise);
  await expectStatus(page, L.status.registered);
  await page.locator('.cd-badges').getByText('督办').waitFor();
  // Reloaded, the form kept with its choice: sending again works.
  assert.equal(await panel.getByLabel('派遣给部门').inputValue(), String(cgj.id));
  await panel.getByRole('button', { name: L.action.dispatch, exact: true }).click();
  await expectStatus(page, L.status.dispatched);
  await page.close();
});

test('an action form completed with the keyboard only', async () => {
  const r = await env.server.post('/api/v1/cases', { session: centerApi, json: { kind: 'event', category: '06010', title: '井盖缺失', location: inside } });
  assert.equal(r.status, 201, r.text);
  const page = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await env.login(page, 'center');
  await openCase(page, r.json.id);
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement && document.activeElement.dataset && document.activeElement.dataset.action === 'register');
  }
  assert.ok(found, 'the register button is reachable with Tab');
  // Escape closes the form and gives the focus back to its button.
  await page.keyboard.press('Enter');
  await page.locator('#cd-panel').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#cd-panel').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'register');
  await page.keyboard.press('Enter');
  await page.locator('#cd-panel').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'note');
  await page.keyboard.type('电话核实属实');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'submit');
  await page.keyboard.press('Enter');
  await expectStatus(page, L.status.registered);
  await page.locator('.cd-tl-note').getByText('电话核实属实').waitFor();
  await page.close();
});

test('the detail page on a phone', async () => {
  const page = await newPage({ lang: 'zh', width: 390, height: 844 });
  await env.login(page, 'center');
  await openCase(page, caseId);
  await page.locator('.cd-photo img').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, 'no sideways scrolling at 390 px');
  await shot(page, 'case-detail-phone');
  // The new-case page fits a 360 px phone as well.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${env.url}/#/cases/new`);
  await page.getByRole('heading', { level: 1, name: '上报案件' }).waitFor();
  await page.locator('.cn-map.leaflet-container').waitFor();
  const overflowNew = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  if (overflowNew) console.log(await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 12).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).join('\n')));
  assert.equal(overflowNew, false, 'no sideways scrolling at 360 px');
  await page.close();
});

test('in English, both pages speak English; no text anywhere lacked its catalogue entry', async (t) => {
  const page = await newPage({ lang: 'en', width: 1280, height: 800 });
  await env.login(page, 'center');
  await page.goto(`${env.url}/#/cases/${caseId}`);
  await page.getByRole('heading', { level: 1, name: /^Case \d{13}$/ }).waitFor();
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  await page.locator('.cd-badges').getByText(/^Closed$/).waitFor();
  const t0 = Date.now();
  await page.goto(`${env.url}/#/cases/new`);
  await page.getByRole('heading', { level: 1, name: 'Report a case' }).waitFor();
  // The city dispatcher types the coordinates: the grid is found and its town's grids
  // are drawn (the whole city's would be megabytes).
  await page.locator('.cn-map.leaflet-container').waitFor();
  t.diagnostic(`the new-case map ready after ${Date.now() - t0} ms`);
  await page.getByLabel('Longitude').fill(String(inside.lon));
  await page.getByLabel('Latitude').fill(String(inside.lat));
  await page.getByLabel('Latitude').press('Tab');
  await page.getByText(`Grid: ${grid.name}`).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.cn-map .leaflet-overlay-pane path')].some((p) => p.getAttribute('d') !== 'M0 0'));
  t.diagnostic(`the town's grids drawn after ${Date.now() - t0} ms`);
  await page.getByRole('button', { name: 'Use my location' }).waitFor();
  const body = await page.locator('#view').innerText();
  assert.ok(!/undefined|null|NaN|casenew\.|casedetail\./.test(body), body);
  await page.close();
  assert.deepEqual(missingTexts, []);
});

test('merge a duplicate into another case by its number; an unknown number is refused at the field', async () => {
  const a = await env.server.post('/api/v1/cases', { session: centerApi, json: { kind: 'event', category: '06010', title: '垃圾桶满溢', location: inside } });
  const b = await env.server.post('/api/v1/cases', { session: centerApi, json: { kind: 'event', category: '06010', title: '垃圾桶满溢（重复）', location: inside } });
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  const page = await newPage({ lang: 'zh', width: 1280, height: 800 });
  await env.login(page, 'center');
  await openCase(page, b.json.id);
  await page.getByRole('button', { name: L.action.merge, exact: true }).click();
  const panel = page.locator('#cd-panel');
  await panel.getByLabel('合并到的案件').fill('2099010199999');
  await panel.getByRole('button', { name: L.action.merge, exact: true }).click();
  await panel.getByText('找不到编号为 2099010199999 的案件', { exact: false }).waitFor();
  // An id that does not exist: the server's error, at the field it names.
  await panel.getByLabel('合并到的案件').fill('999999999');
  await panel.getByRole('button', { name: L.action.merge, exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#cd-panel input[name=into]').getAttribute('aria-invalid') === 'true');
  const intoError = await panel.locator('.field-error:not([hidden])').first().textContent();
  assert.equal(intoError, '案件不存在', 'the server\'s message (CASE_NOT_FOUND, field into) at the field');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'into', 'the field with the error has the focus');
  await panel.getByLabel('合并到的案件').fill(a.json.number);
  await panel.getByRole('button', { name: L.action.merge, exact: true }).click();
  await expectStatus(page, L.status.merged);
  await page.getByRole('link', { name: '查看合并后的案件' }).click();
  await page.getByRole('heading', { level: 1, name: `案件 ${a.json.number}` }).waitFor();
  await page.close();
});
