// caselist.test.mjs - the console's filters of GET /api/v1/cases on a demo city with
// generated cases: status as a list, open, supervised, escalated, department (mine, a
// code, an id), grid and due_before each answer exactly the cases of the unfiltered
// list that match; they combine with one another, with the older filters and with the
// keyset cursor; every bad value is 400 INVALID_QUERY naming its parameter.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PASSWORD, SHARED_DATA, XIANGSHAN, assertError, cliAsync, makeDb, startServer } from './lib.mjs';

let db;
let srv;
let center;
let dept;
let all = [];
let deps = [];

async function listAll(session, query = '', limit = 200) {
	const items = [];
	let cursor = null;
	for (let i = 0; i < 1000; i++) {
		const r = await srv.get(`/api/v1/cases?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, { session });
		assert.equal(r.status, 200, `${query}: ${r.text}`);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null) return items;
		assert.match(cursor, /^\d+$/);
	}
	assert.fail('case paging did not end');
}

const ids = (v) => v.map((c) => c.id);
const FINISHED = new Set(['closed', 'rejected', 'merged', 'final']);

/* The filtered list is exactly the unfiltered one's matches, in the same order. */
async function same(query, pred, { session = center, min = 1, limit } = {}) {
	const got = await listAll(session, query, limit);
	const want = all.filter(pred);
	assert.ok(want.length >= min, `${query}: the demo data holds at least ${min} matching case(s) (has ${want.length})`);
	assert.deepEqual(ids(got), ids(want), query);
	return got;
}

/* The demo's cases are mostly closed: six of our own in gw_001's grid, walked to
 * reported (1), registered (1), dispatched to 城管局 (2, one supervised) and in
 * progress (2, one escalated). */
async function ownCases() {
	const gw = await srv.session('gw_001');
	const point = await srv.pointInGrid(gw.user.region);
	assert.ok(point, 'a point inside gw_001’s grid');
	const cgj = deps.find((d) => d.code === 'cgj-340600000000');
	const act = async (session, k, action, json = {}) => {
		const r = await srv.post(`/api/v1/cases/${k.id}/actions/${action}`, { session, json, headers: { 'If-Match': k.etag } });
		assert.equal(r.status, 200, `${action}: ${r.text}`);
		return { ...r.json, etag: r.headers.etag };
	};
	for (let i = 0; i < 6; i++) {
		const r = await srv.post('/api/v1/cases', { session: gw, json: { kind: 'event', category: '06010', title: `列表筛选测试垃圾${i}`, location: { lon: point[0], lat: point[1] } } });
		assert.equal(r.status, 201, r.text);
		let k = { ...r.json, etag: r.headers.etag };
		if (i === 0) continue;
		k = await act(center, k, 'register');
		if (i === 1) continue;
		k = await act(center, k, 'dispatch', { department: cgj.id });
		if (i === 3) k = await act(center, k, 'supervise');
		if (i <= 3) continue;
		k = await act(dept, k, 'accept');
		if (i === 5) k = await act(center, k, 'escalate', { reason: '久拖未决' });
	}
}

before(async () => {
	db = makeDb();
	const args = ['demo', '--db', db.url, '--password', PASSWORD, '--shared-data', SHARED_DATA, '--cases', '600', '--seed', '11', '--until', '2026-11-27'];
	const r = await cliAsync(args, { timeout: 600000 });
	assert.equal(r.status, 0, `${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
	srv = await startServer({ db, demo: false, args: ['--tick-interval', '0'] });
	center = await srv.session('center');
	dept = await srv.session('cg_dept');
	const d = await srv.get('/api/v1/departments?limit=200', { session: center });
	assert.equal(d.status, 200, d.text);
	deps = d.json.items;
	await ownCases();
	all = await listAll(center);
	assert.ok(all.length >= 606, `the city centre sees the demo cases and its own (${all.length})`);
});

after(async () => {
	await srv?.close();
	db?.drop();
});

test('status takes one name or a comma-separated list', async () => {
	await same('&status=dispatched', (c) => c.status === 'dispatched');
	await same('&status=dispatched,in_progress', (c) => c.status === 'dispatched' || c.status === 'in_progress', { min: 4 });
	await same('&status=closed,reported,resolved', (c) => ['closed', 'reported', 'resolved'].includes(c.status), { min: 3 });
});

test('open: everything but closed, rejected, merged (and a petition’s final)', async () => {
	const open = await same('&open=true', (c) => !FINISHED.has(c.status), { min: 10 });
	const done = await same('&open=false', (c) => FINISHED.has(c.status), { min: 10 });
	assert.equal(open.length + done.length, all.length);
	// open with a status list: both hold.
	await same('&open=true&status=closed,dispatched', (c) => c.status === 'dispatched');
	await same('&open=false&status=closed,dispatched', (c) => c.status === 'closed');
});

test('supervised and escalated (escalated at least once: the case’s escalations)', async () => {
	await same('&supervised=true', (c) => c.supervised === true);
	await same('&supervised=false', (c) => c.supervised === false, { min: 10 });
	for (const c of all) assert.equal(typeof c.escalations, 'number', 'each case tells how often it was escalated');
	const esc = await same('&escalated=true', (c) => c.escalations > 0);
	await same('&escalated=false', (c) => c.escalations === 0, { min: 10 });
	// An escalation puts the case under supervision too.
	for (const c of esc) assert.equal(c.supervised, true, `escalated case ${c.number} is supervised`);
	assert.ok(esc.some((c) => c.level !== 'grid'), 'escalated cases are handled above grid level');
});

test('department: mine, a unit code or its id', async () => {
	const me = await srv.get('/api/v1/session', { session: dept });
	const myDept = me.json.user?.department ?? me.json.user?.department_id;
	const withCases = deps.find((d) => all.some((c) => c.department === d.id));
	assert.ok(withCases, 'some department has cases');
	await same(`&department=${encodeURIComponent(withCases.code)}`, (c) => c.department === withCases.id);
	await same(`&department=${withCases.id}`, (c) => c.department === withCases.id);
	// cg_dept's own unit: department=mine answers what its code answers.
	const cgj = deps.find((d) => d.code === 'cgj-340600000000');
	assert.ok(cgj);
	if (myDept !== undefined && myDept !== null) assert.equal(myDept, cgj.id);
	const mine = await listAll(dept, '&department=mine');
	const byCode = await listAll(dept, '&department=cgj-340600000000');
	assert.deepEqual(ids(mine), ids(byCode));
	assert.deepEqual(ids(mine), ids(all.filter((c) => c.department === cgj.id)));
	for (const c of mine) assert.equal(c.department, cgj.id);
	await same('&department=mine&open=true', (c) => c.department === cgj.id && !FINISHED.has(c.status), { session: dept, min: 0 });
	// Someone without a unit has no "mine".
	assertError(await srv.get('/api/v1/cases?department=mine', { session: await srv.session('leader') }), 400, 'INVALID_QUERY', 'department');
});

test('grid: the cases of one grid; a grid worker’s own grid', async () => {
	const counts = new Map();
	for (const c of all) if (c.grid) counts.set(c.grid, (counts.get(c.grid) || 0) + 1);
	const [grid] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
	await same(`&grid=${grid}`, (c) => c.grid === grid, { min: 2 });
	await same(`&grid=${grid}&open=true`, (c) => c.grid === grid && !FINISHED.has(c.status), { min: 0 });
	const gw = await srv.session('gw_001');
	const mine = gw.user.region;
	const own = await listAll(gw, `&grid=${mine}`);
	for (const c of own) assert.equal(c.grid, mine);
	assert.deepEqual(ids(own), ids(all.filter((c) => c.grid === mine)));
	assert.deepEqual(await listAll(gw, '&grid=340603001001999'), [], 'another grid: nothing (scope still applies)');
});

test('due_before: a running deadline before the time', async () => {
	const running = all.filter((c) => c.deadline).map((c) => Date.parse(c.deadline)).sort((a, b) => a - b);
	assert.ok(running.length >= 10, 'running deadlines');
	const mid = running[Math.floor(running.length / 2)];
	const iso = new Date(mid).toISOString(); // "…Z"
	const got = await same(`&due_before=${encodeURIComponent(iso)}`, (c) => c.deadline && Date.parse(c.deadline) < mid, { min: 2 });
	assert.ok(got.length < running.length);
	// The +08:00 form, escaped or with its '+' arriving as a space.
	const local = new Date(mid + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00';
	assert.deepEqual(ids(await listAll(center, `&due_before=${encodeURIComponent(local)}`)), ids(got));
	assert.deepEqual(ids(await listAll(center, `&due_before=${local}`)), ids(got));
	// A bare date is that day's midnight in Huaibei.
	const day = new Date(mid + 8 * 3600e3).toISOString().slice(0, 10);
	const midnight = Date.parse(`${day}T00:00:00+08:00`);
	await same(`&due_before=${day}`, (c) => c.deadline && Date.parse(c.deadline) < midnight, { min: 0 });
	// Suspended and finished cases run no deadline: never listed.
	for (const c of got) assert.ok(!FINISHED.has(c.status) && c.status !== 'suspended', c.status);
});

test('the filters combine with each other, the older filters, q and the cursor', async () => {
	const q = '&open=true&supervised=true&status=dispatched,in_progress,resolved,registered';
	const pred = (c) => c.supervised && ['dispatched', 'in_progress', 'resolved', 'registered'].includes(c.status);
	const whole = await same(q, pred, { min: 2 });
	// Paged three at a time: the same cases, in the same order, no repeats.
	const paged = await same(q, pred, { limit: 3 });
	assert.deepEqual(ids(paged), ids(whole));
	assert.equal(new Set(ids(paged)).size, paged.length);
	// With region (a subtree), overdue and kind.
	const xs = await srv.get(`/api/v1/regions/${XIANGSHAN}`, { session: center });
	assert.equal(xs.status, 200, xs.text);
	const inXs = (c) => c.region.startsWith(XIANGSHAN.slice(0, 6));
	await same(`&region=${XIANGSHAN}&open=true&overdue=true`, (c) => inXs(c) && !FINISHED.has(c.status) && c.overdue, { min: 0, limit: 2 });
	await same(`&kind=event&escalated=false&status=closed,rejected`, (c) => c.kind === 'event' && c.escalations === 0 && ['closed', 'rejected'].includes(c.status), { limit: 7 });
	const due = new Date(Date.parse('2026-12-31T00:00:00Z')).toISOString();
	await same(`&due_before=${encodeURIComponent(due)}&supervised=false&open=true`, (c) => c.deadline && Date.parse(c.deadline) < Date.parse(due) && !c.supervised, { min: 1, limit: 5 });
	// Full-text search with a filter: a word of some case's title.
	const sample = all.find((c) => c.status === 'closed');
	const word = [...sample.title].slice(0, 2).join('');
	const hits = await listAll(center, `&q=${encodeURIComponent(word)}`);
	assert.ok(hits.some((c) => c.id === sample.id));
	const closedHits = await listAll(center, `&q=${encodeURIComponent(word)}&open=false`, 2);
	assert.deepEqual(ids(closedHits), ids(hits.filter((c) => FINISHED.has(c.status))));
});

test('bad values: 400 INVALID_QUERY naming the parameter, nothing else', async () => {
	const bad = {
		status: ['', 'bogus', 'dispatched,', ',dispatched', 'dispatched,,closed', 'dispatched,bogus', Array(17).fill('closed').join(','), 'DISPATCHED'],
		open: ['', 'yes', '1', 'TRUE'],
		supervised: ['', '0', 'no'],
		escalated: ['', 'y', 'true,false'],
		department: ['', 'nope', '999999999', '-1', 'x'.repeat(80)],
		grid: ['', '123', '34060300100100a', '3406030010010011', ' 340603001001001'],
		due_before: ['', 'tomorrow', '2026-13-01', '2026-11-27T25:00:00+08:00', '1700000000', 'x'.repeat(100)],
	};
	for (const [name, values] of Object.entries(bad)) {
		for (const v of values) {
			const r = await srv.get(`/api/v1/cases?${name}=${encodeURIComponent(v)}`, { session: center });
			assertError(r, 400, 'INVALID_QUERY', name, `${name}=${v}`);
		}
	}
	// A good filter beside a bad one: still the bad one's 400.
	assertError(await srv.get('/api/v1/cases?open=true&grid=1', { session: center }), 400, 'INVALID_QUERY', 'grid');
	assertError(await srv.get('/api/v1/cases?status=closed&cursor=abc', { session: center }), 400, 'INVALID_QUERY', 'cursor');
});

test('every filter at once with the longest search: an answer, never a 5xx', async () => {
	const statuses = ['reported', 'registered', 'dispatched', 'in_progress', 'resolved', 'closed', 'suspended', 'rejected', 'merged', 'mediating', 'agreement', 'failed', 'confirmed', 'reviewing', 'reviewed', 're_reviewing'];
	const chars = '垃圾噪音占道经营路灯井盖违章搭建污水外溢邻里纠纷信访事项道路交通安全生产隐患排查社区网格街道城市管理绿地扬尘机动车停放公共设施损坏维修环境卫生';
	const q = [...chars].slice(0, 98).reduce((a, ch, i) => a + ch + (i % 2 ? ' ' : ''), '').slice(0, 100);
	for (const open of ['true', 'false']) {
		const url = `/api/v1/cases?status=${statuses.join(',')}&open=${open}&supervised=false&escalated=false&department=cgj-340600000000&grid=340603001001001&due_before=2030-01-01&overdue=false&kind=event&category=06010&region=${XIANGSHAN}&q=${encodeURIComponent(q)}&limit=5&cursor=99999999`;
		const r = await srv.get(url, { session: center });
		assert.ok(r.status === 200 || r.status === 400, `${r.status} ${r.text}`);
		if (r.status === 200) assert.deepEqual(r.json.items, []);
	}
});
