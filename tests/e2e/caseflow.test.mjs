// caseflow.test.mjs - the side paths of the case loop, as the demo roles: extensions
// (approve moves the deadline by working days, deny does not; the limits), suspend and
// resume (the deadline moves by the time suspended), supervise, manual escalation up to
// the city, merge, reject, rating after close (good and neutral end it, a bad rating
// opens a rectification on its own 15-working-day deadline, ended by one more rating),
// only the reporter rates, concurrent actions with one If-Match, and scope.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DUJI, PASSWORD, assertError, cliDbOk, randomId, sleep, startServer } from './lib.mjs';

let srv;
let gw;
let center;
let dept;
let xs;
let leader;
let citizen;
let gridCode;
let cgj;

before(async () => {
	srv = await startServer();
	gw = await srv.session('gw_001');
	center = await srv.session('center');
	dept = await srv.session('cg_dept');
	xs = await srv.session('xs_center');
	leader = await srv.session('leader');
	citizen = await srv.session('citizen');
	const me = await srv.get('/api/v1/session', { session: gw });
	gridCode = me.json.user?.region ?? me.json.region;
	const deps = await srv.get('/api/v1/departments?limit=200', { session: await srv.session('admin') });
	cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	assert.ok(cgj, deps.text);
});

after(async () => {
	await srv?.close();
});

async function report(session = gw, extra = {}) {
	const r = await srv.post('/api/v1/cases', { session, json: { kind: 'event', category: '06010', title: `路边暴露垃圾 ${randomId(3)}`, region: gridCode, ...extra } });
	assert.equal(r.status, 201, r.text);
	return { ...r.json, etag: r.headers.etag };
}

function act(session, c, action, json = {}, etag = c.etag) {
	return srv.post(`/api/v1/cases/${c.id}/actions/${action}`, { session, json, headers: etag ? { 'If-Match': etag } : {} });
}

async function view(session, id) {
	const r = await srv.get(`/api/v1/cases/${id}`, { session });
	assert.equal(r.status, 200, r.text);
	return { ...r.json, etag: r.headers.etag };
}

/* Takes an action as `session` on the case as that user sees it now; asserts 200. */
async function step(session, c, action, json, status) {
	const v = await view(session, c.id);
	const r = await act(session, v, action, json);
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	if (status) assert.equal(r.json.status, status, action);
	assert.equal(r.json.timeline.length, v.timeline.length + 1, `${action}: one timeline entry`);
	return { ...r.json, etag: r.headers.etag };
}

async function inProgress(session = gw) {
	let c = await report(session);
	c = await step(center, c, 'register', {}, 'registered');
	c = await step(center, c, 'dispatch', { department: cgj.id }, 'dispatched');
	return step(dept, c, 'accept', {}, 'in_progress');
}

async function closed(session) {
	let c = await inProgress(session);
	c = await step(dept, c, 'report_result', { result: '已清运' }, 'resolved');
	return step(center, c, 'verify', { fixed: true }, 'closed');
}

async function due(query) {
	const r = await srv.get(`/api/v1/calendar/due?${query}`, { session: center });
	assert.equal(r.status, 200, r.text);
	return Date.parse(r.json.due);
}

test('extensions: approve moves the deadline by working days, deny does not, and the limits', async () => {
	let c = await inProgress();
	const d0 = c.deadline;
	assert.ok(d0, 'handling runs on a deadline');
	assertError(await act(dept, await view(dept, c.id), 'request_extension', { days: 3 }), 400, 'MISSING_FIELD', 'reason');
	assertError(await act(dept, await view(dept, c.id), 'request_extension', { days: 16, reason: '太多' }), 400, 'INVALID_FIELD', 'days');
	assertError(await act(center, await view(center, c.id), 'approve_extension'), 409, 'ACTION_NOT_ALLOWED', undefined, 'nothing asked');
	c = await step(dept, c, 'request_extension', { days: 3, reason: '需协调多个部门' }, 'in_progress');
	assert.equal(c.deadline, d0, 'asking changes no deadline');
	assert.ok(!(await view(dept, c.id)).actions.includes('request_extension'), 'one request at a time');
	assertError(await act(dept, await view(dept, c.id), 'approve_extension'), 409, 'ACTION_NOT_ALLOWED', undefined, 'the department cannot approve');
	const cv = await view(center, c.id);
	assert.ok(cv.actions.includes('approve_extension') && cv.actions.includes('deny_extension'), JSON.stringify(cv.actions));
	c = await step(center, c, 'approve_extension', {}, 'in_progress');
	assert.equal(Date.parse(c.deadline), await due(`working_days=3&from=${encodeURIComponent(d0)}`), 'three working days later on the calendar');
	const d1 = c.deadline;

	c = await step(dept, c, 'request_extension', { days: 15, reason: '再延' }, 'in_progress');
	c = await step(center, c, 'deny_extension', {}, 'in_progress');
	assert.equal(c.deadline, d1, 'a denial keeps the deadline');
	c = await step(dept, c, 'request_extension', { days: 15, reason: '第二次' }, 'in_progress');
	c = await step(center, c, 'approve_extension', {}, 'in_progress');
	assert.equal(Date.parse(c.deadline), await due(`working_days=15&from=${encodeURIComponent(d1)}`));
	// Two extensions granted: the event kind allows no more.
	assertError(await act(dept, await view(dept, c.id), 'request_extension', { days: 1, reason: '第三次' }), 409, 'EXTENSION_LIMIT_REACHED');
	assert.deepEqual(c.timeline.map((e) => e.action).filter((a) => a.includes('extension')), ['request_extension', 'approve_extension', 'request_extension', 'deny_extension', 'request_extension', 'approve_extension']);
});

test('suspend and resume: the deadline moves by the time suspended', async () => {
	let c = await inProgress();
	const d0 = Date.parse(c.deadline);
	assertError(await act(dept, await view(dept, c.id), 'suspend'), 409, 'ACTION_NOT_ALLOWED', undefined, 'a department does not suspend');
	c = await step(center, c, 'suspend', { reason: '等待产权单位答复' }, 'suspended');
	assert.equal(c.deadline, null, 'no deadline runs while suspended');
	assert.deepEqual((await view(dept, c.id)).actions, [], 'the department has nothing to do');
	await sleep(2100);
	c = await step(center, c, 'resume', {}, 'in_progress');
	const [s, r] = c.timeline.slice(-2);
	assert.equal(s.action, 'suspend');
	assert.equal(r.action, 'resume');
	const paused = Date.parse(r.at) - Date.parse(s.at);
	assert.ok(paused >= 2000, `paused ${paused} ms`);
	assert.equal(Date.parse(c.deadline), d0 + paused, 'the deadline moved by the pause');
	assert.ok((await view(dept, c.id)).actions.includes('report_result'));
});

test('supervise, and manual escalation up to the city', async () => {
	let c = await report();
	assert.equal(c.level, 'town');
	assert.ok(!(await view(leader, c.id)).actions.includes('supervise'), 'not before it is registered');
	c = await step(center, c, 'register', {}, 'registered');
	assertError(await act(dept, await view(dept, c.id), 'supervise'), 409, 'ACTION_NOT_ALLOWED');
	c = await step(leader, c, 'supervise', {}, 'registered');
	assert.equal(c.supervised, true);
	assertError(await act(leader, await view(leader, c.id), 'supervise'), 409, 'ACTION_NOT_ALLOWED', undefined, 'once');

	assertError(await act(center, await view(center, c.id), 'escalate'), 400, 'MISSING_FIELD', 'reason');
	const d0 = c.deadline;
	c = await step(xs, c, 'escalate', { reason: '街道无力处置' }, 'registered');
	assert.equal(c.level, 'district');
	assert.equal(c.timeline.at(-1).note, '街道无力处置');
	assert.ok(Date.parse(c.deadline) >= Date.parse(d0), 'the new level gets its own time');
	assert.ok((await view(xs, c.id)).actions.includes('dispatch'), 'the district still handles it');
	c = await step(center, c, 'escalate', { reason: '涉及多区' }, 'registered');
	assert.equal(c.level, 'city');
	assert.ok(!(await view(xs, c.id)).actions.includes('dispatch'), 'a district dispatcher no longer acts at city level');
	assertError(await act(xs, await view(xs, c.id), 'escalate', { reason: '再提' }), 409, 'ACTION_NOT_ALLOWED');
	assertError(await act(center, await view(center, c.id), 'escalate', { reason: '再提' }), 409, 'CASE_AT_TOP_LEVEL');
	assert.ok((await view(center, c.id)).actions.includes('dispatch'));
});

test('merge: final, no actions left; not into itself or a case out of scope', async () => {
	const into = await report();
	let c = await report();
	const dj = await report(center, { region: DUJI });
	assertError(await act(center, c, 'merge', {}), 400, 'MISSING_FIELD', 'into');
	assertError(await act(center, c, 'merge', { into: c.id }), 400, 'INVALID_FIELD', 'into');
	assertError(await act(xs, await view(xs, c.id), 'merge', { into: dj.id }), 404, 'CASE_NOT_FOUND', 'into', '杜集区 is outside 相山区');
	assertError(await act(center, c, 'merge', { into: 999999999 }), 404, 'CASE_NOT_FOUND', 'into');
	assertError(await act(gw, c, 'merge', { into: into.id }), 409, 'ACTION_NOT_ALLOWED', undefined, 'a grid worker does not merge');
	c = await step(center, c, 'merge', { into: into.id }, 'merged');
	assert.equal(c.merged_into, into.id);
	assert.equal(c.deadline, null);
	assert.deepEqual(c.actions, []);
	for (const s of [center, xs, leader]) assert.deepEqual((await view(s, c.id)).actions, []);
	assertError(await act(center, c, 'register'), 409, 'ACTION_NOT_ALLOWED', undefined, 'a merged case is final');
	assert.equal((await view(center, into.id)).status, 'reported', 'the case merged into is untouched');
	const third = await report();
	assertError(await act(center, third, 'merge', { into: c.id }), 409, 'ACTION_NOT_ALLOWED', 'into', 'not into a merged case');
	await step(center, third, 'merge', { into: into.id }, 'merged');
});

test('reject: final, with its reason', async () => {
	let c = await report();
	assertError(await act(center, c, 'reject', {}), 400, 'MISSING_FIELD', 'reason');
	assertError(await act(dept, c, 'reject', { reason: '重复' }), 409, 'ACTION_NOT_ALLOWED');
	c = await step(center, c, 'reject', { reason: '不属于城管范围' }, 'rejected');
	assert.equal(c.timeline.at(-1).note, '不属于城管范围');
	assert.equal(c.deadline, null);
	assert.deepEqual(c.actions, []);
	assertError(await act(center, c, 'register'), 409, 'ACTION_NOT_ALLOWED');
});

test('rating after close: good and neutral end it, bad opens one rectification', async () => {
	const other = `cz_${randomId(3)}`;
	cliDbOk(srv.db, ['user', 'add', '--username', other, '--name', '另一位市民', '--region', '340600000000', '--roles', 'citizen', '--password-stdin'], { input: `${PASSWORD}\n` });
	const otherCitizen = await srv.session(other);
	for (const level of [5, 4, 3, 2, 1]) {
		let c = await closed(citizen);
		let v = await view(citizen, c.id);
		assert.deepEqual(v.actions, ['rate'], `the reporter may rate (${level})`);
		assertError(await act(otherCitizen, await view(otherCitizen, c.id), 'rate', { level }), 409, 'ACTION_NOT_ALLOWED', undefined, 'another citizen');
		assertError(await act(center, await view(center, c.id), 'rate', { level }), 409, 'ACTION_NOT_ALLOWED', undefined, 'the dispatcher');
		assertError(await act(citizen, v, 'rate', { level: 6 }), 400, 'INVALID_FIELD', 'level');
		c = await step(citizen, c, 'rate', { level, comment: `评价${level}` });
		assert.equal(c.rating, level);
		const word = level >= 4 ? 'good' : level === 3 ? 'neutral' : 'bad';
		assert.equal(c.timeline.at(-1).action, `rate.${word}`);
		if (word !== 'bad') {
			assert.equal(c.status, 'closed');
			assert.equal(c.deadline, null);
			assert.deepEqual(c.actions, [], 'one rating');
			assertError(await act(citizen, c, 'rate', { level: 1 }), 409, 'ACTION_NOT_ALLOWED');
			continue;
		}
		// Rectification (整改): in progress again, 15 working days from the rating.
		assert.equal(c.status, 'in_progress');
		const at = c.timeline.at(-1).at;
		assert.equal(Date.parse(c.deadline), await due(`working_days=15&from=${encodeURIComponent(at)}`), 'the rectification deadline');
		assert.ok((await view(dept, c.id)).actions.includes('report_result'));
		c = await step(dept, c, 'report_result', { result: '已整改' }, 'resolved');
		c = await step(center, c, 'verify', { fixed: true }, 'closed');
		v = await view(citizen, c.id);
		assert.deepEqual(v.actions, ['rate'], 'one more rating after the rectification');
		c = await step(citizen, c, 'rate', { level: 1 }, 'closed');
		assert.equal(c.timeline.at(-1).action, 'rate.bad');
		assert.equal(c.deadline, null, 'no second rectification');
		assert.deepEqual(c.actions, []);
		assertError(await act(citizen, c, 'rate', { level: 5 }), 409, 'ACTION_NOT_ALLOWED');
	}
});

test('conflicting concurrent actions with one If-Match: exactly one wins', async () => {
	for (let round = 0; round < 3; round++) {
		// Every one of these may be taken in this state: only the version decides.
		const c = await step(center, await report(), 'register', {}, 'registered');
		const rs = await Promise.all([
			...Array.from({ length: 2 }, () => act(center, c, 'dispatch', { department: cgj.id })),
			...Array.from({ length: 2 }, () => act(center, c, 'suspend', { reason: '暂缓' })),
			...Array.from({ length: 2 }, () => act(leader, c, 'supervise')),
			...Array.from({ length: 2 }, () => act(center, c, 'escalate', { reason: '提级' })),
		]);
		const ok = rs.filter((r) => r.status === 200);
		assert.equal(ok.length, 1, rs.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n'));
		for (const r of rs.filter((x) => x.status !== 200)) assertError(r, 412, 'PRECONDITION_FAILED');
		const now = await view(center, c.id);
		assert.equal(now.timeline.length, 3, 'one action recorded');
		assert.equal(now.version, c.version + 1);
	}
});

test('scope: 相山区’s dispatcher can neither see nor act on a 杜集区 case', async () => {
	const dj = await report(center, { region: DUJI });
	assertError(await srv.get(`/api/v1/cases/${dj.id}`, { session: xs }), 404, 'CASE_NOT_FOUND');
	assertError(await act(xs, dj, 'register'), 404, 'CASE_NOT_FOUND');
	assertError(await act(xs, dj, 'reject', { reason: '越权' }), 404, 'CASE_NOT_FOUND');
	const list = await srv.get('/api/v1/cases?limit=200', { session: xs });
	assert.ok(!list.json.items.some((x) => x.id === dj.id));
	assert.equal((await view(center, dj.id)).status, 'reported', 'nothing changed');
	await step(center, dj, 'register', {}, 'registered');
});
