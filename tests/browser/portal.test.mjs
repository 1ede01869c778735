// portal.test.mjs - the citizens' portal (/m/) on a phone-sized screen: a citizen
// reports a problem with the phone's GPS position and a photo, gets the tracking code,
// follows the report; the city's staff handle it through the API until it is closed;
// the citizen rates it on screen; the language switch to English and back; the
// messages for a form sent without a category or a location; the saved codes; no
// console error anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startConsole, tempFile } from './lib.mjs';

let env;
let point; // [lon, lat] inside gw_001's grid
let photoPath;
const PHONE = { width: 390, height: 844, mobile: true };

/* A real 64x48 PNG (a red and blue picture), so the browser can decode and redraw it. */
function png(w = 64, hgt = 48) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(hgt, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < hgt; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      row[1 + x * 3] = x < w / 2 ? 200 : 30;
      row[2 + x * 3] = 60;
      row[3 + x * 3] = x < w / 2 ? 40 : 190;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function gridPoint(server) {
  const gw = await server.session('gw_001');
  return server.pointInGrid(gw.user.region);
}

const cases = () => Number(env.db.exec('SELECT count(*) FROM cases').stdout.trim());

/* The staff handle the case of `number` through the API until it is closed. */
async function staffClose(number) {
  const s = env.server;
  const center = await s.session('center');
  const dept = await s.session('cg_dept');
  const admin = await s.session('admin');
  const cgj = (await s.get('/api/v1/departments?limit=200', { session: admin })).json.items.find((d) => d.code === 'cgj-340600000000');
  const find = async (session) => {
    const l = await s.get(`/api/v1/cases?q=${number}`, { session });
    const id = l.json.items.find((c) => c.number === number).id;
    const r = await s.get(`/api/v1/cases/${id}`, { session });
    return { id, etag: r.headers.etag };
  };
  const act = async (session, action, json = {}) => {
    const c = await find(session);
    const r = await s.post(`/api/v1/cases/${c.id}/actions/${action}`, { session, json, headers: { 'If-Match': c.etag } });
    assert.equal(r.status, 200, `${action}: ${r.text}`);
    return r.json;
  };
  await act(center, 'register');
  await act(center, 'dispatch', { department: cgj.id });
  await act(dept, 'accept');
  await act(dept, 'report_result', { result: '已清运完毕，路面已冲洗' });
  const closed = await act(center, 'verify', { fixed: true });
  assert.equal(closed.status, 'closed');
}

before(async () => {
  env = await startConsole({ cases: 0 });
  point = await gridPoint(env.server);
  photoPath = tempFile('problem.png', png());
});

after(async () => {
  if (env) await env.close();
});

test('the portal page is public and keeps the CSP rules', async () => {
  const r = await env.server.get('/m/');
  assert.equal(r.status, 200);
  assert.doesNotMatch(r.headers['content-security-policy'], /unsafe-inline|unsafe-eval/);
  assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(r.text, /\son\w+=|style=/, 'no inline handlers or styles');
});

test('report with GPS and a photo at phone size, follow it, staff close it, rate it on screen', async () => {
  const page = await env.page({ ...PHONE, geolocation: { latitude: point[1], longitude: point[0], accuracy: 12 } });
  await page.context().grantPermissions(['geolocation', 'clipboard-read', 'clipboard-write'], { origin: env.url });
  await page.goto('/m/');
  await page.getByRole('heading', { name: '反映问题' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');

  // Sent empty: every missing piece says what to do, and nothing is made.
  const before = cases();
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.getByRole('alert').filter({ hasText: '请按提示修改后再提交。' }).waitFor();
  assert.equal(await page.getByLabel('问题类型').getAttribute('aria-invalid'), 'true');
  await page.getByText('请选择问题类型', { exact: true }).last().waitFor();
  await page.getByText('请使用定位或在地图上点选问题位置。').waitFor();
  await page.getByText('请用至少 5 个字说明问题。').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.name), 'category', 'focus goes to the first problem');

  // A category and a description, but still no location.
  await page.getByLabel('问题类型').selectOption('06010');
  await page.getByLabel('问题描述').fill('菜市场东门外垃圾堆了三天没人清运，气味很大。');
  await page.getByRole('button', { name: '提交反映' }).click();
  await page.getByText('请使用定位或在地图上点选问题位置。').waitFor();
  assert.equal(await page.getByText('请选择问题类型', { exact: true }).count(), 1, 'the category error is gone (only the option remains)');
  assert.equal(cases(), before, 'nothing was sent');

  // The photo: previewed from a blob: URL.
  await page.getByLabel('拍照或选择照片').setInputFiles(photoPath);
  const preview = page.getByRole('img', { name: '照片 1 预览' });
  await preview.waitFor();
  assert.match(await preview.getAttribute('src'), /^blob:/);
  assert.equal(await page.locator('input[type=file]').first().getAttribute('capture'), 'environment');
  assert.equal(await page.locator('input[type=file]').first().getAttribute('accept'), 'image/*');

  // GPS.
  await page.getByRole('button', { name: '使用我的位置' }).click();
  await page.getByText(/已选择位置：北纬 /).waitFor();
  await page.getByLabel('详细地址（选填）').fill('相山区菜市场东门');
  await page.getByLabel('姓名').fill('王小明');
  await page.getByLabel('手机或固定电话').fill('13800001111');
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  await env.shot(page, 'portal-report', { fullPage: true });

  await page.getByRole('button', { name: '提交反映' }).click();
  await page.getByRole('heading', { name: '提交成功' }).waitFor();
  const code = (await page.locator('output.tracking-code').textContent()).trim();
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.equal(cases(), before + 1);
  const number = (await page.getByText(/您的反映已收到，编号 \d{13}/).textContent()).match(/\d{13}/)[0];
  await page.getByText('请保存好查询码').waitFor();
  await page.getByRole('button', { name: '复制查询码' }).click();
  await page.getByText('查询码已复制。').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
  const pub = await env.server.get(`/api/v1/public/reports/${code}`);
  assert.equal(pub.json.photos, 1, 'the photo went up after the report');

  // Follow.
  await page.getByRole('link', { name: '查看进度' }).click();
  await page.getByRole('heading', { name: '反映进度' }).waitFor();
  await page.getByText(number).first().waitFor();
  await page.locator('.summary').getByText('已收到').waitFor();
  await page.getByText('收到您的反映').waitFor();
  await page.getByText('您补充了照片').waitFor();
  assert.equal(await page.getByRole('button', { name: '提交评价' }).count(), 0, 'no rating before it is closed');

  // The staff handle it; the citizen refreshes.
  await staffClose(number);
  await page.getByRole('button', { name: '刷新' }).click();
  await page.locator('.summary').getByText('已办结').waitFor();
  await page.getByText('处理结果：已清运完毕，路面已冲洗').waitFor();
  const text = await page.locator('main').textContent();
  for (const s of ['王小明', '13800001111', 'center', 'cg_dept', '@portal']) assert.ok(!text.includes(s), `the page shows ${s}`);

  // Rate: first without a level, then 满意 with a comment.
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.getByText('请选择满意程度。').waitFor();
  await page.getByLabel('满意', { exact: true }).check();
  await page.getByLabel('意见或建议（选填）').fill('清运及时，谢谢。');
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.getByText('您的评价：满意').waitFor();
  await page.getByText('您进行了评价').waitFor();
  assert.equal(await page.getByRole('button', { name: '提交评价' }).count(), 0, 'rated once');
  await page.waitForFunction(() => !document.querySelector('.toast'), null, { timeout: 20000 });
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  await env.shot(page, 'portal-tracking', { fullPage: true });

  // English and back.
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'Report progress' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByText('Your rating: Satisfied').waitFor();
  await page.locator('.summary').getByText('Closed').waitFor();
  // The report tab still shows the code just sent, in English now, until another is begun.
  await page.getByRole('link', { name: 'Report a problem' }).click();
  await page.getByRole('heading', { name: 'Report sent' }).waitFor();
  assert.equal((await page.locator('output.tracking-code').textContent()).trim(), code);
  await page.getByRole('button', { name: 'Report another problem' }).click();
  await page.getByRole('heading', { name: 'Report a problem' }).waitFor();
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.getByText('Use your location or tap the map to show where the problem is.').waitFor();
  await page.getByRole('button', { name: '切换到中文' }).click();
  await page.getByRole('heading', { name: '反映问题' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');

  // The device remembers the code; a wrong one is not found.
  await page.getByRole('link', { name: '查询进度' }).click();
  await page.getByRole('heading', { name: '查询进度' }).waitFor();
  await page.getByRole('link', { name: new RegExp(`编号 ${number}`) }).waitFor();
  await page.getByRole('textbox', { name: '查询码' }).fill('abcd efgh jkmn');
  await page.getByRole('textbox', { name: '查询码' }).press('Enter');
  await page.getByText('没有找到这个查询码对应的反映。请检查是否输入正确。').waitFor();
  await page.getByRole('link', { name: '返回查询' }).click();
  await page.getByRole('textbox', { name: '查询码' }).fill('123');
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.getByText('查询码应为 12 位字母和数字，请检查后再试。').waitFor();
  await page.getByRole('button', { name: `从本设备移除查询码 ${code}` }).click();
  await page.getByText('本设备还没有保存的反映。').waitFor();
  assert.equal(cases(), before + 1, 'nothing else was made');
  await page.context().close();
  env.assertNoErrors('the portal');
});

test('keyboard only: the report form is reachable and the map takes Enter', async () => {
  const page = await env.page({ ...PHONE });
  await page.goto('/m/');
  await page.getByRole('heading', { name: '反映问题' }).waitFor();
  await page.getByLabel('问题类型').locator('option[value="06010"]').waitFor({ state: 'attached' });
  // Tab from the top reaches the category picker, then the description.
  await page.locator('body').press('Tab');
  const seen = [];
  for (let i = 0; i < 12; i++) {
    seen.push(await page.evaluate(() => document.activeElement.getAttribute('name') || document.activeElement.textContent.trim().slice(0, 12)));
    if (seen.at(-1) === 'description') break;
    await page.keyboard.press('Tab');
  }
  assert.ok(seen.includes('category') && seen.at(-1) === 'description', `tab order: ${seen.join(' | ')}`);
  // The map: Enter chooses its centre.
  const map = page.getByRole('application', { name: '地图：点按选择问题位置' });
  await map.focus();
  await page.keyboard.press('Enter');
  await page.getByText(/已选择位置：北纬 33\.9/).waitFor();
  await page.context().close();
  env.assertNoErrors('keyboard');
});
