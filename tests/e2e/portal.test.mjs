// portal.test.mjs - the citizens' portal (/api/v1/public/…): a citizen reports a problem
// without an account and gets a tracking code; follows it; the city's staff handle the
// case through the ordinary API until it is closed; the citizen rates it with the code,
// once. The public view shows no staff, no internal notes and no reporter data; wrong
// codes, too-early and second ratings, bad input and floods are refused and change
// nothing; the code never reaches the access log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, startServer } from './lib.mjs';

let srv;
let center;
let dept;
let admin;
let point;
let cgj;

const NAME = '李秀英';
const PHONE = '13912345678';
const INTERNAL = '内部备注：请王科长跟进';

/* ---- a small real JPEG (as attachments.test.mjs builds it) ---- */
const be16 = (v) => Buffer.from([(v >> 8) & 255, v & 255]);
const segment = (marker, payload) => Buffer.concat([Buffer.from([0xff, marker]), be16(payload.length + 2), payload]);
function jpeg(q = 1) {
	const dqt = Buffer.alloc(65, q);
	dqt[0] = 0;
	const dht = Buffer.alloc(18);
	dht[1] = 1;
	const dhtAc = Buffer.from(dht);
	dhtAc[0] = 0x10;
	return Buffer.concat([
		Buffer.from([0xff, 0xd8]),
		segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
		segment(0xdb, dqt),
		segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0])),
		segment(0xc4, dht),
		segment(0xc4, dhtAc),
		segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
		Buffer.from([0x3f, 0xff, 0xd9]),
	]);
}

/* A point inside a grid of the demo city (gw_001's), found as cases.test.mjs does. */
async function gridPoint(server) {
	const gw = await server.session('gw_001');
	return server.pointInGrid(gw.user.region);
}

const body = (extra = {}) => ({
	category: '06010',
	description: '小区门口垃圾桶旁堆放大量生活垃圾，已经三天没人清运，气味很大。',
	location: { lon: point[0], lat: point[1] },
	...extra,
});

const publicReport = (json, opts = {}) => srv.post('/api/v1/public/reports', { json, ...opts });
const follow = (code, server = srv) => server.get(`/api/v1/public/reports/${encodeURIComponent(code)}`);
const rate = (code, json) => srv.post(`/api/v1/public/reports/${encodeURIComponent(code)}/rating`, { json });
const photo = (code, bytes, type = 'image/jpeg') =>
	srv.post(`/api/v1/public/reports/${encodeURIComponent(code)}/photos`, { body: bytes, headers: { 'Content-Type': type } });

function count(table) {
	const r = srv.db.exec(`SELECT count(*) FROM ${table}`);
	assert.equal(r.status, 0, r.stderr);
	return Number(r.stdout.trim());
}

/* The staff's copy of a case, found by its number. */
async function staffCase(session, number) {
	const l = await srv.get(`/api/v1/cases?q=${number}`, { session });
	assert.equal(l.status, 200, l.text);
	const item = l.json.items.find((c) => c.number === number);
	assert.ok(item, `the case ${number} in the staff list`);
	const r = await srv.get(`/api/v1/cases/${item.id}`, { session });
	assert.equal(r.status, 200, r.text);
	return { ...r.json, etag: r.headers.etag };
}

async function step(session, c, action, json = {}) {
	const r = await srv.post(`/api/v1/cases/${c.id}/actions/${action}`, { session, json, headers: { 'If-Match': c.etag } });
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	return { ...r.json, etag: r.headers.etag };
}

/* Nothing in a public answer may name staff, carry internal notes or the reporter. */
function assertPublic(res, what) {
	const t = res.text;
	for (const s of [NAME, PHONE, '李**', '139****5678', INTERNAL, 'center', 'cg_dept', '@portal', 'reporter', 'department', '"user"', 'region', 'grid']) {
		assert.ok(!t.includes(s), `${what}: the public view shows ${s}: ${t.slice(0, 400)}`);
	}
	assert.equal(res.headers['cache-control'], 'no-store', `${what}: not cached`);
	assert.equal(res.headers['set-cookie'], undefined, `${what}: no cookie`);
}

before(async () => {
	// Many reports from one address here: the flood limit has its own test and server.
	srv = await startServer({ args: ['--portal-burst', '100000'] });
	admin = await srv.session('admin');
	center = await srv.session('center');
	dept = await srv.session('cg_dept');
	point = await gridPoint(srv);
	const deps = await srv.get('/api/v1/departments?limit=200', { session: admin });
	cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	assert.ok(cgj, deps.text);
});

after(async () => {
	await srv?.close();
});

test('public categories: events, service requests and public-safety hazards only, without sign-in', async () => {
	const r = await srv.get('/api/v1/public/categories');
	assert.equal(r.status, 200, r.text);
	const codes = r.json.items.map((c) => c.code);
	assert.ok(codes.includes('06010') && codes.includes('06'), 'urban-management events and their classes');
	assert.ok(codes.includes('S103'), 'service requests');
	assert.ok(codes.includes('H402'), 'fire hazards');
	assert.ok(!codes.some((c) => /^(D|P|H1|H2|H3|H5)/.test(c)), `no disputes, petitions or police matters: ${codes}`);
	const one = r.json.items.find((c) => c.code === '06010');
	assert.deepEqual(Object.keys(one).sort(), ['code', 'kind', 'name', 'parent']);
	assert.equal(one.parent, '06');
});

test('report, follow, handled by staff to closed, rated once with the code', async () => {
	const before = count('cases');
	const r = await publicReport(body({ name: NAME, phone: PHONE, address: '相山区某小区南门' }));
	assert.equal(r.status, 201, r.text);
	assertPublic(r, 'the report');
	const code = r.json.tracking_code;
	assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
	assert.equal(count('cases'), before + 1);
	const pc = r.json.case;
	assert.match(pc.number, /^\d{13}$/);
	assert.equal(pc.status, 'received');
	assert.deepEqual(pc.category, { code: '06010', name: '暴露垃圾' });
	assert.equal(pc.can_rate, false);
	assert.equal(pc.photos, 0);
	assert.equal(pc.rating, null);
	assert.deepEqual(pc.timeline.map((e) => e.event), ['received']);

	// Only the hash is stored.
	const stored = srv.db.exec('SELECT code_hash FROM portal_codes');
	assert.ok(!stored.stdout.includes(code.replaceAll('-', '')), 'the code itself is not stored');

	// Following: as typed, in lower case, without dashes, with O for 0 and I/L for 1.
	const f = await follow(code);
	assert.equal(f.status, 200, f.text);
	assertPublic(f, 'the public view');
	assert.equal(f.json.number, pc.number);
	const loose = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'l');
	assert.equal((await follow(loose)).json?.number, pc.number, `a loosely typed code (${loose})`);

	// Too early to rate.
	assertError(await rate(code, { level: 5 }), 409, 'RATING_NOT_ALLOWED');

	// The staff see an ordinary case reported by the portal's account, with the reporter's
	// data sealed and masked, and handle it through the usual API.
	let c = await staffCase(center, pc.number);
	assert.equal(c.status, 'reported');
	assert.equal(c.kind, 'event');
	assert.equal(c.channel, 'portal');
	assert.equal(c.address, '相山区某小区南门');
	assert.equal(c.timeline[0].user, '@portal');
	assert.deepEqual(c.reporter, { name: '李**', phone: '139****5678', masked: true });
	const un = await srv.get(`/api/v1/cases/${c.id}?unmask=reporter`, { session: center });
	assert.equal(un.json.reporter.name, NAME);
	assert.equal(un.json.reporter.phone, PHONE);
	assert.ok(c.title.length > 0 && c.title.length <= 31, `a title from the description: ${c.title}`);
	assert.ok(pc.number && c.description.startsWith('小区门口'));

	c = await step(center, c, 'register');
	c = await step(center, c, 'supervise', { note: INTERNAL });
	c = await step(center, c, 'dispatch', { department: cgj.id, note: INTERNAL });
	const mid = await follow(code);
	assert.equal(mid.json.status, 'assigned');
	assert.match(mid.json.deadline, /^\d{4}-\d\d-\d\dT/, 'the handling deadline while it is handled');
	assertPublic(mid, 'while assigned');
	let d = await staffCase(dept, pc.number);
	d = await step(dept, d, 'accept');
	d = await step(dept, d, 'report_result', { result: '已安排环卫车辆清运完毕' });
	c = await staffCase(center, pc.number);
	c = await step(center, c, 'verify', { fixed: true });
	assert.equal(c.status, 'closed');

	const done = await follow(code);
	assert.equal(done.status, 200, done.text);
	assertPublic(done, 'when closed');
	assert.equal(done.json.status, 'closed');
	assert.equal(done.json.can_rate, true);
	assert.equal(done.json.deadline, null);
	assert.deepEqual(done.json.timeline.map((e) => e.event), ['received', 'accepted', 'assigned', 'in_progress', 'checking', 'closed']);
	const checking = done.json.timeline.find((e) => e.event === 'checking');
	assert.equal(checking.note, '已安排环卫车辆清运完毕', 'the result is told to the citizen');
	assert.equal(done.json.timeline.filter((e) => e.note).length, 1, 'no other note');

	// Rate: bad levels first, then once; a second time is refused.
	assertError(await rate(code, { level: 6 }), 400, 'INVALID_FIELD', 'level');
	assertError(await rate(code, { level: 5, comment: '<script>alert(1)</script>' }), 400, 'INVALID_FIELD', 'comment');
	assertError(await rate(code, {}), 400, 'MISSING_FIELD', 'level');
	assertError(await rate('ZZZZ-ZZZZ-ZZZZ', { level: 5 }), 404, 'CASE_NOT_FOUND');
	const ok = await rate(code, { level: 5, comment: '处理很及时，谢谢！' });
	assert.equal(ok.status, 200, ok.text);
	assertPublic(ok, 'the rating');
	assert.equal(ok.json.rating, 5);
	assert.equal(ok.json.can_rate, false);
	assert.equal(ok.json.timeline.at(-1).event, 'rated');
	assertError(await rate(code, { level: 1 }), 409, 'RATING_NOT_ALLOWED');
	c = await staffCase(center, pc.number);
	assert.equal(c.rating, 5, 'the staff see the rating');
	assert.equal(c.timeline.at(-1).action, 'rate.good');
	assert.equal(c.timeline.at(-1).note, '处理很及时，谢谢！');

	// The disabled @portal account, the reporter of every portal case, gets no
	// notifications (nobody could read them), while the staff do.
	const notes = (who) => Number(srv.db.exec(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = '${who}'`).stdout.trim());
	assert.equal(notes('@portal'), 0, 'no notifications pile up for the portal account');
	assert.ok(notes('cg_dept') + notes('center') > 0, 'the staff were notified');

	// The access log never shows the code.
	await srv.waitForLog((t) => t.includes('/rating'));
	const log = srv.stderr;
	for (const form of [code, code.replaceAll('-', ''), loose]) assert.ok(!log.includes(form), `the access log shows the code ${form}`);
	assert.ok(log.includes('/api/v1/public/reports/{redacted}'), 'code routes are logged redacted');
});

test('a bad rating reopens the case for rectification; the citizen may rate once more after it', async () => {
	const r = await publicReport(body({ category: 'S103', description: '反映：社区服务中心窗口经常无人值守。' }));
	assert.equal(r.status, 201, r.text);
	const code = r.json.tracking_code;
	let c = await staffCase(center, r.json.case.number);
	assert.equal(c.kind, 'service');
	c = await step(center, c, 'register');
	c = await step(center, c, 'dispatch', { department: cgj.id });
	let d = await staffCase(dept, c.number);
	d = await step(dept, d, 'accept');
	d = await step(dept, d, 'report_result', { result: '已安排专人值守' });
	c = await step(center, await staffCase(center, c.number), 'verify', { fixed: true });
	const bad = await rate(code, { level: 1 });
	assert.equal(bad.status, 200, bad.text);
	assert.equal(bad.json.status, 'in_progress', 'a bad rating reopens it');
	assert.equal(bad.json.can_rate, false);
	assertError(await rate(code, { level: 2 }), 409, 'RATING_NOT_ALLOWED', undefined, 'while it is rectified');
	d = await step(dept, await staffCase(dept, c.number), 'report_result', { result: '整改：增设值班表' });
	c = await step(center, await staffCase(center, c.number), 'verify', { fixed: true });
	const again = await follow(code);
	assert.equal(again.json.can_rate, true);
	assert.equal((await rate(code, { level: 4 })).json.rating, 4);
	assertError(await rate(code, { level: 5 }), 409, 'RATING_NOT_ALLOWED', undefined, 'no third rating');
});

test('photos: the same checks as case attachments, at most three, none on a closed case', async () => {
	const r = await publicReport(body());
	const code = r.json.tracking_code;
	const p1 = await photo(code, jpeg(1));
	assert.equal(p1.status, 201, p1.text);
	assert.equal(p1.json.photos, 1);
	assert.equal(p1.json.timeline.at(-1).event, 'photo_added');
	assertPublic(p1, 'after a photo');
	assert.equal((await photo(code, jpeg(1))).json.photos, 1, 'the same photo twice is one');
	assertError(await photo(code, Buffer.from('not an image at all')), 415, 'UNSUPPORTED_IMAGE');
	assertError(await photo(code, jpeg(2), 'image/png'), 415, 'UNSUPPORTED_IMAGE');
	assertError(await photo(code, jpeg(2).subarray(0, 40)), 422, 'INVALID_IMAGE');
	assertError(await photo('0000-0000-0000', jpeg(2)), 404, 'CASE_NOT_FOUND');
	assert.equal((await photo(code, jpeg(2))).json.photos, 2);
	assert.equal((await photo(code, jpeg(3))).json.photos, 3);
	assertError(await photo(code, jpeg(4)), 409, 'TOO_MANY_PHOTOS');
	const c = await staffCase(center, r.json.case.number);
	assert.equal(c.attachments.length, 3, 'the staff see the photos');
	// Staff photos are the city's: not counted, not on the public timeline.
	const s = await srv.post(`/api/v1/cases/${c.id}/attachments`, { session: center, body: jpeg(9), headers: { 'Content-Type': 'image/jpeg' } });
	assert.equal(s.status, 201, s.text);
	const f = await follow(code);
	assert.equal(f.json.photos, 3);
	assert.equal(f.json.timeline.filter((e) => e.event === 'photo_added').length, 3);
	// Rejected: final, no more photos.
	const r2 = await publicReport(body({ description: '重复反映：小区门口垃圾堆放问题。' }));
	const c2 = await staffCase(center, r2.json.case.number);
	await step(center, c2, 'reject', { reason: '与已受理的反映重复' });
	const f2 = await follow(r2.json.tracking_code);
	assert.equal(f2.json.status, 'not_accepted');
	assert.equal(f2.json.timeline.at(-1).note, '与已受理的反映重复', 'the reason is told');
	assertError(await photo(r2.json.tracking_code, jpeg(5)), 409, 'ACTION_NOT_ALLOWED');
});

test('a report merged into another of the same problem follows that one', async () => {
	const a = await publicReport(body({ description: '人民路路灯不亮，一整排都黑了。' }));
	const b = await publicReport(body({ description: '人民路的路灯坏了好几天了。' }));
	const ca = await staffCase(center, a.json.case.number);
	const cb = await staffCase(center, b.json.case.number);
	await step(center, cb, 'merge', { into: ca.id });
	let f = await follow(b.json.tracking_code);
	assert.equal(f.json.status, 'merged');
	assert.equal(f.json.merged_status, 'received');
	assertPublic(f, 'a merged report');
	assert.ok(!f.text.includes(a.json.case.number), 'the other report is not named');
	await step(center, ca, 'register');
	f = await follow(b.json.tracking_code);
	assert.equal(f.json.merged_status, 'accepted');
	assert.equal((await follow(a.json.tracking_code)).json.merged_status, undefined);
});

test('wrong and malformed codes are one 404', async () => {
	const r = await publicReport(body());
	const code = r.json.tracking_code;
	// One symbol changed.
	const last = code.at(-1) === 'A' ? 'B' : 'A';
	const wrong = code.slice(0, -1) + last;
	for (const c of [wrong, 'ABCD-EFGH-JKMN', 'short', 'UUUU-UUUU-UUUU', 'ABCD-EFGH-JKMN-PQRS', '%00', '<b>x']) {
		const f = await follow(c);
		assertError(f, 404, 'CASE_NOT_FOUND', null, `code ${c}`);
	}
	assert.equal((await follow('../../cases/1')).status, 404, 'no way out of the route');
	// A staff case without a code is not reachable either way.
	const staff = await srv.post('/api/v1/cases', { session: center, json: { kind: 'event', category: '06010', title: '巡查发现', location: { lon: point[0], lat: point[1] } } });
	assert.equal(staff.status, 201, staff.text);
	assertError(await follow(String(staff.json.id)), 404, 'CASE_NOT_FOUND');
	assertError(await follow(staff.json.number), 404, 'CASE_NOT_FOUND');
});

test('bad input is refused with the field named and changes nothing', async () => {
	const cases = count('cases');
	const codes = count('portal_codes');
	const audit = count('audit');
	const bad = [
		[{ ...body(), category: undefined }, 400, 'MISSING_FIELD', 'category'],
		[body({ category: '99999' }), 404, 'CATEGORY_NOT_FOUND', 'category'],
		[body({ category: 'D102' }), 404, 'CATEGORY_NOT_FOUND', 'category'],
		[body({ category: 'P101' }), 404, 'CATEGORY_NOT_FOUND', 'category'],
		[body({ category: 'H202' }), 404, 'CATEGORY_NOT_FOUND', 'category'],
		[{ ...body(), location: undefined }, 400, 'MISSING_FIELD', 'location'],
		[body({ location: { lon: 116.8 } }), 400, 'INVALID_FIELD', 'location'],
		[body({ location: { lon: 'x', lat: 33.9 } }), 400, 'INVALID_FIELD', 'location'],
		[body({ location: { lon: 500, lat: 33.9 } }), 400, 'INVALID_FIELD', 'location'],
		[body({ location: { lon: 121.47, lat: 31.23 } }), 422, 'LOCATION_NOT_IN_GRID', 'location'],
		[{ ...body(), description: undefined }, 400, 'MISSING_FIELD', 'description'],
		[body({ description: '垃圾' }), 400, 'INVALID_FIELD', 'description'],
		[body({ description: '      \n     ' }), 400, 'INVALID_FIELD', 'description'],
		[body({ description: '很'.repeat(1001) }), 400, 'FIELD_TOO_LONG', 'description'],
		[body({ description: '垃圾很多 <img src=x onerror=alert(1)>' }), 400, 'INVALID_FIELD', 'description'],
		[body({ description: '垃圾很多 </textarea>' }), 400, 'INVALID_FIELD', 'description'],
		[body({ description: '垃圾很多\u0007响铃' }), 400, 'INVALID_FIELD', 'description'],
		[body({ title: '标'.repeat(61) }), 400, 'FIELD_TOO_LONG', 'title'],
		[body({ title: '<b>标题</b>' }), 400, 'INVALID_FIELD', 'title'],
		[body({ address: '地'.repeat(201) }), 400, 'FIELD_TOO_LONG', 'address'],
		[body({ address: '南门\n北门' }), 400, 'INVALID_FIELD', 'address'],
		[body({ phone: '12345' }), 400, 'INVALID_FIELD', 'phone'],
		[body({ phone: 13912345678 }), 400, 'INVALID_FIELD', 'phone'],
		[body({ name: '   ' }), 400, 'INVALID_FIELD', 'name'],
		[body({ kind: 'petition' }), 400, 'UNKNOWN_FIELD', 'kind'],
		[body({ region: '340603000000' }), 400, 'UNKNOWN_FIELD', 'region'],
		[body({ channel: 'hotline' }), 400, 'UNKNOWN_FIELD', 'channel'],
	];
	for (const [json, status, code, field] of bad) {
		const r = await publicReport(json);
		assertError(r, status, code, field, JSON.stringify(json).slice(0, 80));
	}
	assertError(await srv.post('/api/v1/public/reports', { body: 'category=06010', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
	assertError(await srv.post('/api/v1/public/reports', { body: '{"category":', headers: { 'Content-Type': 'application/json' } }), 400, 'INVALID_JSON');
	const big = JSON.stringify(body({ description: '很'.repeat(900), address: 'x'.repeat(20000) }));
	assert.equal((await srv.post('/api/v1/public/reports', { body: big, headers: { 'Content-Type': 'application/json' } })).status, 413);
	assert.equal(count('cases'), cases, 'no case');
	assert.equal(count('portal_codes'), codes, 'no code');
	assert.equal(count('audit'), audit, 'no audit record');
});

test('a staff member’s cookie plays no part: no CSRF needed, and the case is still the portal’s', async () => {
	const r = await srv.post('/api/v1/public/reports', { session: center, csrf: false, json: body() });
	assert.equal(r.status, 201, r.text);
	const c = await staffCase(center, r.json.case.number);
	assert.equal(c.timeline[0].user, '@portal');
	// A bearer token that is not valid is not even looked at.
	const t = await srv.post('/api/v1/public/reports', { json: body(), headers: { Authorization: 'Bearer nonsense' } });
	assert.equal(t.status, 201, t.text);
	// The portal's account cannot sign in.
	const login = await srv.tryLogin('@portal', 'anything-at-all-1A');
	assert.ok([401, 403, 423].includes(login.status), `${login.status} ${login.text}`);
	assert.equal(login.headers['set-cookie'], undefined);
});

test('a flood from one network is limited: 429 with Retry-After, and a code still works', async () => {
	const limited = await startServer({ args: ['--portal-burst', '3', '--portal-refill', '1h'] });
	try {
		const p = await gridPoint(limited);
		const json = { category: '06010', description: '路边垃圾堆放，请尽快处理。', location: { lon: p[0], lat: p[1] } };
		const first = await limited.post('/api/v1/public/reports', { json });
		assert.equal(first.status, 201, first.text);
		const code = first.json.tracking_code;
		assert.equal((await limited.post('/api/v1/public/reports', { json: { ...json, description: 'x' } })).status, 400, 'bad input counts too');
		assert.equal((await follow('ABCD-EFGH-JKMN', limited)).status, 404, 'a miss takes the last token');
		const before = (() => {
			const r = limited.db.exec('SELECT count(*) FROM cases');
			return Number(r.stdout.trim());
		})();
		const r = await limited.post('/api/v1/public/reports', { json });
		assertError(r, 429, 'RATE_LIMITED', null);
		const retry = Number(r.headers['retry-after']);
		assert.ok(retry >= 1 && retry <= 3600, `Retry-After ${r.headers['retry-after']}`);
		assertError(await limited.post(`/api/v1/public/reports/${code}/rating`, { json: { level: 5 } }), 429, 'RATE_LIMITED');
		assertError(await follow('ABCD-EFGH-JKMP', limited), 429, 'RATE_LIMITED', null, 'guessing runs dry');
		const mine = await follow(code, limited);
		assert.equal(mine.status, 200, 'a citizen can still follow a real code');
		assert.equal(Number(limited.db.exec('SELECT count(*) FROM cases').stdout.trim()), before, 'nothing made');
		// X-Forwarded-For from a client that is not a trusted proxy changes nothing.
		assertError(await limited.post('/api/v1/public/reports', { json, headers: { 'X-Forwarded-For': '198.51.100.77' } }), 429, 'RATE_LIMITED');
		// Staff are not limited by the portal's buckets.
		const s = await limited.session('center');
		assert.equal((await limited.get('/api/v1/cases?limit=1', { session: s })).status, 200);
		await limited.stop(); // exits 0: no leak or sanitizer report
	} finally {
		await limited.close();
	}
});

test('behind a trusted reverse proxy each citizen has a bucket of their own', async () => {
	const proxied = await startServer({ args: ['--portal-burst', '2', '--portal-refill', '1h', '--trusted-proxies', '127.0.0.1, ::1'] });
	try {
		const bad = { category: '06010', description: 'x', location: { lon: 116.8, lat: 33.9 } };
		const from = (xff) => proxied.post('/api/v1/public/reports', { json: bad, headers: xff ? { 'X-Forwarded-For': xff } : {} });
		assert.equal((await from('203.0.113.5')).status, 400);
		assert.equal((await from('203.0.113.5')).status, 400);
		assertError(await from('203.0.113.5'), 429, 'RATE_LIMITED', null, 'the first citizen is limited');
		// What the client wrote left of the proxy's entry does not count: the right-most wins.
		assertError(await from('10.9.9.9, 203.0.113.5'), 429, 'RATE_LIMITED', null, 'a forged left-most entry');
		assert.equal((await from('203.0.113.6')).status, 400, 'another citizen is not');
		assert.equal((await from('203.0.113.6, 127.0.0.1')).status, 400, 'a chain of trusted proxies is walked');
		assertError(await from('203.0.113.6'), 429, 'RATE_LIMITED');
		// The proxy's own bucket: no header, or a header that is not an address.
		assert.equal((await from(null)).status, 400);
		assert.equal((await from('unknown')).status, 400);
		assertError(await from(null), 429, 'RATE_LIMITED');
		// The audit trail names the citizen's address.
		const p = await gridPoint(proxied);
		const ok = await proxied.post('/api/v1/public/reports', { json: { ...bad, description: '路灯不亮，晚上很黑。', location: { lon: p[0], lat: p[1] } }, headers: { 'X-Forwarded-For': '203.0.113.99' } });
		assert.equal(ok.status, 201, ok.text);
		const recs = await proxied.auditAll({ action: 'case.create' });
		assert.equal(recs[0].source, '203.0.113.99');
		await proxied.stop();
	} finally {
		await proxied.close();
	}
});

test('the server stops cleanly (no leak or sanitizer report)', async () => {
	await srv.stop();
});
