// cases.test.mjs - the first slice of cases: a grid worker reports exposed garbage in its
// grid, the city centre registers and dispatches it, the city management bureau handles
// it, a failed verification sends it back, and it closes; ETags, scope, idempotency and
// bad input along the way.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PASSWORD, DUJI, assertError, cliDbOk, randomId, startServer } from './lib.mjs';

let srv;
let gw;
let center;
let dept;
let xs;
let admin;
let gridCode;
let point;

before(async () => {
	srv = await startServer();
	admin = await srv.session('admin');
	gw = await srv.session('gw_001');
	center = await srv.session('center');
	dept = await srv.session('cg_dept');
	xs = await srv.session('xs_center');
	const me = await srv.get('/api/v1/session', { session: gw });
	assert.equal(me.status, 200, me.text);
	gridCode = me.json.user?.region ?? me.json.region;
	assert.match(gridCode, /^\d{15}$/, me.text);
	point = await srv.pointInGrid(gridCode);
	assert.ok(point, 'a point inside gw_001’s grid');
});

after(async () => {
	await srv?.close();
});

const report = (body, session = gw, headers = {}) => srv.post('/api/v1/cases', { session, json: body, headers });
const garbage = (extra = {}) => ({ kind: 'event', category: '06010', title: '路边暴露垃圾', description: '垃圾桶旁堆放', location: { lon: point[0], lat: point[1] }, ...extra });

async function act(session, c, action, json, etag = c.etag) {
	return srv.post(`/api/v1/cases/${c.id}/actions/${action}`, { session, json: json ?? {}, headers: etag ? { 'If-Match': etag } : {} });
}

async function view(session, id) {
	const r = await srv.get(`/api/v1/cases/${id}`, { session });
	assert.equal(r.status, 200, r.text);
	return { ...r.json, etag: r.headers.etag };
}

async function step(session, c, action, json, status) {
	const r = await act(session, c, action, json);
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	assert.equal(r.json.status, status, action);
	assert.notEqual(r.headers.etag, c.etag, `${action} changes the ETag`);
	assert.equal(r.json.timeline.length, c.timeline.length + 1, `${action}: one timeline entry`);
	assert.equal(r.json.timeline.at(-1).status_after, status);
	return { ...r.json, etag: r.headers.etag };
}

test('the closed loop: report, register, dispatch, handle, rework, close', async () => {
	const r = await report(garbage());
	assert.equal(r.status, 201, r.text);
	assert.equal(r.headers.location, `/api/v1/cases/${r.json.id}`);
	assert.ok(r.headers.etag);
	let c = { ...r.json, etag: r.headers.etag };
	assert.equal(c.status, 'reported');
	assert.equal(c.grid, gridCode);
	assert.equal(c.region, gridCode);
	assert.equal(c.kind, 'event');
	assert.equal(c.category, '06010');
	assert.match(c.number, /^\d{13}$/);
	assert.equal(c.timeline.length, 1);
	assert.deepEqual(c.actions, [], 'the reporter has nothing to do now');
	assert.match(c.deadline, /^\d{4}-\d\d-\d\dT/);

	const deps = await srv.get('/api/v1/departments?limit=200', { session: admin });
	assert.equal(deps.status, 200, deps.text);
	const cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	assert.ok(cgj, deps.text);

	c = await view(center, c.id);
	assert.ok(c.actions.includes('register'), JSON.stringify(c.actions));
	assert.ok(c.actions.includes('reject'));
	assert.ok(!c.actions.includes('accept'));

	// The wrong role, a missing and a stale If-Match.
	assertError(await act(dept, c, 'register'), 409, 'ACTION_NOT_ALLOWED');
	assertError(await act(center, c, 'register', {}, null), 428, 'PRECONDITION_REQUIRED');
	c = await step(center, c, 'register', {}, 'registered');
	assertError(await act(center, c, 'dispatch', { department: cgj.id }, `"${c.id}-1"`), 412, 'PRECONDITION_FAILED');
	assertError(await act(center, c, 'dispatch', {}), 400, 'MISSING_FIELD', 'department');
	assertError(await act(center, c, 'dispatch', { department: cgj.id, bogus: 1 }), 400, 'UNKNOWN_FIELD', 'bogus');
	c = await step(center, c, 'dispatch', { department: cgj.id }, 'dispatched');
	assert.equal(c.department, cgj.id);

	let d = await view(dept, c.id);
	assert.ok(d.actions.includes('accept'), JSON.stringify(d.actions));
	assert.ok(d.actions.includes('return'), `within 5 working days of dispatch: ${d.actions}`);
	assertError(await act(dept, d, 'return', {}), 400, 'MISSING_FIELD', 'reason');
	c = await step(dept, d, 'accept', {}, 'in_progress');
	d = await view(dept, c.id);
	assert.ok(d.actions.includes('report_result'), JSON.stringify(d.actions));
	c = await step(dept, d, 'report_result', { result: '已清运' }, 'resolved');
	c = await view(center, c.id);
	assert.ok(c.actions.includes('verify'), JSON.stringify(c.actions));
	c = await step(center, c, 'verify', { fixed: false }, 'in_progress');
	c = await step(dept, await view(dept, c.id), 'report_result', { result: '再次清运' }, 'resolved');
	c = await step(center, await view(center, c.id), 'verify', { fixed: true }, 'closed');
	assert.equal(c.timeline.length, 8, 'create and seven actions');

	// Scope: 相山区's centre sees it; a 杜集区 dispatcher does not.
	assert.equal((await srv.get(`/api/v1/cases/${c.id}`, { session: xs })).status, 200);
	const dj = `dj_${randomId(3)}`;
	cliDbOk(srv.db, ['user', 'add', '--username', dj, '--name', '杜集区指挥中心', '--region', DUJI, '--roles', 'dispatcher', '--password-stdin'], { input: `${PASSWORD}\n` });
	const djs = await srv.session(dj);
	assertError(await srv.get(`/api/v1/cases/${c.id}`, { session: djs }), 404, 'CASE_NOT_FOUND');
	const list = await srv.get('/api/v1/cases?status=closed', { session: xs });
	assert.equal(list.status, 200, list.text);
	assert.ok(list.json.items.some((x) => x.id === c.id));
	const none = await srv.get('/api/v1/cases', { session: djs });
	assert.ok(!none.json.items.some((x) => x.id === c.id));
	const found = await srv.get(`/api/v1/cases?q=${encodeURIComponent('垃圾')}`, { session: xs });
	assert.equal(found.status, 200, found.text);
	assert.ok(found.json.items.some((x) => x.id === c.id), 'found by a 2-character term');
	assertError(await srv.get(`/api/v1/cases?q=${encodeURIComponent('，。')}`, { session: xs }), 400, 'INVALID_QUERY', 'q');
});

test('a department returns a case dispatched to it by mistake', async () => {
	const r = await report(garbage({ title: '错派' }));
	assert.equal(r.status, 201, r.text);
	const deps = await srv.get('/api/v1/departments?limit=200', { session: admin });
	const cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	let c = await step(center, await view(center, r.json.id), 'register', {}, 'registered');
	c = await step(center, c, 'dispatch', { department: cgj.id }, 'dispatched');
	c = await step(dept, await view(dept, c.id), 'return', { reason: '不属本部门职责' }, 'registered');
	assert.equal(c.timeline.at(-1).note, '不属本部门职责');
	assert.ok((await view(center, c.id)).actions.includes('dispatch'));
});

test('an Idempotency-Key replays the first case; another body with it is 422', async () => {
	const key = randomId(8);
	const a = await report(garbage({ title: '重复提交' }), gw, { 'Idempotency-Key': key });
	assert.equal(a.status, 201, a.text);
	const b = await report(garbage({ title: '重复提交' }), gw, { 'Idempotency-Key': key });
	assert.ok(b.status === 200 || b.status === 201, b.text);
	assert.equal(b.json.id, a.json.id);
	assertError(await report(garbage({ title: '另一份' }), gw, { 'Idempotency-Key': key }), 422, 'IDEMPOTENCY_KEY_REUSED');
});

test('bad reports are 400 with the field and create nothing', async () => {
	const before_ = await srv.get('/api/v1/cases?limit=200', { session: center });
	assertError(await report(garbage({ category: '99999' })), 404, 'CATEGORY_NOT_FOUND', 'category');
	const { location, ...noLoc } = garbage();
	void location;
	assertError(await report(noLoc), 400, 'MISSING_FIELD', 'location');
	assertError(await report(garbage({ title: '长'.repeat(201) })), 400, 'FIELD_TOO_LONG', 'title');
	assertError(await report(garbage({ colour: 'red' })), 400, 'UNKNOWN_FIELD', 'colour');
	const after_ = await srv.get('/api/v1/cases?limit=200', { session: center });
	assert.equal(after_.json.items.length, before_.json.items.length);
});

test('the server exits 0 on SIGTERM', async () => {
	await srv.stop();
});
