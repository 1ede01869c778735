// admin.test.mjs - the API of the administration screens: grids imported from a GeoJSON
// FeatureCollection over HTTP (all or nothing, problems per feature), the categories CSV
// uploaded (problems per line), one category edited under If-Match, and the users list's
// filters. Roles, bad input and "nothing changed on error" for each.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CITY, REPO, XIANGSHAN, assertError, startServer } from './lib.mjs';

let srv;
let admin; // sysadmin
let sec; // secadmin
let center; // dispatcher

const CATALOG = fs.readFileSync(path.join(REPO, 'catalog', 'categories.csv'), 'utf8');

before(async () => {
	srv = await startServer();
	admin = await srv.session('admin');
	sec = await srv.session('secadmin');
	center = await srv.session('center');
});

after(async () => {
	await srv?.close();
});

/* A 422 IMPORT_REJECTED: code, message, problems and the counts; nothing else. */
function assertRejected(r, countKey, what = '') {
	assert.equal(r.status, 422, `${what}: ${r.status} ${r.text}`);
	assert.equal(r.json?.code, 'IMPORT_REJECTED', what);
	assert.deepEqual(Object.keys(r.json).sort(), ['code', 'message', 'problems', 'refused', countKey].sort(), what);
	assert.equal(r.json.refused, r.json.problems.length, what);
	assert.ok(r.json.problems.length > 0, what);
}

const put = (p, o) => srv.req('PUT', p, o);
const csv = (text, session = admin, headers = {}) => put('/api/v1/categories', { session, body: text, headers: { 'Content-Type': 'text/csv; charset=utf-8', ...headers } });
const importGrids = (fc, session = admin, headers = {}) =>
	srv.post('/api/v1/grids/import', { session, body: typeof fc === 'string' || Buffer.isBuffer(fc) ? fc : JSON.stringify(fc), headers: { 'Content-Type': 'application/geo+json', ...headers } });

/* ---- grids ---- */

/* A village of 相山区 with at least two grids, as the API lists them. */
let village;
async function villageGrids() {
	if (!village) {
		const fc = (await srv.get(`/api/v1/grids?within=${XIANGSHAN}`, { session: admin })).json;
		const counts = new Map();
		for (const f of fc.features) counts.set(f.properties.village, (counts.get(f.properties.village) || 0) + 1);
		village = [...counts].find(([, n]) => n >= 2)[0];
	}
	const r = await srv.get(`/api/v1/grids?within=${village}`, { session: admin });
	assert.equal(r.status, 200, r.text);
	return r.json;
}

test('grids import: the listed FeatureCollection, changed, goes back in; 200 {created, updated}; audited; larger than max_body', async () => {
	const fc = await villageGrids();
	const n = fc.features.length;
	for (const f of fc.features) f.properties.households += 11;
	fc.features[0].properties.name = '导入改名网格';
	const auditBefore = (await srv.auditAll({ action: 'grid.import' })).length;
	// Padding past the 1 MiB default max_body: the import route takes more.
	const body = JSON.stringify(fc) + ' '.repeat(2 << 20);
	const r = await importGrids(body);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { features: n, created: 0, updated: n });
	const after = await villageGrids();
	for (const f of after.features) {
		const was = fc.features.find((g) => g.id === f.id);
		assert.equal(f.properties.households, was.properties.households, `${f.id} households`);
	}
	assert.equal(after.features.find((f) => f.id === fc.features[0].id).properties.name, '导入改名网格');
	const audits = await srv.auditAll({ action: 'grid.import' });
	assert.equal(audits.length, auditBefore + 1, 'one grid.import record');
	assert.equal(audits[0].username, 'admin');
	assert.equal(audits[0].success, true);
});

test('grids import: every bad feature named with index, code, field and reason (zh and en); nothing imported', async () => {
	const fc = await villageGrids();
	const good = fc.features.map((f) => ({ ...f, properties: { ...f.properties, households: f.properties.households + 500 } }));
	const sq = (x, y, d = 1e-4) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });
	const features = [
		good[0],
		{ type: 'Feature', properties: { code: '1234' }, geometry: sq(116.8, 33.9) },
		good[1],
		{ type: 'Feature', properties: { code: `${village}977`, type: 'castle' }, geometry: sq(116.8, 33.9) },
		{ type: 'Feature', properties: { code: `${village}978` }, geometry: { type: 'Polygon', coordinates: [[[116.8, 33.9], [116.9, 33.9], [116.8, 34.0]]] } },
		...good.slice(2),
	];
	const r = await importGrids({ type: 'FeatureCollection', features });
	assertRejected(r, 'features');
	assert.match(r.json.message, /未导入/);
	assert.equal(r.json.features, features.length);
	assert.equal(r.json.refused, 3);
	assert.deepEqual(r.json.problems.map((p) => [p.index, p.code, p.field]), [
		[1, '1234', 'properties.code'],
		[3, `${village}977`, 'properties.type'],
		[4, `${village}978`, 'geometry'],
	]);
	for (const p of r.json.problems) assert.match(p.reason, /[\u4e00-\u9fff]/, `a Chinese reason: ${p.reason}`);
	const en = await importGrids({ type: 'FeatureCollection', features }, admin, { 'Accept-Language': 'en' });
	assertRejected(en, 'features');
	assert.match(en.json.message, /nothing was imported/);
	assert.match(en.json.problems[1].reason, /properties\.type must be/);
	assert.match(en.json.problems[2].reason, /closed|4 positions|ring/i);
	// Nothing imported, the good features neither.
	const now = await villageGrids();
	assert.deepEqual(now.features.map((f) => f.properties.households), fc.features.map((f) => f.properties.households));
});

test('grids import: roles, CSRF, media type, not a FeatureCollection, bad JSON', async () => {
	const fc = await villageGrids();
	assertError(await importGrids(fc, center), 403, 'FORBIDDEN');
	assertError(await importGrids(fc, sec), 403, 'FORBIDDEN');
	assertError(await srv.post('/api/v1/grids/import', { body: JSON.stringify(fc), headers: { 'Content-Type': 'application/json' } }), 401, 'AUTH_REQUIRED');
	assertError(await srv.post('/api/v1/grids/import', { session: admin, csrf: false, body: JSON.stringify(fc), headers: { 'Content-Type': 'application/json' } }), 403, 'CSRF_FAILED');
	assertError(await importGrids(fc, admin, { 'Content-Type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
	assert.equal((await importGrids(fc, admin, { 'Content-Type': 'application/json' })).status, 200, 'application/json is fine too');
	assertError(await importGrids({ type: 'Feature', properties: {}, geometry: null }), 400, 'NOT_A_FEATURE_COLLECTION');
	assertError(await importGrids('[1,2]'), 400, 'NOT_A_FEATURE_COLLECTION');
	assertError(await importGrids('{"type":"FeatureCollection","features":['), 400, 'INVALID_JSON');
	assertError(await importGrids('{"type":"FeatureCollection","type":"x","features":[]}'), 400, 'INVALID_JSON');
	assertError(await importGrids(''), 400, 'INVALID_JSON');
	assertError(await importGrids('['.repeat(100) + ']'.repeat(100)), 400, 'JSON_TOO_DEEP');
	assertError(await importGrids(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), 400, 'INVALID_UTF8');
	const empty = await importGrids({ type: 'FeatureCollection', features: [] });
	assert.equal(empty.status, 200, empty.text);
	assert.deepEqual(empty.json, { features: 0, created: 0, updated: 0 });
	const huge = await importGrids(' '.repeat((32 << 20) + 16));
	assertError(huge, 413, 'PAYLOAD_TOO_LARGE');
});

/* ---- categories ---- */

async function category(code, session = admin) {
	const r = await srv.get(`/api/v1/categories/${code}`, { session });
	return r;
}

test('one category: GET with ETag, PATCH deadline/name under If-Match, audited, used by the list', async () => {
	const g = await category('06010');
	assert.equal(g.status, 200, g.text);
	assert.equal(g.json.name, '暴露垃圾');
	assert.equal(g.json.active, true);
	assert.ok(g.headers.etag);
	const r = await srv.patch('/api/v1/categories/06010', { session: admin, json: { deadline: { amount: 3, unit: 'working_days' }, name: '暴露垃圾（改）' }, headers: { 'If-Match': g.headers.etag } });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.deadline, { amount: 3, unit: 'working_days' });
	assert.equal(r.json.name, '暴露垃圾（改）');
	assert.notEqual(r.headers.etag, g.headers.etag);
	const listed = (await srv.get('/api/v1/categories?kind=event', { session: center })).json.items.find((c) => c.code === '06010');
	assert.deepEqual(listed.deadline, { amount: 3, unit: 'working_days' });
	const a = (await srv.auditAll({ action: 'category.update' }))[0];
	assert.equal(a.object, 'category:06010');
	assert.match(a.detail, /name/);
	assert.match(a.detail, /deadline/);
	// Stale and missing If-Match.
	assertError(await srv.patch('/api/v1/categories/06010', { session: admin, json: { name: 'x' }, headers: { 'If-Match': g.headers.etag } }), 412, 'PRECONDITION_FAILED');
	assertError(await srv.patch('/api/v1/categories/06010', { session: admin, json: { name: 'x' } }), 428, 'PRECONDITION_REQUIRED');
	// The same values again: 200, nothing audited.
	const n = (await srv.auditAll({ action: 'category.update' })).length;
	const same = await srv.patch('/api/v1/categories/06010', { session: admin, json: { name: '暴露垃圾（改）' }, headers: { 'If-Match': r.headers.etag } });
	assert.equal(same.status, 200, same.text);
	assert.equal(same.headers.etag, r.headers.etag);
	assert.equal((await srv.auditAll({ action: 'category.update' })).length, n);
	// Back as it was.
	const back = await srv.patch('/api/v1/categories/06010', { session: admin, json: { name: '暴露垃圾', deadline: g.json.deadline }, headers: { 'If-Match': '*' } });
	assert.equal(back.status, 200, back.text);
	assert.equal(back.headers.etag === g.headers.etag, false, 'updated_at moved on');
});

test('one category: field errors, nothing changed; roles; unknown code', async () => {
	const g = await category('07001');
	const etag = g.headers.etag;
	const bad = [
		[{ deadline: { amount: 961, unit: 'working_hours' } }, 400, 'INVALID_CATEGORY', 'deadline.amount'],
		[{ deadline: { amount: 0, unit: 'days' } }, 400, 'INVALID_CATEGORY', 'deadline.amount'],
		[{ deadline: { amount: 3, unit: 'weeks' } }, 400, 'INVALID_CATEGORY', 'deadline.unit'],
		[{ deadline: { amount: 3 } }, 400, 'INVALID_FIELD', 'deadline'],
		[{ deadline: 3 }, 400, 'INVALID_FIELD', 'deadline'],
		[{ name: '' }, 400, 'INVALID_FIELD', 'name'],
		[{ name: 'x'.repeat(41) }, 400, 'FIELD_TOO_LONG', 'name'],
		[{ name: 'a\u0001b' }, 400, 'INVALID_CATEGORY', 'name'],
		[{ active: 'no' }, 400, 'INVALID_FIELD', 'active'],
		[{ code: '07002' }, 400, 'UNKNOWN_FIELD', 'code'],
		[{ active: false, name: 'x' }, 409, 'CATEGORY_ACTIVE_CONFLICT', 'active', '07'],
	];
	for (const [json, status, code, field, cat = '07001'] of bad) {
		const r = await srv.patch(`/api/v1/categories/${cat}`, { session: admin, json, headers: { 'If-Match': '*' } });
		assertError(r, status, code, field, JSON.stringify(json));
	}
	const now = await category('07001');
	assert.equal(now.headers.etag, etag, 'nothing changed');
	assert.equal((await category('07')).json.name, g.json.parent === '07' ? (await category('07')).json.name : '', 'class untouched');
	assertError(await srv.patch('/api/v1/categories/07001', { session: center, json: { name: 'x' }, headers: { 'If-Match': '*' } }), 403, 'FORBIDDEN');
	assertError(await srv.patch('/api/v1/categories/99999', { session: admin, json: { name: 'x' }, headers: { 'If-Match': '*' } }), 404, 'CATEGORY_NOT_FOUND');
	assertError(await category('99999'), 404, 'CATEGORY_NOT_FOUND');
	assertError(await srv.get('/api/v1/categories?all=true', { session: center }), 403, 'FORBIDDEN');
});

test('one category: deactivate a subclass (gone from the list, kept with ?all=true), then the class; activate in the other order', async () => {
	const sub = await category('08001');
	let r = await srv.patch('/api/v1/categories/08001', { session: admin, json: { active: false }, headers: { 'If-Match': sub.headers.etag } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.active, false);
	const plain = (await srv.get('/api/v1/categories', { session: center })).json.items;
	assert.ok(!plain.some((c) => c.code === '08001'), 'not offered any more');
	assertError(await category('08001', center), 404, 'CATEGORY_NOT_FOUND');
	const all = (await srv.get('/api/v1/categories?all=true', { session: admin })).json.items;
	assert.equal(all.find((c) => c.code === '08001').active, false);
	assert.equal(all.find((c) => c.code === '06010').active, true);
	// Every other subclass of 08 too, then the class.
	const subs = all.filter((c) => c.parent === '08' && c.active);
	for (const c of subs) {
		r = await srv.patch(`/api/v1/categories/${c.code}`, { session: admin, json: { active: false }, headers: { 'If-Match': '*' } });
		assert.equal(r.status, 200, r.text);
	}
	r = await srv.patch('/api/v1/categories/08', { session: admin, json: { active: false }, headers: { 'If-Match': '*' } });
	assert.equal(r.status, 200, r.text);
	// A subclass cannot come back before its class.
	assertError(await srv.patch('/api/v1/categories/08001', { session: admin, json: { active: true }, headers: { 'If-Match': '*' } }), 409, 'CATEGORY_ACTIVE_CONFLICT', 'active');
	r = await srv.patch('/api/v1/categories/08', { session: admin, json: { active: true }, headers: { 'If-Match': '*' } });
	assert.equal(r.status, 200, r.text);
	r = await srv.patch('/api/v1/categories/08001', { session: admin, json: { active: true }, headers: { 'If-Match': '*' } });
	assert.equal(r.status, 200, r.text);
	// The CSV brings the rest back (below), and changes only those.
	const up = await csv(CATALOG);
	assert.equal(up.status, 200, up.text);
	assert.equal(up.json.changed, subs.length);
});

test('categories CSV: PUT replaces the taxonomy, the same file again changes nothing; audited once', async () => {
	const n = (await srv.auditAll({ action: 'category.import' })).length;
	const changed = CATALOG.replace(/^06010,06,暴露垃圾,event,(\w+),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),\d+,(\w+),/m, '06010,06,暴露垃圾,event,$1,$2,$3,$4,$5,$6,7,days,');
	assert.notEqual(changed, CATALOG);
	let r = await csv(changed);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.changed, 1);
	assert.equal(r.json.rows, CATALOG.trim().split('\n').length - 1);
	assert.deepEqual((await category('06010')).json.deadline, { amount: 7, unit: 'days' });
	r = await csv(changed);
	assert.equal(r.json.changed, 0);
	assert.equal((await srv.auditAll({ action: 'category.import' })).length, n + 1);
	r = await csv(CATALOG);
	assert.equal(r.json.changed, 1);
});

test('categories CSV: every bad line listed (line, code, field, reason in zh or en); nothing changed; roles; media type', async () => {
	const before = (await srv.get('/api/v1/categories?all=true', { session: admin })).json.items;
	const lines = CATALOG.replace(/\n$/, '').split('\n');
	const i06010 = lines.findIndex((l) => l.startsWith('06010,'));
	const i07001 = lines.findIndex((l) => l.startsWith('07001,'));
	lines[i06010] = lines[i06010].replace(/,\d+,working_\w+,|,\d+,days,/, ',9999,working_hours,').replace('暴露垃圾', '新名字');
	lines[i07001] = '07001,07,only five fields';
	lines.push(lines[i06010 + 1]); // a duplicate code at the end
	const text = lines.join('\n') + '\n';
	const r = await csv(text);
	assertRejected(r, 'rows');
	assert.deepEqual(r.json.problems.map((p) => [p.line, p.field ?? null]), [
		[i06010 + 1, 'deadline_amount'],
		[i07001 + 1, null],
		[lines.length, 'code'],
	]);
	assert.equal(r.json.problems[0].code, '06010');
	for (const p of r.json.problems) assert.match(p.reason, /[\u4e00-\u9fff]/, `zh: ${p.reason}`);
	assert.match(r.json.problems[2].reason, new RegExp(`第 ${i06010 + 2} 行`));
	const en = await csv(text, admin, { 'Accept-Language': 'en' });
	assert.match(en.json.problems[0].reason, /deadline_amount "9999": expected/);
	assert.match(en.json.problems[1].reason, /fields; a row has 13/);
	assert.match(en.json.problems[2].reason, /already used on line/);
	assert.deepEqual((await srv.get('/api/v1/categories?all=true', { session: admin })).json.items, before, 'nothing changed');
	assertRejected(await csv('', admin), 'rows', 'empty');
	assertRejected(await csv('code,name\n06,x\n', admin), 'rows', 'bad header');
	assertError(await csv(CATALOG, center), 403, 'FORBIDDEN');
	assertError(await csv(CATALOG, sec), 403, 'FORBIDDEN');
	assertError(await put('/api/v1/categories', { session: admin, json: { csv: CATALOG } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
	assertError(await csv('code\u0000'), 400, 'BAD_REQUEST');
});

/* ---- users: the list's filters ---- */

async function users(query, session = sec) {
	const r = await srv.get(`/api/v1/users?${new URLSearchParams(query)}`, { session });
	return r;
}

test('users list: role, region, q and state filters, paged; bad filters are 400; the region must be in scope', async () => {
	let r = await users({ role: 'grid_worker', limit: '200' });
	assert.equal(r.status, 200, r.text);
	assert.ok(r.json.items.length >= 2);
	assert.ok(r.json.items.every((u) => u.roles.includes('grid_worker')));
	// Paging through the filtered list gives the same users.
	const all = r.json.items.map((u) => u.id);
	const paged = [];
	let cursor = null;
	for (let i = 0; i < 100; i++) {
		r = await users({ role: 'grid_worker', limit: '2', ...(cursor ? { cursor } : {}) });
		paged.push(...r.json.items.map((u) => u.id));
		cursor = r.json.next_cursor;
		if (!cursor) break;
	}
	assert.deepEqual(paged, all);
	r = await users({ region: XIANGSHAN, limit: '200' });
	assert.ok(r.json.items.length >= 1);
	assert.ok(r.json.items.every((u) => u.region.startsWith('340603')), 'users of 相山区');
	assert.ok(r.json.items.some((u) => u.username === 'xs_center'));
	r = await users({ q: 'GW_00', limit: '200' });
	assert.ok(r.json.items.some((u) => u.username === 'gw_001'));
	assert.ok(r.json.items.every((u) => /gw_00/i.test(u.username) || /gw_00/i.test(u.name)));
	r = await users({ q: '安全', limit: '200' });
	assert.deepEqual(r.json.items.map((u) => u.username).sort(), ['auditor', 'secadmin']);
	// state: disable one, find it, enable it again.
	const med = (await users({ q: 'mediator' })).json.items.find((u) => u.username === 'mediator');
	assert.equal((await srv.patch(`/api/v1/users/${med.id}`, { session: sec, json: { disabled: true } })).status, 200);
	assert.deepEqual((await users({ state: 'disabled' })).json.items.map((u) => u.username), ['mediator']);
	assert.ok(!(await users({ state: 'active', limit: '200' })).json.items.some((u) => u.username === 'mediator'));
	assert.equal((await srv.patch(`/api/v1/users/${med.id}`, { session: sec, json: { disabled: false } })).status, 200);
	assert.deepEqual((await users({ state: 'disabled' })).json.items, []);
	assert.deepEqual((await users({ role: 'citizen', region: XIANGSHAN, q: 'center' })).json.items, []);
	assertError(await users({ role: 'king' }), 400, 'INVALID_QUERY', 'role');
	assertError(await users({ state: 'sleepy' }), 400, 'INVALID_QUERY', 'state');
	assertError(await users({ q: 'x'.repeat(65) }), 400, 'INVALID_QUERY', 'q');
	assertError(await users({ region: '340699999999' }), 404, 'REGION_NOT_FOUND', 'region');
	assertError(await users({ role: 'grid_worker' }, admin), 403, 'FORBIDDEN');
	// The full list without filters still works as before.
	r = await users({});
	assert.equal(r.status, 200);
	assert.ok(r.json.items.some((u) => u.region === CITY));
});

/* ---- grid worker candidates ---- */

test('grid worker candidates: the grid workers of that grid; GRID_ASSIGN roles only; unknown or non-grid codes 404', async () => {
	const gw = await srv.login('gw_001');
	const grid = gw.user.region;
	assert.equal(grid.length, 15, 'gw_001 works in a grid');
	const r = await srv.get(`/api/v1/grids/${grid}/candidates`, { session: admin });
	assert.equal(r.status, 200, r.text);
	assert.ok(r.json.items.some((u) => u.username === 'gw_001'));
	for (const u of r.json.items) assert.deepEqual(Object.keys(u).sort(), ['id', 'name', 'username']);
	assert.equal((await srv.get(`/api/v1/grids/${grid}/candidates`, { session: center })).status, 200, 'a dispatcher assigns too');
	assertError(await srv.get(`/api/v1/grids/${grid}/candidates`, { session: sec }), 403, 'FORBIDDEN');
	assertError(await srv.get(`/api/v1/grids/${grid.slice(0, 12)}/candidates`, { session: admin }), 404, 'GRID_NOT_FOUND');
	assertError(await srv.get('/api/v1/grids/340603999999001/candidates', { session: admin }), 404, 'GRID_NOT_FOUND');
});
