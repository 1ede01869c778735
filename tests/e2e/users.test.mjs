// users.test.mjs - account administration by the security administrator (三员分立,
// password policy, scope, disable, password reset, unlock) and the `user` / `token`
// commands.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CITY, DUJI, PASSWORD, XIANGNAN, XIANGSHAN, assertError, cliDb, cliDbOk, randomId, startServer } from './lib.mjs';

let srv;
let sec;
const NEW_PW = 'Other-Pass-2027';

before(async () => {
	srv = await startServer();
	sec = await srv.session('secadmin');
});

after(async () => {
	await srv?.close();
});

const uname = (p = 'u') => `${p}_${randomId(4)}`;

async function listAll(session, limit = 200) {
	const items = [];
	let cursor = null;
	for (let i = 0; i < 500; i++) {
		const r = await srv.get(`/api/v1/users?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { session });
		assert.equal(r.status, 200, r.text);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null) return items;
	}
	assert.fail('paging did not end');
}

async function create(body, session = sec) {
	const r = await srv.post('/api/v1/users', { session, json: body });
	assert.equal(r.status, 201, `create ${JSON.stringify(body)}: ${r.text}`);
	return r.json;
}

async function userByName(username) {
	return (await listAll(sec)).find((u) => u.username === username);
}

test('the security administrator lists every account, page by page, and reads one', async () => {
	const all = await listAll(sec);
	for (const u of ['admin', 'secadmin', 'auditor', 'leader', 'center', 'xs_center', 'cg_dept', 'gw_001', 'mediator', 'xf_officer', 'citizen']) {
		assert.ok(all.some((x) => x.username === u), `${u} listed`);
	}
	const ids = all.map((u) => u.id);
	assert.equal(new Set(ids).size, ids.length, 'no account twice');
	// The demo city has ~4,600 grid workers: pages of 97 cross many page borders.
	assert.ok(all.length > 4000, `the demo's grid workers are listed too (${all.length})`);
	const paged = await listAll(sec, 97);
	assert.deepEqual(paged, all, 'pages of 97 give the same list');
	const xs = all.find((u) => u.username === 'xs_center');
	assert.equal(xs.region, XIANGSHAN);
	assert.deepEqual(xs.roles, ['dispatcher']);
	assert.equal(xs.disabled, false);
	assert.equal(xs.locked, false);
	assert.ok(!('password_hash' in xs) && !('password' in xs), 'no password material in the list');
	assert.ok(!JSON.stringify(all).includes('$argon2'), 'no password hash anywhere');

	const one = await srv.get(`/api/v1/users/${xs.id}`, { session: sec });
	assert.equal(one.status, 200, one.text);
	assert.deepEqual(one.json, xs);
	assertError(await srv.get('/api/v1/users/99999999', { session: sec }), 404, 'USER_NOT_FOUND', undefined, 'unknown id');
	assertError(await srv.get('/api/v1/users/abc', { session: sec }), 404, 'USER_NOT_FOUND', undefined, 'id abc');

	const deps = await srv.get('/api/v1/departments?limit=200', { session: sec });
	assert.equal(deps.status, 200, deps.text);
	assert.ok(deps.json.items.some((d) => d.name === '城市管理局' && d.region === CITY), 'the city management bureau');
	for (const d of deps.json.items) assert.deepEqual(Object.keys(d).sort(), ['code', 'id', 'name', 'region']);
});

test('departments are listed within the caller’s scope', async () => {
	const city = await srv.get('/api/v1/departments?limit=200', { session: await srv.session('center') });
	assert.equal(city.status, 200, city.text);
	const regions = new Set(city.json.items.map((d) => d.region));
	for (const r of [CITY, XIANGSHAN, DUJI]) assert.ok(regions.has(r), `units at ${r}`);
	const xs = await srv.get('/api/v1/departments?limit=200', { session: await srv.session('xs_center') });
	assert.equal(xs.status, 200, xs.text);
	assert.ok(xs.json.items.length > 0);
	assert.ok(xs.json.items.every((d) => d.region.startsWith('340603')), `only 相山区 units: ${xs.json.items.map((d) => d.region)}`);
	assert.ok(xs.json.items.length < city.json.items.length);
	// Paging by cursor gives the same list.
	const paged = [];
	let cursor = null;
	do {
		const r = await srv.get(`/api/v1/departments?limit=4${cursor ? `&cursor=${cursor}` : ''}`, { session: await srv.session('center') });
		assert.equal(r.status, 200, r.text);
		paged.push(...r.json.items);
		cursor = r.json.next_cursor;
	} while (cursor !== null);
	assert.deepEqual(paged, city.json.items);
});

test('other roles cannot administer accounts: 403 FORBIDDEN, nothing created', async () => {
	const username = uname('nope');
	const body = { username, name: '越权', region: CITY, roles: ['citizen'], password: PASSWORD };
	for (const u of ['admin', 'auditor', 'leader', 'center', 'xs_center', 'citizen']) {
		const s = await srv.session(u);
		assertError(await srv.post('/api/v1/users', { session: s, json: body }), 403, 'FORBIDDEN', undefined, `${u} POST /users`);
		assertError(await srv.patch('/api/v1/users/1', { session: s, json: { name: '越权' } }), 403, 'FORBIDDEN', undefined, `${u} PATCH /users/1`);
		assertError(await srv.post('/api/v1/users/1/unlock', { session: s }), 403, 'FORBIDDEN', undefined, `${u} unlock`);
		assertError(await srv.post('/api/v1/users/1/password', { session: s, json: { password: NEW_PW } }), 403, 'FORBIDDEN', undefined, `${u} password`);
		if (u !== 'auditor') assertError(await srv.get('/api/v1/users', { session: s }), 403, 'FORBIDDEN', undefined, `${u} GET /users`);
	}
	assert.equal(await userByName(username), undefined);
	// The sysadmin still signs in with the old password (nobody reset it).
	await srv.login('admin');
});

test('creating an account: 201 with Location; the new user signs in with their roles and region; audited', async () => {
	const deps = await srv.get('/api/v1/departments?limit=200', { session: sec });
	const cg = deps.json.items.find((d) => d.name === '城市管理局');
	const username = uname('zhang');
	const r = await srv.post('/api/v1/users', {
		session: sec,
		json: { username, name: '张三', region: XIANGSHAN, roles: ['dispatcher', 'mediator'], password: PASSWORD, department: cg.id },
		headers: { 'X-Request-Id': `e2e-create-${username}` },
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.headers.location, `/api/v1/users/${r.json.id}`);
	assert.equal(r.json.username, username);
	assert.equal(r.json.name, '张三');
	assert.equal(r.json.region, XIANGSHAN);
	assert.deepEqual([...r.json.roles].sort(), ['dispatcher', 'mediator']);
	assert.equal(r.json.department, cg.id);
	assert.equal(r.json.has_password, true);
	assert.deepEqual((await srv.get(r.headers.location, { session: sec })).json, r.json);

	const s = await srv.login(username);
	assert.deepEqual(s.user, { id: r.json.id, username, name: '张三', roles: r.json.roles, region: XIANGSHAN });
	// And works within their scope only.
	assert.equal((await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: s })).status, 200);
	assert.equal((await srv.get(`/api/v1/regions/${DUJI}`, { session: s })).status, 404);

	const a = await srv.audit({ action: 'user.create', object: `user:${r.json.id}` });
	assert.equal(a.json.items.length, 1, a.text);
	assert.equal(a.json.items[0].username, 'secadmin');
	assert.equal(a.json.items[0].request_id, `e2e-create-${username}`);
	assert.equal(a.json.items[0].success, true);

	assertError(await srv.post('/api/v1/users', { session: sec, json: { username, name: '重名', region: CITY, roles: ['citizen'] } }), 409, 'USERNAME_TAKEN', 'username', 'the same username');
	assertError(await srv.post('/api/v1/users', { session: sec, json: { username: 'admin', name: '重名', region: CITY, roles: ['citizen'] } }), 409, 'USERNAME_TAKEN', 'username', 'admin again');

	// Without a password: the account exists but cannot sign in until one is set.
	const nopw = uname('nopw');
	const c = await create({ username: nopw, name: '无密码', region: CITY, roles: ['citizen'] });
	assert.equal((await srv.get(`/api/v1/users/${c.id}`, { session: sec })).json.has_password, false, 'GET: no password yet');
	assert.equal(c.has_password, false, 'the 201 reply of an account created without a password says has_password false');
	assertError(await srv.tryLogin(nopw, PASSWORD), 401, 'AUTH_FAILED', undefined, 'no password yet');
	const empty = await srv.tryLogin(nopw, '');
	assert.ok([400, 401].includes(empty.status), `an empty password never signs in: ${empty.text}`);
	assert.deepEqual(empty.setCookies, []);
	cliDbOk(srv.db, ['user', 'passwd', nopw], { input: `${PASSWORD}\n` });
	await srv.login(nopw);
});

test('bad account fields: 400 with the field named; unknown region or department; nothing created', async () => {
	const base = () => ({ username: uname('bad'), name: '坏输入', region: CITY, roles: ['citizen'], password: PASSWORD });
	const cases = [
		[{ roles: ['king'] }, 400, 'INVALID_FIELD', 'roles'],
		[{ roles: 'leader' }, 400, 'INVALID_FIELD', 'roles'],
		[{ roles: [1] }, 400, 'INVALID_FIELD', 'roles'],
		[{ username: 'has space' }, 400, 'INVALID_FIELD', 'username'],
		[{ username: '' }, 400, 'INVALID_FIELD', 'username'],
		[{ name: 42 }, 400, 'INVALID_FIELD', 'name'],
		[{ department: 'cgj' }, 400, 'INVALID_FIELD', 'department'],
		[{ extra: 1 }, 400, 'UNKNOWN_FIELD', 'extra'],
	];
	for (const [patch, status, code, field] of cases) {
		const body = { ...base(), ...patch };
		assertError(await srv.post('/api/v1/users', { session: sec, json: body }), status, code, field, JSON.stringify(patch));
		assert.equal(await userByName(body.username), undefined, `${JSON.stringify(patch)}: nothing created`);
	}
	const empty = await srv.post('/api/v1/users', { session: sec, json: { ...base(), roles: [] } });
	assert.equal(empty.status, 400, empty.text);
	assert.equal(empty.json.field, 'roles');
	for (const [patch, code, field] of [
		[{ region: '340699000000' }, 'REGION_NOT_FOUND', 'region'],
		[{ department: 99999999 }, 'DEPARTMENT_NOT_FOUND', 'department'],
	]) {
		const body = { ...base(), ...patch };
		const r = await srv.post('/api/v1/users', { session: sec, json: body });
		assert.ok([400, 404, 422].includes(r.status), `${JSON.stringify(patch)}: ${r.text}`);
		assertError(r, r.status, code, field, JSON.stringify(patch));
		assert.equal(await userByName(body.username), undefined);
	}
	assertError(await srv.post('/api/v1/users', { session: sec, json: { name: '缺字段', region: CITY, roles: ['citizen'] } }), 400, 'MISSING_FIELD', 'username', 'no username');
});

test('三员分立: sysadmin, secadmin and auditor hold no other role (400 INVALID_ROLES, field roles)', async () => {
	for (const roles of [
		['sysadmin', 'leader'],
		['secadmin', 'auditor'],
		['auditor', 'citizen'],
		['sysadmin', 'secadmin'],
		['secadmin', 'dispatcher'],
		['sysadmin', 'secadmin', 'auditor'],
	]) {
		const username = uname('sy');
		assertError(await srv.post('/api/v1/users', { session: sec, json: { username, name: '兼任', region: CITY, roles, password: PASSWORD } }), 400, 'INVALID_ROLES', 'roles', roles.join('+'));
		assert.equal(await userByName(username), undefined, `${roles}: nothing created`);
	}
	// Each alone is fine, and so are several ordinary roles.
	const aud = await create({ username: uname('aud'), name: '第二审计员', region: CITY, roles: ['auditor'] });
	assert.deepEqual(aud.roles, ['auditor']);
	const multi = await create({ username: uname('multi'), name: '多角色', region: XIANGSHAN, roles: ['dispatcher', 'mediator', 'grid_worker'] });
	assert.equal(multi.roles.length, 3);
	// Nor can a change of roles combine them.
	assertError(await srv.patch(`/api/v1/users/${multi.id}`, { session: sec, json: { roles: ['sysadmin', 'leader'] } }), 400, 'INVALID_ROLES', 'roles', 'PATCH to sysadmin+leader');
	assertError(await srv.patch(`/api/v1/users/${aud.id}`, { session: sec, json: { roles: ['auditor', 'secadmin'] } }), 400, 'INVALID_ROLES', 'roles', 'PATCH to auditor+secadmin');
	assert.deepEqual((await srv.get(`/api/v1/users/${multi.id}`, { session: sec })).json.roles, multi.roles, 'unchanged');
	// The command line obeys the same rule.
	const r = cliDb(srv.db, ['user', 'add', '--username', uname('cli'), '--name', '兼任', '--region', CITY, '--roles', 'auditor,leader']);
	assert.notEqual(r.status, 0, `user add auditor,leader: ${r.stdout}`);
});

test('weak passwords are 400 WEAK_PASSWORD (field password) on create, reset and the command line', async () => {
	const username = 'wangwu_pw';
	const weak = ['Short1!', 'alllowercaseletters', 'lowercase12345', 'UPPERCASE12345', '!!!!!!!!!!!!', 'Wangwu_pw-2026', 'xWANGWU_PW1!', '密码密码密码密码密码密码'];
	for (const pw of weak) {
		assertError(await srv.post('/api/v1/users', { session: sec, json: { username, name: '王五', region: CITY, roles: ['citizen'], password: pw } }), 400, 'WEAK_PASSWORD', 'password', `create with ${pw}`);
	}
	assert.equal(await userByName(username), undefined, 'no account from weak passwords');
	const u = await create({ username, name: '王五', region: CITY, roles: ['citizen'], password: '安全密码Abc123x' });
	await srv.login(username, '安全密码Abc123x');
	for (const pw of weak) assertError(await srv.post(`/api/v1/users/${u.id}/password`, { session: sec, json: { password: pw } }), 400, 'WEAK_PASSWORD', 'password', `reset to ${pw}`);
	await srv.login(username, '安全密码Abc123x'); // unchanged
	const c = cliDb(srv.db, ['user', 'passwd', username], { input: 'lowercase12345\n' });
	assert.notEqual(c.status, 0, 'user passwd with a weak password');
	const add = cliDb(srv.db, ['user', 'add', '--username', uname('weak'), '--name', '弱', '--region', CITY, '--roles', 'citizen', '--password-stdin'], { input: 'short\n' });
	assert.notEqual(add.status, 0, 'user add with a weak password');
	await srv.login(username, '安全密码Abc123x');
});

test('a district security administrator sees and manages only accounts of their district (404 outside)', async () => {
	const sa = uname('xs_sec');
	cliDbOk(srv.db, ['user', 'add', '--username', sa, '--name', '相山区安全管理员', '--region', XIANGSHAN, '--roles', 'secadmin', '--password-stdin'], { input: `${PASSWORD}\n` });
	const s = await srv.login(sa);
	const mine = await listAll(s);
	const names = mine.map((u) => u.username);
	for (const u of ['xs_center', 'mediator', 'gw_001', sa]) assert.ok(names.includes(u), `${u} in 相山区`);
	for (const u of ['admin', 'secadmin', 'auditor', 'leader', 'center', 'citizen']) assert.ok(!names.includes(u), `${u} is not`);
	assert.ok(mine.every((u) => u.region.startsWith('340603')), 'only 相山区 accounts');

	const all = await listAll(sec);
	const leader = all.find((u) => u.username === 'leader');
	const xs = all.find((u) => u.username === 'xs_center');
	const missing = await srv.get('/api/v1/users/99999999', { session: s });
	for (const [method, path, body] of [
		['GET', `/api/v1/users/${leader.id}`],
		['PATCH', `/api/v1/users/${leader.id}`, { name: '越界' }],
		['POST', `/api/v1/users/${leader.id}/unlock`],
		['POST', `/api/v1/users/${leader.id}/password`, { password: NEW_PW }],
	]) {
		const r = await srv.req(method, path, { session: s, json: body });
		assertError(r, 404, 'USER_NOT_FOUND', undefined, `${method} ${path} outside the scope`);
		assert.equal(r.json.message, missing.json.message);
	}
	await srv.login('leader'); // the password was not reset
	assert.equal((await srv.get(`/api/v1/users/${leader.id}`, { session: sec })).json.name, leader.name);

	// Creating in the district works; outside it the region "does not exist".
	const inside = await create({ username: uname('xs_new'), name: '相南网格员', region: XIANGNAN, roles: ['grid_worker'] }, s);
	assert.equal(inside.region, XIANGNAN);
	const outside = await srv.post('/api/v1/users', { session: s, json: { username: uname('dj_new'), name: '杜集', region: DUJI, roles: ['citizen'] } });
	assert.ok([400, 404, 422].includes(outside.status), outside.text);
	assertError(outside, outside.status, 'REGION_NOT_FOUND', 'region', 'create outside the district');
	// Nor may they move an account out of their district.
	const mv = await srv.patch(`/api/v1/users/${xs.id}`, { session: s, json: { region: DUJI } });
	assertError(mv, mv.status, 'REGION_NOT_FOUND', 'region', 'move an account out of the district');
	assert.equal((await srv.get(`/api/v1/users/${xs.id}`, { session: sec })).json.region, XIANGSHAN);
	// The CLI lists by region the same way.
	const l = cliDbOk(srv.db, ['user', 'list', '--region', XIANGSHAN]);
	assert.match(l.stdout, /xs_center/);
	assert.match(l.stdout, /mediator/);
	assert.doesNotMatch(l.stdout, /\bleader\b/);
});

test('changing an account: name, region and roles take effect on the user’s next request; audited', async () => {
	const username = uname('chg');
	const u = await create({ username, name: '原名', region: XIANGSHAN, roles: ['dispatcher'], password: PASSWORD });
	const us = await srv.login(username);
	assert.equal((await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: us })).status, 200);

	const r = await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { name: '新名', region: DUJI, roles: ['leader'] }, headers: { 'X-Request-Id': `e2e-update-${username}` } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.name, '新名');
	assert.equal(r.json.region, DUJI);
	assert.deepEqual(r.json.roles, ['leader']);
	assert.deepEqual((await srv.get(`/api/v1/users/${u.id}`, { session: sec })).json, r.json);
	// The live session sees the new scope at once.
	const me = await srv.get('/api/v1/session', { session: us });
	assert.equal(me.status, 200, me.text);
	assert.equal(me.json.user.region, DUJI);
	assert.deepEqual(me.json.user.roles, ['leader']);
	assertError(await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: us }), 404, 'REGION_NOT_FOUND', undefined, 'old scope after the move');
	assert.equal((await srv.get(`/api/v1/regions/${DUJI}`, { session: us })).status, 200);

	assertError(await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { disabled: 'yes' } }), 400, 'INVALID_FIELD', 'disabled', 'disabled as a string');
	assertError(await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { username: 'renamed' } }), 400, 'UNKNOWN_FIELD', 'username', 'username is not changeable');
	assertError(await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { region: '340699000000' } }), 404, 'REGION_NOT_FOUND', 'region', 'unknown region');
	assertError(await srv.patch('/api/v1/users/99999999', { session: sec, json: { name: 'x' } }), 404, 'USER_NOT_FOUND', undefined, 'unknown user');

	const a = await srv.audit({ action: 'user.update', object: `user:${u.id}` });
	assert.equal(a.json.items.length, 1, a.text);
	assert.equal(a.json.items[0].request_id, `e2e-update-${username}`);
	assert.match(a.json.items[0].detail, /roles/);
	assert.match(a.json.items[0].detail, /region/);
});

test('disabling an account ends its sessions and refuses sign-in and its API tokens; enabling restores it', async () => {
	const username = uname('dis');
	const u = await create({ username, name: '将停用', region: CITY, roles: ['leader'], password: PASSWORD });
	const s1 = await srv.login(username);
	const s2 = await srv.login(username);
	const tok = cliDbOk(srv.db, ['token', 'add', '--user', username, '--name', 'disable-test']).stdout.trim();
	assert.equal((await srv.get('/api/v1/session', { token: tok })).status, 200);

	const r = await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { disabled: true } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.disabled, true);
	for (const s of [s1, s2]) assert.equal((await srv.get('/api/v1/session', { session: s })).status, 401, 'sessions end with the account');
	const login = await srv.tryLogin(username);
	assert.ok([401, 403].includes(login.status), `sign-in while disabled: ${login.text}`);
	assert.deepEqual(login.setCookies, []);
	const t = await srv.get('/api/v1/session', { token: tok });
	assert.ok([401, 403].includes(t.status), `API token of a disabled account: ${t.text}`);

	const en = await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { disabled: false } });
	assert.equal(en.status, 200, en.text);
	assert.equal(en.json.disabled, false);
	await srv.login(username);
	assert.equal((await srv.get('/api/v1/session', { token: tok })).status, 200);
	assert.equal((await srv.get('/api/v1/session', { session: s1 })).status, 401, 'old sessions stay ended');

	// The security administrator cannot lock themselves out.
	const me = await srv.patch(`/api/v1/users/${sec.user.id}`, { session: sec, json: { disabled: true } });
	assert.ok(me.status >= 400 && me.status < 500, `self-disable: ${me.text}`);
	assert.equal((await srv.get('/api/v1/session', { session: sec })).status, 200);
});

test('a password reset by the security administrator ends the user’s sessions (204); the old password stops working', async () => {
	const username = uname('pw');
	const u = await create({ username, name: '改密码', region: CITY, roles: ['leader'], password: PASSWORD });
	const s = await srv.login(username);
	const r = await srv.post(`/api/v1/users/${u.id}/password`, { session: sec, json: { password: NEW_PW }, headers: { 'X-Request-Id': `e2e-pw-${username}` } });
	assert.equal(r.status, 204, r.text);
	assert.equal(r.text, '');
	assert.equal((await srv.get('/api/v1/session', { session: s })).status, 401, 'the old session ended');
	assertError(await srv.tryLogin(username, PASSWORD), 401, 'AUTH_FAILED', undefined, 'old password');
	await srv.login(username, NEW_PW);
	assertError(await srv.post(`/api/v1/users/${u.id}/password`, { session: sec, json: {} }), 400, 'MISSING_FIELD', 'password', 'no password');
	assertError(await srv.post('/api/v1/users/99999999/password', { session: sec, json: { password: NEW_PW } }), 404, 'USER_NOT_FOUND', undefined, 'unknown user');

	const a = await srv.audit({ action: 'user.password', object: `user:${u.id}` });
	assert.equal(a.json.items.length, 1, a.text);
	assert.equal(a.json.items[0].username, 'secadmin');
	assert.equal(a.json.items[0].request_id, `e2e-pw-${username}`);
	assert.ok(!a.text.includes(NEW_PW), 'the password is not in the audit trail');

	// The command line does the same.
	const s2 = await srv.login(username, NEW_PW);
	const c = cliDbOk(srv.db, ['user', 'passwd', username], { input: `${PASSWORD}\n` });
	assert.ok(!c.stdout.includes(PASSWORD) && !c.stderr.includes(PASSWORD), 'the CLI does not echo the password');
	assert.equal((await srv.get('/api/v1/session', { session: s2 })).status, 401, 'CLI reset ends sessions too');
	await srv.login(username, PASSWORD);
	assert.notEqual(cliDb(srv.db, ['user', 'passwd', `nobody_${randomId(3)}`], { input: `${PASSWORD}\n` }).status, 0, 'passwd of an unknown user');
});

test('unlock: a locked account (423) signs in again after POST /users/{id}/unlock (204); audited', async () => {
	const username = uname('lk');
	const u = await create({ username, name: '被锁', region: CITY, roles: ['citizen'], password: PASSWORD });
	for (let i = 0; i < 5; i++) await srv.tryLogin(username, 'Wrong-Pass-2026');
	assertError(await srv.tryLogin(username), 423, 'ACCOUNT_LOCKED', undefined, 'locked');
	assert.equal((await srv.get(`/api/v1/users/${u.id}`, { session: sec })).json.locked, true);
	const r = await srv.post(`/api/v1/users/${u.id}/unlock`, { session: sec, headers: { 'X-Request-Id': `e2e-unlock-${username}` } });
	assert.equal(r.status, 204, r.text);
	assert.equal((await srv.get(`/api/v1/users/${u.id}`, { session: sec })).json.locked, false);
	await srv.login(username);
	assertError(await srv.post('/api/v1/users/99999999/unlock', { session: sec }), 404, 'USER_NOT_FOUND', undefined, 'unlock unknown');

	const lock = await srv.audit({ action: 'user.lock', object: `user:${u.id}` });
	assert.equal(lock.json.items.length, 1, lock.text);
	assert.equal(lock.json.items[0].username, username);
	const un = await srv.audit({ action: 'user.unlock', object: `user:${u.id}` });
	assert.equal(un.json.items.length, 1, un.text);
	assert.equal(un.json.items[0].username, 'secadmin');
	assert.equal(un.json.items[0].request_id, `e2e-unlock-${username}`);
});

test('the command line: user add, list, passwd; errors exit non-zero; audited as the command line', async () => {
	const username = uname('cli');
	const r = cliDbOk(srv.db, ['user', 'add', '--username', username, '--name', '命令行用户', '--region', XIANGNAN, '--roles', 'grid_worker,mediator', '--password-stdin'], { input: `${PASSWORD}\n` });
	assert.match(r.stdout, new RegExp(username));
	assert.ok(!r.stdout.includes(PASSWORD));
	const s = await srv.login(username);
	assert.equal(s.user.region, XIANGNAN);
	assert.deepEqual([...s.user.roles].sort(), ['grid_worker', 'mediator']);

	const dup = cliDb(srv.db, ['user', 'add', '--username', username, '--name', '重复', '--region', CITY, '--roles', 'citizen']);
	assert.notEqual(dup.status, 0, 'duplicate username');
	const badRole = cliDb(srv.db, ['user', 'add', '--username', uname('x'), '--name', 'x', '--region', CITY, '--roles', 'king']);
	assert.notEqual(badRole.status, 0, 'unknown role');
	const badRegion = cliDb(srv.db, ['user', 'add', '--username', uname('x'), '--name', 'x', '--region', '340699000000', '--roles', 'citizen']);
	assert.notEqual(badRegion.status, 0, 'unknown region');
	const missing = cliDb(srv.db, ['user', 'add', '--username', uname('x')]);
	assert.notEqual(missing.status, 0, 'missing options');

	const list = cliDbOk(srv.db, ['user', 'list']);
	for (const u of ['admin', 'secadmin', 'gw_001', username]) assert.match(list.stdout, new RegExp(`\\b${u}\\b`));
	assert.ok(!list.stdout.includes('$argon2'), 'no hashes in the list');

	const created = (await listAll(sec)).find((u) => u.username === username);
	const a = await srv.audit({ action: 'user.create', object: `user:${created.id}` });
	assert.equal(a.json.items.length, 1, a.text);
	assert.equal(a.json.items[0].source, 'local');
	assert.notEqual(a.json.items[0].username, '');
});

test('the server exits 0 on SIGTERM (no leaks under the sanitizers)', async () => {
	await srv.stop();
});
