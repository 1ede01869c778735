// stats.test.mjs - the dashboard's and the map's API: GET /api/v1/stats/cases (figures
// checked against cases this test creates and walks: closed on time and late, rated,
// supervised, escalated, overdue), /api/v1/stats/grids, /api/v1/cases/points and the
// public /api/v1/config with the tile setting; scope, roles and bad input.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CITY, DUJI, PASSWORD, XIANGSHAN, assertError, cli, cliDbOk, randomId, request, startServer } from './lib.mjs';

let srv;
let gw, center, dept, leader, admin, citizen, xs;
let gridCode;
let point;
let cgj;
const cases = {};

const iso = (s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
/* The local date (Asia/Shanghai) of an instant in seconds, as YYYY-MM-DD. */
const localDay = (s) => new Date((s + 8 * 3600) * 1000).toISOString().slice(0, 10);
const today = () => localDay(Math.floor(Date.now() / 1000));
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

async function view(session, id) {
	const r = await srv.get(`/api/v1/cases/${id}`, { session });
	assert.equal(r.status, 200, r.text);
	return { ...r.json, etag: r.headers.etag };
}

async function step(session, id, action, json = {}) {
	const c = await view(session, id);
	const r = await srv.post(`/api/v1/cases/${id}/actions/${action}`, { session, json, headers: { 'If-Match': c.etag } });
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	return r.json;
}

async function report(session, title, category = '06010') {
	const r = await srv.post('/api/v1/cases', { session, json: { kind: 'event', category, title, location: { lon: point[0], lat: point[1] } } });
	assert.equal(r.status, 201, r.text);
	return r.json.id;
}

async function close(id) {
	await step(center, id, 'register');
	await step(center, id, 'dispatch', { department: cgj.id });
	await step(dept, id, 'accept');
	await step(dept, id, 'report_result', { result: '已处理' });
	return step(center, id, 'verify', { fixed: true });
}

const stats = (session, q = '') => srv.get(`/api/v1/stats/cases${q}`, { session });

before(async () => {
	// No scheduler passes in the background: the test marks cases overdue by ticking.
	srv = await startServer({ args: ['--tick-interval', '0'] });
	admin = await srv.session('admin');
	gw = await srv.session('gw_001');
	center = await srv.session('center');
	dept = await srv.session('cg_dept');
	leader = await srv.session('leader');
	citizen = await srv.session('citizen');
	xs = await srv.session('xs_center');
	const me = await srv.get('/api/v1/session', { session: gw });
	gridCode = me.json.user?.region ?? me.json.region;
	point = await srv.pointInGrid(gridCode);
	assert.ok(point, 'a point inside gw_001’s grid');
	const deps = await srv.get('/api/v1/departments?limit=200', { session: admin });
	cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	assert.ok(cgj, deps.text);
});

after(async () => {
	await srv?.close();
});

test('an empty city: zeros, every day of the period, no rates', async () => {
	const r = await stats(leader);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.region.code, CITY);
	assert.equal(r.json.to, today());
	assert.equal(r.json.from, addDays(today(), -29));
	assert.equal(r.json.total, 0);
	assert.equal(r.json.on_time_rate, null);
	assert.equal(r.json.satisfaction_rate, null);
	assert.equal(r.json.by_day.length, 30);
	assert.ok(r.json.by_day.every((d) => d.count === 0));
	assert.deepEqual(r.json.by_category, []);
	assert.deepEqual(r.json.by_status, {});
	// The city's children: its districts and county, with zeros.
	const codes = r.json.by_region.map((x) => x.code);
	for (const d of [DUJI, XIANGSHAN]) assert.ok(codes.includes(d), JSON.stringify(codes));
	assert.ok(r.json.by_region.every((x) => x.count === 0 && x.open === 0 && x.overdue === 0 && typeof x.name === 'string'));
});

test('the figures follow the cases: closed on time and late, ratings, supervision, escalation, overdue', async () => {
	// A and B close and are rated by the citizen (非常满意, 基本满意); C stays reported; D
	// is dispatched, goes overdue, then closes late; E is registered, supervised and
	// escalated by the leader and goes overdue. F is another category (01 公用设施).
	cases.A = await report(citizen, '统计用例A');
	cases.B = await report(citizen, '统计用例B');
	cases.C = await report(gw, '统计用例C');
	cases.D = await report(gw, '统计用例D');
	cases.E = await report(gw, '统计用例E');
	cases.F = await report(gw, '统计用例F 井盖', '01001');
	await close(cases.A);
	await step(citizen, cases.A, 'rate', { level: 5 });
	await close(cases.B);
	await step(citizen, cases.B, 'rate', { level: 3 });
	await step(center, cases.D, 'register');
	await step(center, cases.D, 'dispatch', { department: cgj.id });
	await step(center, cases.E, 'register');
	await step(leader, cases.E, 'supervise');
	const esc = await step(leader, cases.E, 'escalate', { reason: '群众反映强烈' });
	assert.equal(esc.supervised, true);
	await step(center, cases.F, 'reject', { reason: '重复上报' });

	let r = await stats(leader);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.total, 6);
	assert.equal(r.json.closed, 2);
	assert.equal(r.json.open, 3, 'C, D, E (F was rejected)');
	assert.equal(r.json.overdue, 0);
	assert.equal(r.json.on_time_rate, 1);

	// Sixty days on, the scheduler finds every running clock late: C is marked overdue
	// (reported: it stays at the town), D and E go up a level (escalate.overdue) with a
	// new deadline, so they are not overdue now; D is late all the same.
	const out = cliDbOk(srv.db, ['tick', '--now', iso(Math.floor(Date.now() / 1000) + 60 * 86400)]).stdout;
	assert.match(out, /\b1 overdue, 2 escalated\b/, out);
	await step(dept, cases.D, 'accept');
	await step(dept, cases.D, 'report_result', { result: '已处理' });
	const d = await step(center, cases.D, 'verify', { fixed: true });
	assert.equal(d.status, 'closed');
	assert.equal(d.overdue, false, 'a closed case is no longer overdue');

	r = await stats(leader);
	assert.equal(r.status, 200, r.text);
	const s = r.json;
	assert.equal(s.total, 6);
	assert.equal(s.closed, 3);
	assert.equal(s.open, 2);
	assert.equal(s.overdue, 1, 'C');
	assert.equal(s.supervised, 1, 'E');
	assert.equal(s.escalated, 2, 'D and E');
	assert.ok(Math.abs(s.on_time_rate - 2 / 3) < 1e-9, `on time: A and B of A, B, D (${s.on_time_rate})`);
	assert.equal(s.satisfaction_rate, 0.5, '非常满意 is good, 基本满意 is not');
	assert.equal(s.rated, 2);
	assert.deepEqual(s.by_status, { closed: 3, reported: 1, registered: 1, rejected: 1 });
	assert.equal(s.by_day.at(-1).date, today());
	assert.equal(s.by_day.at(-1).count, 6);
	assert.equal(s.by_day.reduce((a, x) => a + x.count, 0), 6);
	assert.deepEqual(s.by_category.map((c) => [c.code, c.count]), [['06', 5], ['01', 1]]);
	assert.ok(s.by_category.every((c) => c.name && !/^\d+$/.test(c.name)), 'categories carry their names');
	const xsRow = s.by_region.find((x) => x.code === XIANGSHAN);
	assert.deepEqual({ count: xsRow.count, open: xsRow.open, overdue: xsRow.overdue }, { count: 6, open: 2, overdue: 1 });
	assert.equal(s.by_region.reduce((a, x) => a + x.count, 0), 6);

	// The district's own view: its children are towns; the same totals.
	r = await stats(xs);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.region.code, XIANGSHAN);
	assert.equal(r.json.total, 6);
	assert.ok(r.json.by_region.every((x) => x.code.startsWith('340603')));
	assert.equal(r.json.by_region.reduce((a, x) => a + x.count, 0), 6);

	// A period without them: yesterday only.
	const y = addDays(today(), -1);
	r = await stats(leader, `?from=${y}&to=${y}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.total, 0);
	assert.deepEqual(r.json.by_day, [{ date: y, count: 0 }]);
	// Two full years are allowed.
	r = await stats(leader, `?from=${addDays(today(), -731)}&to=${today()}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.by_day.length, 732);
	assert.equal(r.json.total, 6);
});

test('scope: another district sees none of it and cannot name 相山区', async () => {
	const dj = `dj_${randomId(3)}`;
	cliDbOk(srv.db, ['user', 'add', '--username', dj, '--name', '杜集区指挥中心', '--region', DUJI, '--roles', 'dispatcher', '--password-stdin'], { input: `${PASSWORD}\n` });
	const djs = await srv.session(dj);
	const r = await stats(djs);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.region.code, DUJI);
	assert.equal(r.json.total, 0);
	assertError(await stats(djs, `?region=${XIANGSHAN}`), 404, 'REGION_NOT_FOUND');
	assertError(await stats(djs, `?region=${CITY}`), 404, 'REGION_NOT_FOUND');
	assertError(await srv.get(`/api/v1/stats/grids?within=${XIANGSHAN}`, { session: djs }), 404, 'REGION_NOT_FOUND');
	assertError(await srv.get(`/api/v1/cases/points?region=${XIANGSHAN}`, { session: djs }), 404, 'REGION_NOT_FOUND');
	const pts = await srv.get('/api/v1/cases/points?open=false', { session: djs });
	assert.equal(pts.status, 200, pts.text);
	assert.deepEqual(pts.json.items, []);
	assertError(await stats(xs, `?region=${DUJI}`), 404, 'REGION_NOT_FOUND');
	assert.equal((await stats(leader, `?region=${XIANGSHAN}`)).json.total, 6);
});

test('roles: leaders, dispatchers, departments and the sysadmin read the figures; others 403', async () => {
	for (const s of [leader, center, dept, admin]) assert.equal((await stats(s)).status, 200);
	for (const u of ['gw_001', 'citizen', 'auditor', 'secadmin', 'mediator']) assertError(await stats(await srv.session(u)), 403, 'FORBIDDEN', undefined, u);
	assertError(await srv.get('/api/v1/stats/cases'), 401, 'AUTH_REQUIRED');
	assertError(await srv.get('/api/v1/stats/grids'), 401, 'AUTH_REQUIRED');
	assertError(await srv.get('/api/v1/cases/points'), 401, 'AUTH_REQUIRED');
});

test('bad input: 400 INVALID_QUERY with the field', async () => {
	for (const [q, field] of [
		['?from=2026-13-01', 'from'],
		['?from=2026-02-30', 'from'],
		['?to=yesterday', 'to'],
		['?to=2026-1-1', 'to'],
		['?from=2026-11-02&to=2026-11-01', 'to'],
		[`?from=${addDays(today(), -732)}&to=${today()}`, 'from'],
		['?from=', 'from'],
	])
		assertError(await stats(leader, q), 400, 'INVALID_QUERY', field, q);
	assertError(await stats(leader, '?region=abc'), 404, 'REGION_NOT_FOUND');
	assertError(await stats(leader, '?region=340699999000'), 404, 'REGION_NOT_FOUND');
	assertError(await srv.get('/api/v1/cases/points?limit=0', { session: center }), 400, 'INVALID_QUERY', 'limit');
	assertError(await srv.get('/api/v1/cases/points?limit=x', { session: center }), 400, 'INVALID_QUERY', 'limit');
	assertError(await srv.get('/api/v1/cases/points?open=yes', { session: center }), 400, 'INVALID_QUERY', 'open');
	assertError(await srv.get('/api/v1/stats/grids?within=%27%3B--', { session: center }), 404, 'REGION_NOT_FOUND');
});

test('the map: open and overdue cases per grid, case points capped', async () => {
	const g = await srv.get(`/api/v1/stats/grids?within=${XIANGSHAN}`, { session: center });
	assert.equal(g.status, 200, g.text);
	assert.deepEqual(g.json.items, [{ grid: gridCode, open: 2, overdue: 1 }], 'C and E; the closed and the rejected do not count');
	const home = await srv.get('/api/v1/stats/grids', { session: gw });
	assert.equal(home.status, 200, home.text);
	assert.deepEqual(home.json.items, [{ grid: gridCode, open: 2, overdue: 1 }]);

	let p = await srv.get('/api/v1/cases/points', { session: center });
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.truncated, false);
	assert.deepEqual(p.json.items.map((x) => x.id).sort((a, b) => a - b), [cases.C, cases.E].sort((a, b) => a - b));
	const e = p.json.items.find((x) => x.id === cases.E);
	assert.equal(e.title, '统计用例E');
	assert.equal(e.status, 'registered');
	assert.equal(e.overdue, false, 'escalated: a new deadline');
	assert.equal(p.json.items.find((x) => x.id === cases.C).overdue, true);
	assert.match(e.number, /^\d{13}$/);
	assert.ok(Math.abs(e.lon - point[0]) < 1e-6 && Math.abs(e.lat - point[1]) < 1e-6);
	assert.deepEqual(Object.keys(e).sort(), ['id', 'lat', 'lon', 'number', 'overdue', 'status', 'title']);
	p = await srv.get(`/api/v1/cases/points?open=false&region=${XIANGSHAN}`, { session: center });
	assert.equal(p.json.items.length, 6);
	assert.deepEqual(p.json.items.map((x) => x.id), [...p.json.items.map((x) => x.id)].sort((a, b) => b - a), 'newest first');
	p = await srv.get('/api/v1/cases/points?open=false&limit=2', { session: center });
	assert.equal(p.json.items.length, 2);
	assert.equal(p.json.truncated, true);
});

test('GET /api/v1/config is public and says the tile setting', async () => {
	const r = await request(srv.port, 'GET', '/api/v1/config');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { tile_url: null, tile_attribution: null });

	const url = 'https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY';
	const other = await startServer({ db: srv.db, args: ['--tick-interval', '0', '--tile-url', url, '--tile-attribution', '© 天地图'] });
	try {
		const c = await request(other.port, 'GET', '/api/v1/config');
		assert.equal(c.status, 200, c.text);
		assert.deepEqual(c.json, { tile_url: url, tile_attribution: '© 天地图' });
	} finally {
		await other.close();
	}
	for (const bad of ['http://example.com/{z}/{x}/{y}.png', 'https://example.com/tiles.png', 'javascript:alert(1)//{z}{x}{y}']) {
		const x = cli(['serve', '--tile-url', bad, '--listen', '127.0.0.1:0']);
		assert.notEqual(x.status, 0, bad);
		assert.match(x.stderr, /--tile-url expects an https:\/\/ URL with \{z\}, \{x\} and \{y\}/);
	}
});
