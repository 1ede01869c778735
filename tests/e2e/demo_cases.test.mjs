// demo_cases.test.mjs - `civicgrid demo --cases N --seed S`: the same seed and end date
// give the same cases in two fresh databases; the statuses are spread as intended; every
// case's timeline starts with its report and ends in its status; overdue cases exist;
// a second run adds nothing; the server serves the cases in scope (相山区's dispatcher
// sees only 相山区's); one audit record for the whole generation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PASSWORD, SHARED_DATA, XIANGSHAN, cliAsync, makeDb, startServer } from './lib.mjs';

const N = 300;
const ARGS = ['--cases', String(N), '--seed', '7', '--until', '2026-11-20'];

let dbs = [];
let srvs = [];
let lists = [];

async function demo(db) {
	const args = ['demo', '--db', db.url, '--password', PASSWORD, '--shared-data', SHARED_DATA, ...ARGS];
	const r = await cliAsync(args, { timeout: 300000 });
	assert.equal(r.status, 0, `civicgrid ${args.join(' ')} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
	return r;
}

/* Every case the session sees, newest first, following the cursors. */
async function listAll(srv, session, query = '') {
	const items = [];
	let cursor = null;
	for (let i = 0; i < 100; i++) {
		const r = await srv.get(`/api/v1/cases?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`, { session });
		assert.equal(r.status, 200, r.text);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null) return items;
	}
	assert.fail('case paging did not end');
}

before(async () => {
	dbs = [makeDb(), makeDb()];
	const runs = [];
	for (const db of dbs) runs.push(await demo(db));
	assert.match(runs[0].stdout, new RegExp(`demo cases: ${N} cases up to 2026-11-20 \\(seed 7\\)`));
	for (const db of dbs) srvs.push(await startServer({ db, demo: false, args: ['--tick-interval', '0'] }));
	for (const srv of srvs) lists.push(await listAll(srv, await srv.session('center')));
});

after(async () => {
	for (const s of srvs) await s.close();
	for (const db of dbs) db.drop();
});

const fields = (c) => ({
	id: c.id,
	number: c.number,
	kind: c.kind,
	category: c.category,
	title: c.title,
	status: c.status,
	level: c.level,
	region: c.region,
	grid: c.grid,
	department: c.department,
	location: c.location,
	address: c.address,
	channel: c.channel,
	deadline: c.deadline,
	overdue: c.overdue,
	supervised: c.supervised,
	rating: c.rating,
	created_at: c.created_at,
	updated_at: c.updated_at,
});

test('the same seed and end date give the same cases in two fresh databases', () => {
	assert.equal(lists[0].length, N);
	assert.equal(lists[1].length, N);
	assert.deepEqual(lists[0].map(fields), lists[1].map(fields));
	// Numbers are the report's day and that day's sequence, in creation order.
	const byId = [...lists[0]].sort((a, b) => a.id - b.id);
	for (let i = 1; i < byId.length; i++) assert.ok(byId[i].created_at >= byId[i - 1].created_at, 'ids follow creation time');
	for (const c of byId) {
		assert.match(c.number, /^\d{13}$/);
		assert.ok(c.created_at < '2026-11-20T00:00:00+08:00' && c.created_at >= '2025-11-20T00:00:00+08:00', c.created_at);
	}
});

test('kinds, channels and statuses are spread as intended', async () => {
	const cases = lists[0];
	const count = (f) => cases.filter(f).length;
	const by = (key) => cases.reduce((m, c) => ((m[c[key]] = (m[c[key]] || 0) + 1), m), {});
	const kinds = by('kind');
	assert.ok(kinds.event > N / 2, JSON.stringify(kinds));
	assert.ok(Object.keys(kinds).length >= 4, JSON.stringify(kinds));
	assert.ok(Object.keys(by('channel')).length >= 5, JSON.stringify(by('channel')));
	const closed = count((c) => c.status === 'closed');
	const rated = count((c) => c.status === 'closed' && c.rating !== undefined);
	assert.ok(closed > N * 0.75, `closed ${closed}`);
	assert.ok(rated > closed / 2, `rated ${rated} of ${closed}`);
	assert.ok(count((c) => c.rating >= 4) > rated * 0.8, 'mostly 满意 and 非常满意');
	assert.ok(count((c) => c.status === 'rejected') >= 1, 'some rejected');
	const open = count((c) => !['closed', 'rejected', 'merged', 'final', 'reviewed'].includes(c.status));
	assert.ok(open >= 3 && open < N / 4, `open ${open}`);
	const overdue = count((c) => c.overdue);
	assert.ok(overdue >= 1, 'overdue cases exist');
	assert.ok(count((c) => c.supervised) >= 5, 'escalated and supervised cases exist');
	assert.ok(count((c) => c.level === 'city') >= 1);
	// Every case lies in a grid, with a point the grid index puts in that grid.
	for (const c of cases) assert.match(c.grid, /^\d{15}$/);
	const admin = await srvs[0].session('admin');
	for (const c of cases.slice(0, 20)) {
		assert.ok(c.location, `case ${c.id} has a location`);
		const r = await srvs[0].get(`/api/v1/grids/locate?lon=${c.location.lon}&lat=${c.location.lat}`, { session: admin });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.grid, c.grid, `case ${c.id}'s point lies in its grid`);
	}
	// The overdue filter serves them.
	const od = await listAll(srvs[0], await srvs[0].session('center'), '&overdue=true');
	assert.equal(od.length, overdue);
	for (const c of od) assert.equal(c.overdue, true);
	// Urban districts have more cases than rural 濉溪县 for their size: 相山区 alone has
	// more than a sixth of them.
	assert.ok(count((c) => c.region.startsWith('340603')) > N / 6);
});

test('every timeline starts with the report and ends in the case status', async () => {
	const srv = srvs[0];
	const center = await srv.session('center');
	let actions = new Set();
	for (const c of lists[0]) {
		const r = await srv.get(`/api/v1/cases/${c.id}`, { session: center });
		assert.equal(r.status, 200, r.text);
		const tl = r.json.timeline;
		assert.ok(tl.length >= 1);
		assert.equal(tl[0].action, 'create', `case ${c.id}`);
		assert.equal(tl[0].status_after, 'reported');
		assert.equal(tl[0].at, c.created_at);
		for (let i = 1; i < tl.length; i++) {
			assert.equal(tl[i].status_before, tl[i - 1].status_after, `case ${c.id} entry ${i}`);
			assert.ok(tl[i].at >= tl[i - 1].at, `case ${c.id} entry ${i} in time order`);
		}
		assert.equal(tl.at(-1).status_after, r.json.status, `case ${c.id}: the last entry's status`);
		assert.equal(tl.at(-1).at, r.json.updated_at);
		for (const e of tl) actions.add(e.action);
	}
	for (const a of ['register', 'dispatch', 'accept', 'report_result', 'verify.fixed', 'rate.good', 'warn', 'escalate.overdue'])
		assert.ok(actions.has(a), `some timeline has ${a}: ${[...actions].join(' ')}`);
});

test('scope: 相山区 dispatcher sees only 相山区 cases', async () => {
	const srv = srvs[0];
	const xs = await srv.session('xs_center');
	const mine = await listAll(srv, xs);
	const expected = lists[0].filter((c) => c.region.startsWith(XIANGSHAN.slice(0, 6)));
	assert.ok(mine.length > 0);
	assert.deepEqual(mine.map((c) => c.id), expected.map((c) => c.id));
	const other = lists[0].find((c) => !c.region.startsWith(XIANGSHAN.slice(0, 6)));
	const r = await srv.get(`/api/v1/cases/${other.id}`, { session: xs });
	assert.equal(r.status, 404);
});

test('a second run adds nothing; one audit record for the whole generation', async () => {
	const r = await demo(dbs[0]);
	assert.match(r.stdout, /demo cases: the store holds cases already; none added/);
	const again = await listAll(srvs[0], await srvs[0].session('center'));
	assert.equal(again.length, N);
	const recs = await srvs[0].auditAll({ action: 'demo.cases' });
	assert.equal(recs.length, 1, JSON.stringify(recs));
	assert.match(recs[0].detail, /cases=300 seed=7 until=2026-11-20/);
	// The generator writes no record per case (the servers here run no scheduler pass,
	// which would audit escalations of the generated overdue cases).
	const creates = await srvs[0].auditAll({ action: 'case.create' });
	assert.equal(creates.length, 0, 'no audit record per case');
});

test('bad options change nothing', async () => {
	const db = dbs[1];
	for (const bad of [['--cases', '-1'], ['--cases', 'x'], ['--cases', '5', '--until', '2026-13-01'], ['--seed', '3']]) {
		const r = await cliAsync(['demo', '--db', db.url, '--shared-data', SHARED_DATA, ...bad]);
		assert.equal(r.status, 2, `${bad.join(' ')}: ${r.stderr}`);
		assert.match(r.stderr, /civicgrid demo: /);
	}
});
