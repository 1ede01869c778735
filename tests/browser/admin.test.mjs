// admin.test.mjs - the administration screens in a real browser: accounts (create, sign
// in as the new user, lock/unlock), the GeoJSON import of grids with a refused feature
// listed by index, a category's deadline, a holiday, the escalation policy with a bad
// value shown at its field, and what other roles see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, startConsole, tempFile } from './lib.mjs';

let env;
let adminApi; // the e2e Server's session of the sysadmin
before(async () => {
  env = await startConsole({ cases: 0 });
  adminApi = await env.server.login('admin');
});
after(async () => {
  if (env) await env.close();
});

/* Announcements of earlier steps out of the screenshots. */
const clearToasts = (page) => page.evaluate(() => document.getElementById('toasts')?.replaceChildren());

const NEW_USER = 'zhang_wei';
const NEW_PASS = 'Strong-Pass-2026';

test('secadmin: create a user (a weak password is refused at its field), sign in as them, lock and unlock', async () => {
  const page = await env.page();
  await env.login(page, 'secadmin');
  const nav = await page.locator('#nav a').allTextContents();
  assert.ok(nav.some((t) => t.startsWith('用户')), `secadmin has the users page: ${nav}`);
  await page.goto('/#/admin/users');
  await page.getByRole('heading', { name: '用户管理' }).waitFor();
  await page.locator('table.admin-users-table').waitFor();
  // Filter by role.
  await page.getByLabel('角色', { exact: true }).selectOption('grid_worker');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('.admin-users-table tbody tr')].every((tr) => tr.textContent.includes('网格员')));

  await page.getByRole('button', { name: '新建用户' }).first().click();
  const dlg = page.getByRole('dialog', { name: '新建用户' });
  await dlg.getByLabel('用户名').fill(NEW_USER);
  await dlg.getByLabel('姓名').fill('张伟');
  await dlg.getByRole('checkbox', { name: '调度员' }).check();
  await dlg.locator('select[aria-label="所属区域"]').selectOption('340600000000');
  await dlg.getByLabel('初始密码').fill('short');
  await dlg.getByRole('button', { name: '新建' }).click();
  const pwErr = dlg.locator('.field-error:not([hidden])').filter({ hasText: '密码不符合要求' });
  await pwErr.waitFor();
  assert.equal(await dlg.getByLabel('初始密码').getAttribute('aria-invalid'), 'true');
  await dlg.getByLabel('初始密码').fill(NEW_PASS);
  await dlg.getByRole('button', { name: '新建' }).click();
  await page.getByRole('status').filter({ hasText: `已创建用户 ${NEW_USER}` }).waitFor();
  await dlg.waitFor({ state: 'detached' });
  // The new user in the list (search for them).
  await page.getByLabel('角色', { exact: true }).selectOption('');
  await page.getByLabel('用户名或姓名').fill('zhang');
  await page.getByRole('button', { name: '搜索' }).click();
  const row = page.locator('.admin-users-table tbody tr').filter({ hasText: NEW_USER });
  await row.waitFor();
  assert.match(await row.textContent(), /张伟.*调度员/);
  await page.getByLabel('用户名或姓名').fill('');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.locator('.admin-users-table tbody tr').nth(3).waitFor();
  await clearToasts(page);
  await env.shot(page, 'admin-users');

  // Sign in as the new user elsewhere.
  const other = await env.page();
  await env.login(other, NEW_USER, NEW_PASS);
  assert.match(await other.locator('#who').textContent(), /张伟/);
  await other.context().close();

  // Lock: the user cannot sign in; unlock: they can.
  await page.getByLabel('用户名或姓名').fill(NEW_USER);
  await page.getByRole('button', { name: '搜索' }).click();
  await page.getByRole('button', { name: `锁定 ${NEW_USER}` }).click();
  await page.getByRole('status').filter({ hasText: `已锁定用户 ${NEW_USER}` }).waitFor();
  await page.locator('.admin-users-table tbody tr').filter({ hasText: NEW_USER }).filter({ hasText: '已锁定' }).waitFor();
  const locked = await env.page();
  await locked.goto('/');
  await locked.locator('input[name=username]').fill(NEW_USER);
  await locked.locator('input[name=password]').fill(NEW_PASS);
  await locked.locator('form.login-form button[type=submit]').click();
  await locked.locator('.login-message.is-error').waitFor();
  assert.match(await locked.locator('.login-message').textContent(), /停用|禁用|锁定|管理员/);
  await page.getByRole('button', { name: `解锁 ${NEW_USER}` }).click();
  await page.getByRole('status').filter({ hasText: `已解锁用户 ${NEW_USER}` }).waitFor();
  await env.login(locked, NEW_USER, NEW_PASS);
  await locked.context().close();

  // Reset the password.
  await page.getByRole('button', { name: `重置密码 ${NEW_USER}` }).click();
  const rd = page.getByRole('dialog');
  await rd.getByLabel('新密码').fill('Another-Pass-2027');
  await rd.getByRole('button', { name: '重置密码' }).click();
  await page.getByRole('status').filter({ hasText: `已重置 ${NEW_USER} 的密码` }).waitFor();
  await page.context().close();
});

test('sysadmin: import grids — a file with a bad feature lists it by index and imports nothing, then a good file', async () => {
  const gw = await env.server.login('gw_001');
  const village = gw.user.region.slice(0, 12);
  const fc = (await env.server.get(`/api/v1/grids?within=${village}`, { session: adminApi })).json;
  assert.ok(fc.features.length >= 1);
  const before = fc.features[0].properties.households;
  const good = { type: 'FeatureCollection', features: fc.features.map((f) => ({ type: 'Feature', properties: { code: f.properties.code, name: f.properties.name, type: f.properties.type, households: f.properties.households + 3, population: f.properties.population }, geometry: f.geometry })) };
  const bad = { type: 'FeatureCollection', features: [...good.features, { type: 'Feature', properties: { code: '1234', name: '坏网格' }, geometry: fc.features[0].geometry }] };
  const badIndex = bad.features.length - 1;

  const page = await env.page();
  await env.login(page, 'admin');
  await page.goto('/#/admin/regions');
  await page.getByRole('heading', { name: '区域与网格' }).waitFor();
  await page.getByLabel('GeoJSON 文件').setInputFiles(tempFile('bad.geojson', JSON.stringify(bad)));
  await page.getByRole('button', { name: '上传', exact: true }).click();
  const problems = page.locator('table.admin-problems');
  await problems.waitFor();
  const rows = problems.locator('tbody tr');
  assert.equal(await rows.count(), 1);
  const cells = await rows.first().locator('th, td').allTextContents();
  assert.equal(cells[0], String(badIndex));
  assert.equal(cells[1], '1234');
  assert.match(cells[3], /15 位网格代码/);
  await page.getByRole('alert').filter({ hasText: '未导入任何网格' }).waitFor();
  await problems.scrollIntoViewIfNeeded();
  await clearToasts(page);
  await env.shot(page, 'admin-grid-import-errors');
  assert.equal((await env.server.get(`/api/v1/grids/${fc.features[0].id}`, { session: adminApi })).json.households, before, 'nothing imported');

  await page.getByLabel('GeoJSON 文件').setInputFiles(tempFile('good.geojson', JSON.stringify(good)));
  await page.getByRole('button', { name: '上传', exact: true }).click();
  await page.locator('.admin-ok').filter({ hasText: `导入完成：新建 0 个网格，更新 ${good.features.length} 个网格` }).waitFor();
  assert.equal(await problems.count(), 0, 'the old problems are gone');
  assert.equal((await env.server.get(`/api/v1/grids/${fc.features[0].id}`, { session: adminApi })).json.households, before + 3);

  // Browse the tree down to the village's grids and a grid's workers.
  await page.getByRole('button', { name: '展开 相山区' }).click();
  await page.getByRole('button', { name: '展开 相南街道' }).click();
  const vName = (await env.server.get(`/api/v1/regions/${village}`, { session: adminApi })).json.name;
  await page.locator('.admin-tree-label', { hasText: vName }).first().click();
  await page.locator('.admin-region-detail table').waitFor();
  // Rename the village, and create a sub-region (a grid) under it.
  const rename = page.getByRole('form', { name: '重命名' });
  await rename.getByLabel('新名称').fill(`${vName}（改）`);
  await rename.getByRole('button', { name: '重命名' }).click();
  await page.getByRole('status').filter({ hasText: `已重命名为 ${vName}（改）` }).waitFor();
  assert.equal((await env.server.get(`/api/v1/regions/${village}`, { session: adminApi })).json.name, `${vName}（改）`);
  const child = page.getByRole('form', { name: '新建下级区域' });
  await child.getByLabel('下级区划代码').fill(`${village}950`);
  await child.getByLabel('名称').fill('新建测试网格');
  await child.getByRole('button', { name: '新建' }).click();
  await page.getByRole('status').filter({ hasText: '已创建 新建测试网格' }).waitFor();
  await page.locator('.admin-tree-label', { hasText: '新建测试网格' }).waitFor();
  assert.equal((await env.server.get(`/api/v1/regions/${village}950`, { session: adminApi })).json.level, 'grid');

  // A grid's workers: add a part-timer (a grid worker of that grid), remove them.
  const grid = fc.features[0];
  const sec = await env.server.login('secadmin');
  const made = await env.server.post('/api/v1/users', { session: sec, json: { username: 'gw_part', name: '兼职网格员', region: grid.id, roles: ['grid_worker'], password: 'Part-Time-2026' } });
  assert.equal(made.status, 201, made.text);
  await page.getByRole('button', { name: `管理网格员 ${grid.properties.name}` }).click();
  await page.getByRole('heading', { name: `${grid.properties.name} 的网格员` }).waitFor();
  const add = page.getByRole('form', { name: '添加网格员' });
  await add.getByLabel('网格员', { exact: true }).selectOption({ label: '兼职网格员（gw_part）' });
  await add.getByLabel('岗位').selectOption('part_time');
  await add.getByRole('button', { name: '添加网格员' }).click();
  await page.getByRole('status').filter({ hasText: '已添加 兼职网格员（gw_part）' }).waitFor();
  await page.getByRole('button', { name: '移除 兼职网格员' }).click();
  await page.getByRole('status').filter({ hasText: '已移除 兼职网格员' }).waitFor();
  const g = (await env.server.get(`/api/v1/grids/${grid.id}`, { session: adminApi })).json;
  assert.ok(!g.workers.some((w) => w.username === 'gw_part'), 'removed');
  await page.context().close();
});

test('sysadmin: change a category deadline; add a holiday; the policy refuses a bad value at its field, then saves', async () => {
  const page = await env.page();
  await env.login(page, 'admin');

  await page.goto('/#/admin/categories');
  await page.getByRole('heading', { name: '案件类别与处置时限' }).waitFor();
  await page.getByLabel('查找类别').fill('06010');
  await page.getByRole('button', { name: '编辑 06010 暴露垃圾' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByLabel('时限数值').fill('3');
  await dlg.getByLabel('时限单位').selectOption('working_days');
  await dlg.getByRole('button', { name: '保存' }).click();
  await page.getByRole('status').filter({ hasText: '已保存类别 06010' }).waitFor();
  await page.locator('.admin-categories-table tbody tr').filter({ hasText: '06010' }).filter({ hasText: '3 工作日' }).waitFor();
  const cat = (await env.server.get('/api/v1/categories/06010', { session: adminApi })).json;
  assert.deepEqual(cat.deadline, { amount: 3, unit: 'working_days' });

  // The current taxonomy as CSV: uploaded again it changes nothing.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载当前类别表（CSV），修改后上传' }).click()]);
  const exported = fs.readFileSync(await download.path(), 'utf8');
  assert.match(exported, /^code,parent,name,kind,first_level,dept_grid,dept_village,dept_town,dept_district,dept_city,deadline_amount,deadline_unit,risk\n/);
  assert.match(exported, /\n06010,06,暴露垃圾,event,[a-z]+,[^\n]*,3,working_days,\n/);
  await page.getByLabel('CSV 文件').setInputFiles(tempFile('categories.csv', exported));
  await page.getByRole('button', { name: '上传', exact: true }).click();
  await page.locator('.admin-ok').filter({ hasText: '其中 0 个有变化' }).waitFor();

  // The CSV with one bad line: that line is listed, nothing changes.
  const csv = fs.readFileSync(path.join(REPO, 'catalog', 'categories.csv'), 'utf8').split('\n');
  const badLine = csv.findIndex((l) => l.startsWith('07001,'));
  csv[badLine] = csv[badLine].replace(/,(working_days|working_hours|days),/, ',weeks,');
  await page.getByLabel('CSV 文件').setInputFiles(tempFile('bad.csv', csv.join('\n')));
  await page.getByRole('button', { name: '上传', exact: true }).click();
  const lineRow = page.locator('table.admin-problems tbody tr');
  await lineRow.waitFor();
  const lineCells = await lineRow.locator('th, td').allTextContents();
  assert.deepEqual(lineCells.slice(0, 3), [String(badLine + 1), '07001', 'deadline_unit']);
  assert.match(lineCells[3], /working_hours、working_days 或 days/);

  await page.goto('/#/admin/calendar');
  await page.getByRole('heading', { name: '节假日与调休' }).waitFor();
  const year = Number(await page.getByLabel('年份').inputValue());
  let cal = (await env.server.get(`/api/v1/calendar?year=${year}`, { session: adminApi })).json;
  // Someone else saves meanwhile: the page says so and reloads on request.
  const put = await env.server.req('PUT', `/api/v1/calendar/${year}`, { session: adminApi, json: { days: cal.days.slice(1) }, headers: { 'If-Match': '*' } });
  assert.equal(put.status, 200, put.text);
  await page.getByRole('button', { name: `保存 ${year} 年安排` }).click();
  await page.getByRole('alert').filter({ hasText: '数据已被他人修改' }).waitFor();
  await page.getByRole('button', { name: '重新加载' }).click();
  await page.getByRole('button', { name: `删除 ${cal.days[1].date}` }).waitFor();
  assert.equal(await page.getByRole('button', { name: `删除 ${cal.days[0].date}` }).count(), 0, 'the reloaded year');
  cal = (await env.server.get(`/api/v1/calendar?year=${year}`, { session: adminApi })).json;
  let date = null;
  for (let d = 1; d <= 28 && !date; d++) {
    const s = `${year}-11-${String(d).padStart(2, '0')}`;
    if (!cal.days.some((x) => x.date === s)) date = s;
  }
  const add = page.getByRole('form', { name: '添加日期' });
  await add.getByLabel('日期').fill(date);
  await add.getByLabel('说明').fill('测试假日');
  await page.getByRole('button', { name: '添加日期' }).click();
  await page.getByRole('button', { name: `保存 ${year} 年安排` }).click();
  await page.getByRole('status').filter({ hasText: `已保存 ${year} 年的节假日安排` }).waitFor();
  const after = (await env.server.get(`/api/v1/calendar?year=${year}`, { session: adminApi })).json;
  assert.deepEqual(after.days.find((x) => x.date === date), { date, kind: 'off', note: '测试假日' });

  await page.goto('/#/admin/policy');
  await page.getByRole('heading', { name: '督办升级规则' }).first().waitFor();
  // A rule of its own for class 06 at town level.
  await page.getByLabel('类别', { exact: true }).selectOption('06');
  await page.getByRole('button', { name: '添加特别规则' }).click();
  await page.getByLabel('06 在 镇（街道） 的规则 · 单独设置', { exact: true }).check();
  await page.getByLabel('06 在 镇（街道） 的规则 · 预警比例（%）', { exact: true }).fill('60');
  const warn = page.getByLabel('镇（街道） · 预警比例（%）', { exact: true });
  await warn.fill('150');
  await page.getByRole('button', { name: '保存规则' }).click();
  await page.locator('.admin-cell .field-error:not([hidden])').filter({ hasText: '0-100' }).waitFor();
  assert.equal(await warn.getAttribute('aria-invalid'), 'true');
  await clearToasts(page);
  await env.shot(page, 'admin-policy');
  await warn.fill('70');
  await page.getByRole('button', { name: '保存规则' }).click();
  await page.getByRole('status').filter({ hasText: '督办升级规则已保存' }).waitFor();
  const pol = (await env.server.get('/api/v1/escalation-policy', { session: adminApi })).json;
  assert.equal(pol.levels.town.warn_percent, 70);
  assert.deepEqual(pol.categories['06'].levels.town, { warn_percent: 60, escalate: true, grace_hours: 0 });
  assert.equal(pol.categories['06'].levels.city, undefined, 'the other levels follow the defaults');
  await page.context().close();
});

test('other roles: no administration in the navigation and a friendly message on the URL', async () => {
  const page = await env.page();
  await env.login(page, 'gw_001');
  const nav = await page.locator('#nav').textContent();
  assert.doesNotMatch(nav, /系统管理|用户|案件类别/);
  for (const p of ['users', 'regions', 'categories', 'calendar', 'policy']) {
    await page.goto(`/#/admin/${p}`);
    await page.locator('#view h1').waitFor();
    const text = await page.locator('#view').textContent();
    assert.doesNotMatch(text, /undefined|null|NaN|FORBIDDEN|403/, p);
    assert.match(text, /权限|不能使用|无法|角色/, `${p}: ${text}`);
  }
  await page.context().close();
  // The sysadmin is not the account administrator: a friendly message, not a 403 code.
  const sys = await env.page();
  await env.login(sys, 'admin');
  await sys.goto('/#/admin/users');
  await sys.getByRole('alert').filter({ hasText: '安全管理员' }).waitFor();
  await sys.context().close();
});

test('keyboard and English: the new-user dialog opens with Enter, closes with Escape, focus returns; texts in English', async () => {
  const page = await env.page({ lang: 'en' });
  await env.login(page, 'secadmin');
  await page.goto('/#/admin/users');
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  await page.locator('table.admin-users-table').waitFor();
  const open = page.getByRole('button', { name: 'New user' }).first();
  await open.focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'New user' });
  await dlg.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'username', 'focus in the first field');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'name');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'New user', 'focus back on the button');
  const text = await page.locator('#view').textContent();
  assert.doesNotMatch(text, /admin\.|undefined|null|NaN/);
  assert.match(text, /Username or name/);
  await page.context().close();
});
