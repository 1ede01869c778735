// scheduler.test.mjs - the case scheduler moved through time with `civicgrid tick --now`:
// the yellow warning, the red overdue mark and escalation one level up per the escalation
// policy, each once; notifications to the right demo users; the policy's API (validation,
// ETag, sysadmin only); two ticks at once change a case once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, cliAsync, cliDbOk, startServer } from './lib.mjs';

let srv;
let gw;
let center;
let dept;
let xs;
let admin;
let point;
let cgj;

before(async () => {
	// No passes in the background: time moves only when the test ticks.
	srv = await startServer({ args: ['--tick-interval', '0'] });
	admin = await srv.session('admin');
	gw = await srv.session('gw_001');
	center = await srv.session('center');
	dept = await srv.session('cg_dept');
	xs = await srv.session('xs_center');
	const me = await srv.get('/api/v1/session', { session: gw });
	const gridCode = me.json.user?.region ?? me.json.region;
	point = await srv.pointInGrid(gridCode);
	assert.ok(point, 'a point inside gw_001’s grid');
	const deps = await srv.get('/api/v1/departments?limit=200', { session: admin });
	cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	assert.ok(cgj, deps.text);
});

after(async () => {
	await srv?.close();
});

const sec = (iso) => Math.floor(Date.parse(iso) / 1000);
const iso = (s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function tick(at) {
	const r = cliDbOk(srv.db, ['tick', '--now', iso(at)]);
	assert.match(r.stdout, /^tick .*: \d+ candidates, \d+ warned, \d+ overdue, \d+ escalated/m, r.stdout);
	return r.stdout;
}
const linesOf = (out, number) => out.split('\n').filter((l) => l.startsWith(`${number} `));

async function view(session, id) {
	const r = await srv.get(`/api/v1/cases/${id}`, { session });
	assert.equal(r.status, 200, r.text);
	return { ...r.json, etag: r.headers.etag };
}

async function act(session, c, action, json = {}) {
	const r = await srv.post(`/api/v1/cases/${c.id}/actions/${action}`, { session, json, headers: { 'If-Match': c.etag } });
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	return { ...r.json, etag: r.headers.etag };
}

async function report(title) {
	const r = await srv.post('/api/v1/cases', { session: gw, json: { kind: 'event', category: '06010', title, location: { lon: point[0], lat: point[1] } } });
	assert.equal(r.status, 201, r.text);
	return { ...r.json, etag: r.headers.etag };
}

async function notes(session, query = '') {
	const r = await srv.get(`/api/v1/notifications?limit=200${query}`, { session });
	assert.equal(r.status, 200, r.text);
	return r.json.items;
}
const about = (items, c, what) => items.filter((n) => n.case === c.id && (!what || n.what === what));

async function policy() {
	const r = await srv.get('/api/v1/escalation-policy', { session: admin });
	assert.equal(r.status, 200, r.text);
	assert.ok(r.headers.etag);
	return { body: r.json, etag: r.headers.etag };
}

function putPolicy(body, etag, session = admin) {
	return srv.req('PUT', '/api/v1/escalation-policy', { session, json: body, headers: etag ? { 'If-Match': etag } : {} });
}

test('the escalation policy: default, validation field by field, ETag, sysadmin only', async () => {
	const p = await policy();
	assert.deepEqual(p.body.levels.town, { warn_percent: 80, escalate: true, grace_hours: 0 });
	assert.equal(p.body.levels.city.escalate, false);
	assert.equal(p.body.max_escalations, 0);
	assert.deepEqual(p.body.categories, {});
	assert.equal((await srv.get('/api/v1/escalation-policy', { session: center })).status, 200);
	assertError(await srv.get('/api/v1/escalation-policy', { session: await srv.session('citizen') }), 403, 'FORBIDDEN');

	const bad = structuredClone(p.body);
	bad.levels.town.warn_percent = 150;
	assertError(await putPolicy(bad, p.etag), 400, 'INVALID_FIELD', 'levels.town.warn_percent');
	assertError(await putPolicy({ levels: { county: { escalate: true } } }, p.etag), 400, 'UNKNOWN_FIELD', 'levels.county');
	assertError(await putPolicy({ levels: { town: { escalate: 'yes' } } }, p.etag), 400, 'INVALID_FIELD', 'levels.town.escalate');
	assertError(await putPolicy({ levels: { town: { grace_hours: -1 } } }, p.etag), 400, 'INVALID_FIELD', 'levels.town.grace_hours');
	assertError(await putPolicy({ max_escalations: 'x' }, p.etag), 400, 'INVALID_FIELD', 'max_escalations');
	assertError(await putPolicy({ categories: { 99999: { levels: {} } } }, p.etag), 404, 'CATEGORY_NOT_FOUND', 'categories.99999');
	assertError(await putPolicy({ colour: 1 }, p.etag), 400, 'UNKNOWN_FIELD', 'colour');
	assertError(await putPolicy(p.body, null), 428, 'PRECONDITION_REQUIRED');
	assertError(await putPolicy(p.body, '"stale"'), 412, 'PRECONDITION_FAILED');
	assertError(await putPolicy(p.body, p.etag, center), 403, 'FORBIDDEN');
	const same = await policy();
	assert.equal(same.etag, p.etag, 'nothing changed');
	assert.deepEqual(same.body, p.body);

	// A category override round-trips; then back to the default.
	const withCat = { ...p.body, categories: { '01': { levels: { district: { warn_percent: 50, escalate: false, grace_hours: 2 } } } } };
	const r = await putPolicy(withCat, p.etag);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.categories['01'].levels.district, { warn_percent: 50, escalate: false, grace_hours: 2 });
	assert.notEqual(r.headers.etag, p.etag);
	const audit = await srv.auditAll({ action: 'escalation_policy.set' });
	assert.ok(audit.length >= 1, 'audited');
	const back = await putPolicy(p.body, r.headers.etag);
	assert.equal(back.status, 200, back.text);
});

test('warn, overdue and escalation, each once, with notifications to the right users', async () => {
	// Town-level cases wait a day past the deadline before they go up: the red mark first.
	const p = await policy();
	const pol = structuredClone(p.body);
	pol.levels.town.grace_hours = 24;
	let r = await putPolicy(pol, p.etag);
	assert.equal(r.status, 200, r.text);

	let c = await report('堆放垃圾待清运');
	assert.equal(c.level, 'town');
	c = await act(center, await view(center, c.id), 'register');
	c = await act(center, c, 'dispatch', { department: cgj.id });
	const start = sec(c.timeline.at(-1).at);
	const due = sec(c.deadline);
	assert.ok(due > start, c.deadline);
	const warnAt = start + Math.floor(((due - start) * 800) / 1000);

	// Before the yellow mark: nothing for this case.
	assert.deepEqual(linesOf(tick(start + Math.floor((due - start) / 2)), c.number), []);
	c = await view(center, c.id);
	assert.equal(c.timeline.at(-1).action, 'dispatch');

	// Past it: one warning, on the timeline by "system"; no duplicate on the next tick.
	assert.deepEqual(linesOf(tick(warnAt + 1), c.number), [`${c.number} warn town`]);
	assert.deepEqual(linesOf(tick(warnAt + 1), c.number), []);
	assert.deepEqual(linesOf(tick(warnAt + 60), c.number), []);
	c = await view(center, c.id);
	assert.equal(c.timeline.filter((e) => e.action === 'warn').length, 1);
	assert.equal(c.timeline.at(-1).user, 'system');
	assert.equal(c.overdue, false);
	assert.equal(c.supervised, false);
	assert.equal(about(await notes(dept), c, 'warn').length, 1, 'the department hears of the warning');
	assert.equal(about(await notes(xs), c).length, 0, 'the district centre does not (the case is at town level)');

	// Past the deadline: overdue (red), listed by overdue=true, still at town level.
	assert.deepEqual(linesOf(tick(due + 60), c.number), [`${c.number} overdue town`]);
	assert.deepEqual(linesOf(tick(due + 60), c.number), []);
	c = await view(center, c.id);
	assert.equal(c.overdue, true);
	assert.equal(c.level, 'town');
	const list = await srv.get('/api/v1/cases?overdue=true&limit=200', { session: center });
	assert.ok(list.json.items.some((x) => x.id === c.id), 'overdue=true finds it');
	const notLate = await srv.get('/api/v1/cases?overdue=false&limit=200', { session: center });
	assert.ok(!notLate.json.items.some((x) => x.id === c.id));
	assert.equal(about(await notes(dept), c, 'overdue').length, 1);

	// Past the grace: up one level (district), supervised, a new deadline, audited.
	const t = due + 25 * 3600;
	assert.deepEqual(linesOf(tick(t), c.number), [`${c.number} escalate district`]);
	assert.deepEqual(linesOf(tick(t), c.number), [], 'a second pass at the same time changes nothing');
	c = await view(center, c.id);
	assert.equal(c.level, 'district');
	assert.equal(c.supervised, true);
	assert.equal(c.overdue, false);
	assert.ok(sec(c.deadline) > t, `a new deadline after the escalation: ${c.deadline}`);
	assert.equal(c.timeline.filter((e) => e.action === 'escalate.overdue').length, 1);
	const esc = await srv.auditAll({ action: 'case.escalate', object: `case:${c.id}` });
	assert.equal(esc.length, 1, 'one audit record of the escalation');

	// Who heard of it: the district centre (相山区) and the department; not the city
	// centre, not the reporter; nobody hears of their own action.
	const xsNotes = await notes(xs);
	assert.equal(about(xsNotes, c, 'escalate.overdue').length, 1, JSON.stringify(xsNotes));
	const n = about(xsNotes, c, 'escalate.overdue')[0];
	assert.equal(n.number, c.number);
	assert.equal(n.read, false);
	assert.match(n.text, new RegExp(`案件 ${c.number} .*提级`));
	assert.equal(about(await notes(dept), c, 'escalate.overdue').length, 1);
	assert.equal(about(await notes(center), c).length, 0, 'the city centre: neither its own actions nor the district’s case');
	const gwNotes = await notes(gw);
	assert.equal(about(gwNotes, c, 'register').length, 1, 'the reporter hears of the registration');
	assert.equal(about(gwNotes, c, 'escalate.overdue').length, 0);
	assert.equal(about(await notes(dept), c, 'dispatch').length, 1, 'the department hears of the dispatch');

	// English on request.
	const en = await srv.get('/api/v1/notifications?limit=200', { session: xs, headers: { 'Accept-Language': 'en' } });
	assert.match(about(en.json.items, c, 'escalate.overdue')[0].text, /escalated to district/);

	// Reading: mine only; another's is 404.
	assertError(await srv.post(`/api/v1/notifications/${n.id}/read`, { session: center }), 404, 'NOTIFICATION_NOT_FOUND');
	assertError(await srv.post('/api/v1/notifications/abc/read', { session: xs }), 404, 'NOTIFICATION_NOT_FOUND');
	assert.equal((await srv.post(`/api/v1/notifications/${n.id}/read`, { session: xs })).status, 204);
	assert.equal(about(await notes(xs, '&unread=1'), c, 'escalate.overdue').length, 0);
	assert.equal(about(await notes(xs), c, 'escalate.overdue')[0].read, true);
	assertError(await srv.get('/api/v1/notifications?unread=maybe', { session: xs }), 400, 'INVALID_QUERY', 'unread');
	const all = await srv.post('/api/v1/notifications/read-all', { session: dept });
	assert.equal(all.status, 200, all.text);
	assert.ok(all.json.marked >= 3);
	assert.equal((await notes(dept, '&unread=1')).length, 0);

	// escalate:false at district: overdue there, and it stays.
	const p2 = await policy();
	const pol2 = structuredClone(p2.body);
	pol2.levels.district.escalate = false;
	r = await putPolicy(pol2, p2.etag);
	assert.equal(r.status, 200, r.text);
	const due2 = sec(c.deadline);
	assert.deepEqual(linesOf(tick(due2 + 3600), c.number), [`${c.number} overdue district`]);
	assert.deepEqual(linesOf(tick(due2 + 100 * 3600), c.number), []);
	c = await view(center, c.id);
	assert.equal(c.level, 'district');
	assert.equal(c.overdue, true);
	assert.equal(c.timeline.filter((e) => e.action.startsWith('escalate')).length, 1);
	// The policy back to the default for the next test.
	const p3 = await policy();
	pol2.levels.district.escalate = true;
	pol2.levels.town.grace_hours = 0;
	assert.equal((await putPolicy(pol2, p3.etag)).status, 200);
});

test('two ticks at once change a case once', async () => {
	const c = await report('并发');
	const start = sec(c.created_at);
	const due = sec(c.deadline);
	const at = start + Math.floor(((due - start) * 900) / 1000);
	const args = ['tick', '--db', srv.db.url, '--now', iso(at)];
	const [a, b] = await Promise.all([cliAsync(args), cliAsync(args)]);
	assert.equal(a.status, 0, a.stderr);
	assert.equal(b.status, 0, b.stderr);
	const lines = [...linesOf(a.stdout, c.number), ...linesOf(b.stdout, c.number)];
	assert.deepEqual(lines, [`${c.number} warn town`], `${a.stdout}\n${b.stdout}`);
	const v = await view(center, c.id);
	assert.equal(v.timeline.filter((e) => e.action === 'warn').length, 1);
});

test('serve runs a pass every tick_interval and logs a line only when something changed', async () => {
	const c = await report('服务内定时');
	const now = Math.floor(Date.now() / 1000);
	// Its register deadline an hour ago: the next pass marks it overdue (a case still to be
	// registered is not escalated).
	const r = srv.db.exec(`UPDATE cases SET deadline = ${now - 3600}, clock_started_at = ${now - 7200} WHERE id = ${c.id}`);
	assert.equal(r.status, 0, r.stderr);
	const s2 = await startServer({ db: srv.db, args: ['--tick-interval', '1s'] });
	try {
		assert.ok(await s2.waitForLog((e) => /scheduler: .*1 overdue/.test(e), 15000 * (process.env.CW_E2E_SANITIZED ? 4 : 1)), s2.stderr);
		const v = await view(center, c.id);
		assert.equal(v.timeline.filter((e) => e.action === 'overdue').length, 1);
		assert.equal(v.overdue, true);
		// Passes that change nothing log nothing.
		const lines = () => s2.stderr.split('\n').filter((l) => l.includes('scheduler:')).length;
		const before_ = lines();
		await new Promise((res) => setTimeout(res, 2500));
		assert.equal(lines(), before_, s2.stderr);
	} finally {
		await s2.close();
	}
});

test('bad tick arguments', () => {
	const r = cliAsync(['tick', '--db', srv.db.url, '--now', 'yesterday']);
	return r.then((x) => {
		assert.equal(x.status, 2);
		assert.match(x.stderr, /RFC 3339/);
	});
});
