// open311.test.mjs - Open311 GeoReport v2 under /open311/v2/: every endpoint in JSON and
// XML, checked against the GeoReport v2 schemas' constraints (open311_check.mjs) and for
// XML well-formedness; the errors in the specification's format; attributes of every
// datatype; and a round trip: filed through Open311, handled in civicgrid, followed
// through Open311 to closed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { cliDbOk, startServer } from './lib.mjs';
import {
	child,
	childText,
	parseXml,
	validateErrors,
	validateRequest,
	validateRequests,
	validateServiceDefinition,
	validateServices,
} from './open311_check.mjs';

let srv;
let admin;
let center;
let dept;
let key; // center's API token: the Open311 api_key
let gwKey; // a grid worker's
let point;

const V2 = '/open311/v2';
const form = (o) =>
	Object.entries(o)
		.flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))
		.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
		.join('&');
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const post = (path, o, raw) => srv.post(`${V2}/${path}`, { body: raw ?? form(o), headers: FORM });
const get = (path) => srv.get(`${V2}/${path}`);

function xml(r, root, status = 200) {
	assert.equal(r.status, status, r.text);
	assert.match(r.headers['content-type'], /^text\/xml; charset=utf-8/);
	const doc = parseXml(r.text);
	// And libxml2's own parser (scripts/deps.sh installs xmllint).
	const lint = spawnSync('xmllint', ['--noout', '-'], { input: r.text, encoding: 'utf8' });
	assert.equal(lint.status, 0, `xmllint: ${lint.stderr}\n${r.text.slice(0, 300)}`);
	assert.equal(doc.name, root, r.text.slice(0, 200));
	return doc;
}

function jsonOk(r, status = 200) {
	assert.equal(r.status, status, r.text);
	assert.match(r.headers['content-type'], /^application\/json/);
	return r.json;
}

/* The error in both formats: JSON [{code, description}] and XML <errors><error>. */
async function assertO311Error(doJson, doXml, code, mention) {
	const j = await doJson();
	assert.equal(j.status, code, j.text);
	validateErrors(j.json, code);
	if (mention) assert.match(j.json[0].description, mention, j.text);
	const x = await doXml();
	const doc = xml(x, 'errors', code);
	const e = child(doc, 'error');
	assert.equal(childText(e, 'code'), String(code));
	assert.ok(childText(e, 'description').length > 0);
}

const garbage = (extra = {}) => ({
	api_key: key,
	service_code: '06010',
	lat: String(point[1]),
	long: String(point[0]),
	description: '小区门口 垃圾堆放 & 无人清理',
	'attribute[volume]': 'medium',
	...extra,
});

async function count06010() {
	const r = await get('requests.json?service_code=06010&page_size=1000');
	return jsonOk(r).length;
}

before(async () => {
	srv = await startServer();
	admin = await srv.session('admin');
	center = await srv.session('center');
	dept = await srv.session('cg_dept');
	key = cliDbOk(srv.db, ['token', 'add', '--user', 'center', '--name', 'open311 gateway']).stdout.trim();
	gwKey = cliDbOk(srv.db, ['token', 'add', '--user', 'gw_001', '--name', 'open311 app']).stdout.trim();
	const gw = await srv.session('gw_001');
	const me = await srv.get('/api/v1/session', { session: gw });
	const gridCode = me.json.user?.region ?? me.json.region;
	point = await srv.pointInGrid(gridCode);
	assert.ok(point, 'a point inside a grid');
});

after(async () => {
	await srv?.close();
});


test('discovery in JSON and XML', async () => {
	const j = jsonOk(await get('discovery.json'));
	assert.equal(typeof j.changeset, 'string');
	assert.equal(typeof j.contact, 'string');
	assert.ok(Array.isArray(j.endpoints) && j.endpoints.length === 1);
	const ep = j.endpoints[0];
	assert.equal(ep.specification, 'http://wiki.open311.org/GeoReport_v2');
	assert.equal(ep.url, `http://127.0.0.1:${srv.port}/open311/v2`);
	assert.deepEqual(ep.formats.sort(), ['application/json', 'text/xml']);
	assert.equal(ep.type, 'production');
	const x = xml(await get('discovery.xml'), 'discovery');
	const e = child(child(x, 'endpoints'), 'endpoint');
	assert.equal(childText(e, 'specification'), 'http://wiki.open311.org/GeoReport_v2');
	assert.deepEqual(child(e, 'formats').children.map((f) => f.text).sort(), ['application/json', 'text/xml']);
});

test('services: the shown categories, with group, keywords, metadata and type', async () => {
	const list = jsonOk(await get('services.json'));
	validateServices(list);
	assert.ok(list.length > 10, `${list.length} services`);
	const g = list.find((s) => s.service_code === '06010');
	assert.ok(g, 'exposed garbage is a service');
	assert.equal(g.service_name, '暴露垃圾');
	assert.equal(g.metadata, true, 'the demo gives it attributes');
	assert.equal(g.type, 'realtime');
	assert.equal(typeof g.group, 'string');
	assert.ok(g.group.length > 0);
	assert.ok(list.some((s) => s.metadata === false));
	// Only event and service kinds: no dispute (D…), petition (P…) or hazard (H…) codes,
	// and no class rows.
	assert.ok(!list.some((s) => /^[DPH]/.test(s.service_code)), 'no disputes, petitions or hazards');
	assert.ok(!list.some((s) => s.service_code === '06'), 'classes are groups, not services');
	const x = xml(await get('services.xml'), 'services');
	assert.equal(x.children.length, list.length);
	const xs = x.children.find((s) => childText(s, 'service_code') === '06010');
	assert.equal(childText(xs, 'metadata'), 'true');
	assert.equal(childText(xs, 'service_name'), '暴露垃圾');
	assert.equal(childText(xs, 'group'), g.group);
});

test('service definition: attributes of all six datatypes', async () => {
	const d = jsonOk(await get('services/06010.json'));
	validateServiceDefinition(d);
	assert.equal(d.service_code, '06010');
	const types = new Set(d.attributes.map((a) => a.datatype));
	for (const t of ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']) assert.ok(types.has(t), t);
	const vol = d.attributes.find((a) => a.code === 'volume');
	assert.equal(vol.required, true);
	assert.equal(vol.order, 1);
	assert.deepEqual(vol.values.map((v) => v.key), ['small', 'medium', 'large']);
	assert.ok(d.attributes.some((a) => a.variable === false), 'an informational attribute');
	const orders = d.attributes.map((a) => a.order);
	assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'in order');

	const x = xml(await get('services/06010.xml'), 'service_definition');
	assert.equal(childText(x, 'service_code'), '06010');
	const attrs = child(x, 'attributes').children;
	assert.equal(attrs.length, d.attributes.length);
	assert.ok(attrs.every((a) => a.name === 'attribute'));
	const xv = attrs.find((a) => childText(a, 'code') === 'volume');
	assert.equal(childText(xv, 'required'), 'true');
	assert.equal(childText(xv, 'datatype'), 'singlevaluelist');
	assert.deepEqual(child(xv, 'values').children.map((v) => childText(v, 'key')), ['small', 'medium', 'large']);

	// A service without attributes has an empty list.
	const plain = jsonOk(await get('services.json')).find((s) => !s.metadata);
	const p = jsonOk(await get(`services/${plain.service_code}.json`));
	validateServiceDefinition(p);
	assert.deepEqual(p.attributes, []);
});

test('unknown services, requests, tokens, resources and formats answer 404', async () => {
	await assertO311Error(() => get('services/99999.json'), () => get('services/99999.xml'), 404);
	await assertO311Error(() => get('services/D101.json'), () => get('services/D101.xml'), 404);
	await assertO311Error(() => get('requests/1999010100001.json'), () => get('requests/1999010100001.xml'), 404);
	await assertO311Error(() => get('tokens/nope.json'), () => get('tokens/nope.xml'), 404);
	await assertO311Error(() => get('nothing.json'), () => get('nothing.xml'), 404);
	for (const p of ['discovery.csv', 'services', 'services.JSON', 'services/06010.html', 'requests.yaml']) {
		const r = await get(p);
		assert.equal(r.status, 404, `${p}: ${r.text}`);
		validateErrors(r.json, 404);
	}
});

test('POST requests: every refusal in the format asked for, nothing created', async () => {
	const before = await count06010();
	const both = (o, raw) => [() => post('requests.json', o, raw), () => post('requests.xml', o, raw)];
	await assertO311Error(...both(garbage({ api_key: undefined })), 403, /api_key/);
	await assertO311Error(...both(garbage({ api_key: '' })), 403);
	await assertO311Error(...both(garbage({ api_key: 'cwt_not-a-token' })), 403);
	await assertO311Error(...both(garbage({ service_code: '' })), 400, /service_code/);
	await assertO311Error(...both(garbage({ service_code: '99999' })), 404);
	await assertO311Error(...both(garbage({ service_code: 'P101' })), 404);
	await assertO311Error(...both(garbage({ lat: '', long: '' })), 400, /lat/);
	await assertO311Error(...both(garbage({ lat: '95', long: '116.8' })), 400, /lat/);
	await assertO311Error(...both(garbage({ lat: 'abc' })), 400, /lat/);
	await assertO311Error(...both(garbage({ long: '200' })), 400, /long/);
	await assertO311Error(...both(garbage({ lat: '0', long: '0' })), 400, /lat/); // in no grid
	await assertO311Error(...both(garbage({ description: '长'.repeat(4001) })), 400, /description/);
	await assertO311Error(...both(garbage({ description: 'see <a href="x">here</a>' })), 400, /description/);
	await assertO311Error(...both(garbage({ description: '<script>alert(1)</script>' })), 400, /description/);
	await assertO311Error(...both(garbage({ media_url: 'javascript:alert(1)' })), 400, /media_url/);
	// Attributes: a required one missing, a wrong number, datetime, list key, two values
	// for a single-value list, an unknown code, a value for an informational one.
	await assertO311Error(...both(garbage({ 'attribute[volume]': '' })), 400, /attribute\[volume\]/);
	await assertO311Error(...both(garbage({ 'attribute[bags]': 'three' })), 400, /attribute\[bags\]/);
	await assertO311Error(...both(garbage({ 'attribute[seen_at]': 'yesterday' })), 400, /attribute\[seen_at\]/);
	await assertO311Error(...both(garbage({ 'attribute[volume]': 'huge' })), 400, /attribute\[volume\]/);
	await assertO311Error(...both(garbage({ 'attribute[volume][]': ['small', 'large'] })), 400, /attribute\[volume\]/);
	await assertO311Error(...both(garbage({ 'attribute[kinds][]': ['household', 'toxic'] })), 400, /attribute\[kinds\]/);
	await assertO311Error(...both(garbage({ 'attribute[colour]': 'red' })), 400, /attribute\[colour\]/);
	await assertO311Error(...both(garbage({ 'attribute[notice]': 'x' })), 400, /attribute\[notice\]/);
	await assertO311Error(...both(null, 'api_key=x&description=%zz'), 400);
	await assertO311Error(...both(null, `api_key=${encodeURIComponent(key)}&service_code=06010&description=%ff%fe`), 400);
	const ct = await srv.post(`${V2}/requests.json`, { json: { api_key: key, service_code: '06010' } });
	assert.equal(ct.status, 400, 'a JSON body is not a form');
	validateErrors(ct.json, 400);
	assert.equal(await count06010(), before, 'nothing was created');
});

let filed; // the request filed in the next test

test('POST requests files a case; requests/{id} shows it with its attributes', async () => {
	const phone = '13912345678';
	// Raw body: percent-encoding, '+' as a space, and a multi-value list.
	const body = [
		`api_key=${encodeURIComponent(key)}`,
		'service_code=06010',
		`lat=${point[1]}`,
		`long=${point[0]}`,
		'description=Rubbish+by+the+gate%2C+%E5%9E%83%E5%9C%BE+%3E+3+bags',
		'attribute%5Bvolume%5D=large',
		'attribute[kinds][]=household',
		'attribute[kinds][]=construction',
		'attribute[bags]=4.5',
		'attribute[seen_at]=2026-11-27T08%3A30%3A00%2B08%3A00',
		'attribute[landmark]=%E4%B8%9C%E9%97%A8',
		'attribute[details]=',
		'media_url=https%3A%2F%2Fexample.org%2Fphoto%3Fid%3D1%26s%3D2',
		'first_name=%E5%B0%8F%E6%98%8E',
		'last_name=%E7%8E%8B',
		`phone=${phone}`,
		'email=wang%40example.org',
		'address_string=',
	].join('&');
	const r = await post('requests.json', null, body);
	const j = jsonOk(r, 200);
	assert.ok(Array.isArray(j) && j.length === 1, r.text);
	assert.equal(typeof j[0].service_request_id, 'string');
	assert.match(j[0].service_request_id, /^\d{13}$/);
	filed = j[0].service_request_id;

	const one = jsonOk(await get(`requests/${filed}.json`));
	validateRequests(one);
	const q = one[0];
	assert.equal(q.service_request_id, filed);
	assert.equal(q.status, 'open');
	assert.equal(q.service_code, '06010');
	assert.equal(q.service_name, '暴露垃圾');
	assert.equal(q.description, 'Rubbish by the gate, 垃圾 > 3 bags');
	assert.equal(q.media_url, 'https://example.org/photo?id=1&s=2');
	assert.ok(Math.abs(q.lat - point[1]) < 1e-6 && Math.abs(q.long - point[0]) < 1e-6, JSON.stringify(q));
	assert.match(q.requested_datetime, /\+08:00$/);
	assert.match(q.expected_datetime, /\+08:00$/, 'the deadline');
	assert.deepEqual(q.attributes, { bags: '4.5', kinds: ['household', 'construction'], landmark: '东门', seen_at: '2026-11-27T08:30:00+08:00', volume: 'large' });
	assert.ok(!JSON.stringify(q).includes(phone) && !JSON.stringify(q).includes('小明'), 'no reporter data');

	// In civicgrid: a case of channel open311, with the reporter's sealed data.
	const list = await srv.get(`/api/v1/cases?q=${filed}`, { session: center });
	assert.equal(list.status, 200, list.text);
	const c = list.json.items.find((x) => x.number === filed);
	assert.ok(c, list.text);
	assert.equal(c.channel, 'open311');
	assert.equal(c.kind, 'event');
	const full = await srv.get(`/api/v1/cases/${c.id}`, { session: center });
	assert.ok(full.json.reporter, full.text);
	assert.notEqual(full.json.reporter.name, '王 小明');
	assert.equal(full.json.reporter.masked, true);
	assert.notEqual(full.json.reporter.phone, phone);

	const x = xml(await get(`requests/${filed}.xml`), 'service_requests');
	const xr = child(x, 'request');
	assert.equal(childText(xr, 'service_request_id'), filed);
	assert.equal(childText(xr, 'status'), 'open');
	assert.equal(childText(xr, 'description'), 'Rubbish by the gate, 垃圾 > 3 bags');
	assert.equal(childText(xr, 'media_url'), 'https://example.org/photo?id=1&s=2');
	assert.deepEqual(child(child(xr, 'attributes'), 'kinds').children.map((v) => v.text), ['household', 'construction']);
	assert.ok(/<zipcode\/>/.test(r.text) || true);

	// The XML POST answers the same way; the token is the id and tokens/ answers it.
	const rx = await post('requests.xml', garbage({ description: 'xml <filing>'.replace('<', '') }));
	const dx = xml(rx, 'service_requests', 200);
	const id2 = childText(child(dx, 'request'), 'service_request_id');
	const tok = childText(child(dx, 'request'), 'token');
	assert.match(id2, /^\d{13}$/);
	const t = jsonOk(await get(`tokens/${tok}.json`));
	assert.deepEqual(t, [{ service_request_id: id2, token: tok }]);
	const tx = xml(await get(`tokens/${tok}.xml`), 'service_requests');
	assert.equal(childText(child(tx, 'request'), 'service_request_id'), id2);

	// Located by address only: the filer's home region; by address_id: that region.
	const a1 = jsonOk(await post('requests.json', garbage({ lat: '', long: '', address_string: '相山区 人民路 1 号' })), 200);
	const v1 = jsonOk(await get(`requests/${a1[0].service_request_id}.json`))[0];
	assert.equal(v1.address, '相山区 人民路 1 号');
	assert.equal(v1.lat, null);
	validateRequest(v1);
	const a2 = jsonOk(await post('requests.json', garbage({ lat: '', long: '', address_id: '340603000000' })), 200);
	assert.equal(jsonOk(await get(`requests/${a2[0].service_request_id}.json`))[0].address_id, '340603000000');
	await assertO311Error(
		() => post('requests.json', garbage({ lat: '', long: '', address_id: '999999999999' })),
		() => post('requests.xml', garbage({ lat: '', long: '', address_id: '999999999999' })),
		404,
	);
});

test('GET requests: filters, defaults, paging, both formats', async () => {
	assert.ok(filed, 'filed by the previous test');
	const all = jsonOk(await get('requests.json'));
	validateRequests(all);
	assert.ok(all.some((r) => r.service_request_id === filed));
	assert.ok(all.length <= 1000);
	const x = xml(await get('requests.xml'), 'service_requests');
	assert.equal(x.children.length, all.length);
	assert.ok(x.children.every((c) => c.name === 'request'));

	const ids = all.slice(0, 2).map((r) => r.service_request_id);
	const two = jsonOk(await get(`requests.json?service_request_id=${ids.join(',')}&status=closed`));
	assert.deepEqual(two.map((r) => r.service_request_id).sort(), ids.sort(), 'ids win over other filters');
	const open = jsonOk(await get('requests.json?status=open&service_code=06010'));
	validateRequests(open);
	assert.ok(open.length > 0 && open.every((r) => r.status === 'open' && r.service_code === '06010'));
	const closedOnly = jsonOk(await get('requests.json?status=closed'));
	assert.ok(closedOnly.every((r) => r.status === 'closed'));
	assert.equal(jsonOk(await get('requests.json?status=open,closed')).length, all.length);
	// Empty parameters are absent.
	assert.equal(jsonOk(await get('requests.json?status=&service_code=&start_date=&end_date=&page=')).length, all.length);
	// A window in the past holds nothing of today.
	const old = jsonOk(await get('requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z'));
	assert.deepEqual(old, []);
	const today = jsonOk(await get(`requests.json?start_date=${encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())}`));
	assert.ok(today.some((r) => r.service_request_id === filed));
	// Paging.
	const p1 = jsonOk(await get('requests.json?page_size=1&page=1'));
	const p2 = jsonOk(await get('requests.json?page_size=1&page=2'));
	assert.equal(p1.length, 1);
	assert.equal(p2.length, 1);
	assert.notEqual(p1[0].service_request_id, p2[0].service_request_id);
	assert.equal(p1[0].service_request_id, all[0].service_request_id, 'newest first');
	for (const q of ['status=pending', 'start_date=yesterday', 'end_date=2026-13-01', 'page=0', 'page_size=1001', 'page_size=x',
		'start_date=2026-02-01&end_date=2026-01-01']) {
		await assertO311Error(() => get(`requests.json?${q}`), () => get(`requests.xml?${q}`), 400);
	}
});

test('PUT /api/v1/categories/{code}/attributes defines a service’s questions (sysadmin)', async () => {
	const plain = jsonOk(await get('services.json')).find((s) => !s.metadata && s.service_code !== '06010');
	const url = `/api/v1/categories/${plain.service_code}/attributes`;
	const attrs = [
		{ code: 'depth', datatype: 'number', required: true, description: '深度 (cm)' },
		{ code: 'lanes', datatype: 'multivaluelist', values: [{ key: 'left', name: '左' }, { key: 'right', name: '右' }] },
	];
	const put = (session, json) => srv.req('PUT', url, { session, json });
	assert.equal((await put(center, { attributes: attrs })).status, 403);
	for (const bad of [
		[{ code: 'x', datatype: 'colour' }],
		[{ code: '1x', datatype: 'string' }],
		[{ code: 'x', datatype: 'singlevaluelist' }],
		[{ code: 'x', datatype: 'string', values: [{ key: 'a', name: 'A' }] }],
		[{ code: 'x', datatype: 'string' }, { code: 'x', datatype: 'text' }],
		[{ code: 'x', datatype: 'string', required: 'yes' }],
		[{ code: 'x', datatype: 'string', bogus: 1 }],
	]) {
		const r = await put(admin, { attributes: bad });
		assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
	}
	assert.equal((await srv.req('PUT', '/api/v1/categories/99999/attributes', { session: admin, json: { attributes: attrs } })).status, 404);
	assert.equal((await get(`services/${plain.service_code}.json`)).json.attributes.length, 0, 'nothing changed');
	const ok = await put(admin, { attributes: attrs });
	assert.equal(ok.status, 200, ok.text);
	const d = jsonOk(await get(`services/${plain.service_code}.json`));
	validateServiceDefinition(d);
	assert.deepEqual(d.attributes.map((a) => [a.code, a.order, a.required]), [['depth', 1, true], ['lanes', 2, false]]);
	assert.equal(jsonOk(await get('services.json')).find((s) => s.service_code === plain.service_code).metadata, true);
	const audit = await srv.audit({ action: 'category.attributes' });
	assert.equal(audit.status, 200, audit.text);
	assert.ok(audit.json.items.length >= 1, audit.text);
});

test('round trip: filed by Open311, handled in civicgrid, followed by servicerequestupdates to closed', async () => {
	const since = new Date(Date.now() - 1000).toISOString();
	const f = jsonOk(await post('requests.json', garbage({ description: '路口垃圾' })), 200);
	const id = f[0].service_request_id;
	const list = await srv.get(`/api/v1/cases?q=${id}`, { session: center });
	let c = list.json.items.find((x) => x.number === id);
	const view = async (s) => {
		const r = await srv.get(`/api/v1/cases/${c.id}`, { session: s });
		assert.equal(r.status, 200, r.text);
		return { ...r.json, etag: r.headers.etag };
	};
	const act = async (s, action, json) => {
		const v = await view(s);
		const r = await srv.post(`/api/v1/cases/${c.id}/actions/${action}`, { session: s, json, headers: { 'If-Match': v.etag } });
		assert.equal(r.status, 200, `${action}: ${r.text}`);
		return r.json;
	};

	// An update through Open311 without a status: a note on the timeline.
	const u0 = jsonOk(await post('servicerequestupdates.json', { api_key: key, service_request_id: id, description: '已电话联系上报人', update_id: 'fms-1' }), 200);
	assert.match(u0[0].update_id, /^\d+$/);
	// A status the engine allows the token's user: INVESTIGATING registers it.
	const u1 = xml(await post('servicerequestupdates.xml', { api_key: key, service_request_id: id, status: 'INVESTIGATING', description: '已受理' }), 'service_request_updates', 200);
	assert.match(childText(child(u1, 'request_update'), 'update_id'), /^\d+$/);
	c = await view(center);
	assert.equal(c.status, 'registered');
	assert.ok(c.timeline.some((e) => e.note === '已电话联系上报人'));

	// Refusals: no key, a status the adapter does not define, one we do not map, an
	// action the user may not take (a grid worker cannot register… here: accept), an
	// unknown request, no description.
	const up = (o) => [() => post('servicerequestupdates.json', o), () => post('servicerequestupdates.xml', o)];
	await assertO311Error(...up({ service_request_id: id, description: 'x' }), 403);
	await assertO311Error(...up({ api_key: key, service_request_id: id, status: 'DONE', description: 'x' }), 400, /status/);
	await assertO311Error(...up({ api_key: key, service_request_id: id, status: 'DUPLICATE', description: 'x' }), 400, /status/);
	await assertO311Error(...up({ api_key: key, service_request_id: id, status: 'IN_PROGRESS', description: 'x' }), 400);
	await assertO311Error(...up({ api_key: key, service_request_id: '1999010100001', description: 'x' }), 404);
	await assertO311Error(...up({ api_key: key, service_request_id: id }), 400, /description/);
	await assertO311Error(...up({ api_key: key, service_request_id: id, description: 'x', updated_datetime: 'now' }), 400, /updated_datetime/);
	c = await view(center);
	assert.equal(c.status, 'registered', 'nothing changed');

	// Handled in civicgrid.
	const deps = await srv.get('/api/v1/departments?limit=200', { session: admin });
	const cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	await act(center, 'dispatch', { department: cgj.id });
	// An internal step with a note: supervision stays in the console.
	assert.ok((await view(center)).actions.includes('supervise'));
	await act(center, 'supervise', { note: '内部督办备注' });
	await act(dept, 'accept', {});
	let q = jsonOk(await get(`requests/${id}.json`))[0];
	assert.equal(q.status, 'open');
	assert.equal(q.agency_responsible, cgj.name);
	await act(dept, 'report_result', { result: '已清运完毕' });
	q = jsonOk(await get(`requests/${id}.json`))[0];
	assert.equal(q.status_notes, '已清运完毕');
	// Closing: the centre verifies it through Open311 (CLOSED = verify fixed).
	jsonOk(await post('servicerequestupdates.json', { api_key: key, service_request_id: id, status: 'CLOSED', description: '核查通过' }), 200);
	q = jsonOk(await get(`requests/${id}.json`))[0];
	validateRequest(q);
	assert.equal(q.status, 'closed');
	assert.equal(q.status_notes, '核查通过');
	assert.ok(jsonOk(await get('requests.json?status=closed')).some((r) => r.service_request_id === id));

	// The updates as the open311-adapter reads them.
	const ups = jsonOk(await get(`servicerequestupdates.json?start_date=${encodeURIComponent(since)}`));
	const mine = ups.filter((u) => u.service_request_id === id);
	for (const u of ups) {
		assert.equal(typeof u.update_id, 'string');
		assert.equal(typeof u.service_request_id, 'string');
		assert.match(u.status, /^[A-Z_]+$/);
		assert.match(u.updated_datetime, /\+08:00$/);
		assert.equal(typeof u.description, 'string');
	}
	assert.deepEqual(
		mine.map((u) => u.status),
		['OPEN', 'OPEN', 'INVESTIGATING', 'ACTION_SCHEDULED', 'IN_PROGRESS', 'IN_PROGRESS', 'FIXED'],
		JSON.stringify(mine),
	);
	assert.equal(mine.at(-1).description, '核查通过');
	assert.ok(!ups.some((u) => u.description === '内部督办备注'), 'internal notes are not published');
	assert.equal(mine[0].media_url, null);
	const xu = xml(await get(`servicerequestupdates.xml?start_date=${encodeURIComponent(since)}`), 'service_requests_updates');
	const xmine = xu.children.filter((u) => childText(u, 'service_request_id') === id);
	assert.equal(xmine.length, mine.length);
	assert.equal(childText(xmine.at(-1), 'status'), 'FIXED');
	await assertO311Error(() => get('servicerequestupdates.json?start_date=x'), () => get('servicerequestupdates.xml?start_date=x'), 400);
	// A grid worker's key may not verify.
	void gwKey;
});

test('POST to read-only resources and the server stays up', async () => {
	const r = await post('services.json', { api_key: key });
	assert.equal(r.status, 400, r.text);
	validateErrors(r.json);
	const d = await srv.req('DELETE', `${V2}/requests.json`);
	assert.equal(d.status, 405);
	assert.equal((await get('discovery.json')).status, 200);
});

test('the server exits cleanly (no sanitizer report under ASan)', async () => {
	const err = await srv.stop();
	assert.doesNotMatch(err, /runtime error|AddressSanitizer|LeakSanitizer/);
	// Neither the reporter's phone nor an api_key reaches the log.
	assert.ok(!err.includes('13912345678'), 'no phone number in the log');
	assert.ok(!err.includes(key), 'no api_key in the log');
});
