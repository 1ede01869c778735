// regions.test.mjs - the region tree: reading, paging, scope, and the sysadmin's
// changes (create, rename, move) with ETag / If-Match and their audit records.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CITY, DUJI, LIESHAN, PASSWORD, SUIXI, XIANGNAN, XIANGSHAN, assertError, cliDbOk, randomId, readRegionsCsv, startServer } from './lib.mjs';

let srv;
let admin;
const towns = readRegionsCsv('huaibei-towns.csv');
const villages = readRegionsCsv('huaibei-villages.csv');
const DISTRICTS = [
	{ code: DUJI, name: '杜集区' },
	{ code: XIANGSHAN, name: '相山区' },
	{ code: LIESHAN, name: '烈山区' },
	{ code: SUIXI, name: '濉溪县' },
];

before(async () => {
	srv = await startServer();
	admin = await srv.session('admin');
	// A dispatcher of 杜集区, to see a moved town from the other side.
	cliDbOk(srv.db, ['user', 'add', '--username', 'dj_center', '--name', '杜集区调度员', '--region', DUJI, '--roles', 'dispatcher', '--password-stdin'], { input: `${PASSWORD}\n` });
});

after(async () => {
	await srv?.close();
});

const rid = (what) => `e2e-${what}-${randomId(4)}`;

async function get(code, session = admin) {
	return srv.get(`/api/v1/regions/${code}`, { session });
}

/* Every child of `parent`, following next_cursor with pages of `limit`. */
async function walk(parent, limit, session = admin) {
	const items = [];
	let cursor = null;
	for (let pages = 0; pages < 1000; pages++) {
		const q = new URLSearchParams({ parent, limit: String(limit), ...(cursor ? { cursor } : {}) });
		const r = await srv.get(`/api/v1/regions?${q}`, { session });
		assert.equal(r.status, 200, `${q}: ${r.text}`);
		assert.deepEqual(Object.keys(r.json).sort(), ['items', 'next_cursor']);
		assert.ok(r.json.items.length <= limit, `at most ${limit} items`);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null) return items;
		assert.equal(typeof cursor, 'string');
		assert.equal(r.json.items.length, limit, 'only a full page has a next page');
	}
	assert.fail('paging did not end');
}

test('GET /regions/{code}: code, name, level, parent and an ETag', async () => {
	const city = await get(CITY);
	assert.equal(city.status, 200, city.text);
	assert.deepEqual(city.json, { code: CITY, name: '淮北市', level: 'city', parent: null });
	assert.match(city.headers.etag, /^(W\/)?"[^"]+"$/);
	assert.match(city.headers['content-type'], /^application\/json/);

	const xs = await get(XIANGSHAN);
	assert.deepEqual(xs.json, { code: XIANGSHAN, name: '相山区', level: 'district', parent: CITY });
	const town = await get(XIANGNAN);
	assert.deepEqual(town.json, { code: XIANGNAN, name: '相南街道', level: 'town', parent: XIANGSHAN });
	const v = villages.find((x) => x.parent === XIANGNAN);
	const village = await get(v.code);
	assert.deepEqual(village.json, { code: v.code, name: v.name, level: 'village', parent: XIANGNAN });
	// The same representation has the same ETag; different ones differ.
	assert.equal((await get(CITY)).headers.etag, city.headers.etag);
	assert.notEqual(xs.headers.etag, city.headers.etag);

	assertError(await get('340603999000'), 404, 'REGION_NOT_FOUND', undefined, 'unknown town');
	for (const bad of ['abc', '3406', '34060300100a', '3406030010001234']) {
		const r = await get(bad);
		assert.ok([400, 404].includes(r.status), `${bad}: ${r.status} ${r.text}`);
		assertError(r, r.status, r.status === 404 ? 'REGION_NOT_FOUND' : r.json.code, undefined, bad);
	}
});

test('the city has the four county-level units as children, in code order', async () => {
	const r = await srv.get(`/api/v1/regions?parent=${CITY}`, { session: admin });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(
		r.json.items.map((x) => ({ code: x.code, name: x.name })),
		DISTRICTS,
	);
	assert.ok(r.json.items.every((x) => x.level === 'district' && x.parent === CITY));
	assert.equal(r.json.next_cursor, null);
});

test('paging by cursor gives the same towns as one page, without duplicates or gaps', async () => {
	const one = await srv.get(`/api/v1/regions?parent=${SUIXI}&limit=200`, { session: admin });
	assert.equal(one.status, 200, one.text);
	assert.equal(one.json.next_cursor, null);
	const want = towns.filter((t) => t.parent === SUIXI).map((t) => t.code).sort();
	assert.deepEqual(one.json.items.map((x) => x.code), want, 'the towns of 濉溪县 from the reference data, by code');
	for (const limit of [1, 3, 5, want.length, want.length + 1]) {
		const paged = await walk(SUIXI, limit);
		assert.deepEqual(paged, one.json.items, `limit ${limit}`);
	}
	// Default page size and the bounds of limit.
	const def = await srv.get(`/api/v1/regions?parent=${SUIXI}`, { session: admin });
	assert.deepEqual(def.json.items, one.json.items);
	for (const bad of ['0', '201', '-1', 'abc', '1.5', '']) {
		const r = await srv.get(`/api/v1/regions?parent=${SUIXI}&limit=${bad}`, { session: admin });
		if (bad === '' && r.status === 200) continue; // an empty limit may mean the default
		assertError(r, 400, 'INVALID_QUERY', 'limit', `limit=${bad}`);
	}
	assertError(await srv.get(`/api/v1/regions?parent=${SUIXI}&cursor=zzz`, { session: admin }), 400, 'INVALID_QUERY', 'cursor', 'bad cursor');
	assertError(await srv.get('/api/v1/regions?parent=340699000000', { session: admin }), 404, 'REGION_NOT_FOUND', undefined, 'unknown parent');
});

test('walking the whole tree by cursors finds every town and village of the reference data exactly once', async () => {
	const seenTowns = [];
	const seenVillages = [];
	for (const d of DISTRICTS) {
		for (const t of await walk(d.code, 4)) {
			assert.equal(t.level, 'town');
			assert.equal(t.parent, d.code);
			seenTowns.push(t);
			for (const v of await walk(t.code, 7)) {
				assert.equal(v.level, 'village');
				assert.equal(v.parent, t.code);
				seenVillages.push(v);
			}
		}
	}
	const key = (x) => `${x.code} ${x.name} ${x.parent}`;
	assert.deepEqual(seenTowns.map(key).sort(), towns.map(key).sort(), 'towns');
	// Villages created by other tests of this file live under 相南街道 with codes 3406030019xx.
	const demoVillages = seenVillages.filter((v) => !/^3406030019\d\d$/.test(v.code) && !v.code.startsWith('340603777'));
	assert.equal(new Set(seenVillages.map((v) => v.code)).size, seenVillages.length, 'no village twice');
	assert.deepEqual(demoVillages.map(key).sort(), villages.map(key).sort(), 'villages');
	assert.ok(villages.length >= 452);
});

test('without a parent the list holds the caller’s home region', async () => {
	const a = await srv.get('/api/v1/regions', { session: admin });
	assert.equal(a.status, 200, a.text);
	assert.deepEqual(a.json, { items: [{ code: CITY, name: '淮北市', level: 'city', parent: null }], next_cursor: null });
	const x = await srv.get('/api/v1/regions', { session: await srv.session('xs_center') });
	assert.deepEqual(x.json.items.map((i) => i.code), [XIANGSHAN]);
	const gw = await srv.session('gw_001');
	const g = await srv.get('/api/v1/regions', { session: gw });
	assert.deepEqual(g.json.items.map((i) => i.code), [gw.user.region]);
});

test('a district dispatcher sees the subtree of 相山区 and nothing else (404, not 403)', async () => {
	const xs = await srv.session('xs_center');
	assert.equal((await get(XIANGSHAN, xs)).status, 200);
	assert.equal((await get(XIANGNAN, xs)).status, 200);
	const v = villages.find((x) => x.parent === XIANGNAN);
	assert.equal((await get(v.code, xs)).status, 200);
	const missing = await get('340603999000', xs);
	for (const code of [DUJI, CITY, SUIXI, '340602001000', villages.find((x) => x.code.startsWith('340602')).code]) {
		const r = await get(code, xs);
		assertError(r, 404, 'REGION_NOT_FOUND', undefined, `xs_center GET ${code}`);
		assert.equal(r.text, missing.text, 'outside the scope looks exactly like not existing');
	}
	for (const code of [CITY, DUJI]) assertError(await srv.get(`/api/v1/regions?parent=${code}`, { session: xs }), 404, 'REGION_NOT_FOUND', undefined, `xs_center list ${code}`);
	const mine = await walk(XIANGSHAN, 200, xs);
	const demoTowns = mine.filter((t) => !t.code.startsWith('3406037'));
	assert.deepEqual(demoTowns.map((t) => t.code).sort(), towns.filter((t) => t.parent === XIANGSHAN).map((t) => t.code).sort());
	// The mediator of 相山区 has the same scope.
	const med = await srv.session('mediator');
	assert.equal((await get(XIANGNAN, med)).status, 200);
	assertError(await get(DUJI, med), 404, 'REGION_NOT_FOUND', undefined, 'mediator GET 杜集区');
});

test('a grid worker sees only their own grid', async () => {
	const gw = await srv.session('gw_001');
	const home = gw.user.region;
	const r = await get(home, gw);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.level, 'grid');
	const village = r.json.parent;
	const sibling = villages.find((x) => x.parent === XIANGNAN && x.code !== village);
	for (const code of [XIANGNAN, XIANGSHAN, CITY, village, sibling.code, DUJI, `${village}002`]) assertError(await get(code, gw), 404, 'REGION_NOT_FOUND', undefined, `gw_001 GET ${code}`);
	assertError(await srv.get(`/api/v1/regions?parent=${XIANGNAN}`, { session: gw }), 404, 'REGION_NOT_FOUND', undefined, 'gw_001 list the town');
	const kids = await srv.get(`/api/v1/regions?parent=${home}`, { session: gw });
	assert.equal(kids.status, 200, kids.text);
	assert.ok(kids.json.items.every((x) => x.parent === home));
});

test('only the sysadmin creates regions: 201 with Location and ETag, visible in the tree, audited', async () => {
	const code = '340603001950';
	const body = { code, name: '测试新社区', parent: XIANGNAN };
	for (const u of ['secadmin', 'auditor', 'leader', 'center', 'xs_center', 'cg_dept', 'gw_001', 'mediator', 'xf_officer', 'citizen']) {
		assertError(await srv.post('/api/v1/regions', { session: await srv.session(u), json: body }), 403, 'FORBIDDEN', undefined, `${u} POST /regions`);
	}
	assertError(await get(code), 404, 'REGION_NOT_FOUND', undefined, 'nothing created by the refused requests');

	const id = rid('create');
	const r = await srv.post('/api/v1/regions', { session: admin, json: body, headers: { 'X-Request-Id': id } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.headers.location, `/api/v1/regions/${code}`);
	assert.deepEqual(r.json, { code, name: '测试新社区', level: 'village', parent: XIANGNAN });
	assert.ok(r.headers.etag);
	const g = await get(code);
	assert.deepEqual(g.json, r.json);
	assert.equal(g.headers.etag, r.headers.etag, 'the ETag of the 201 is the resource’s');
	const list = await walk(XIANGNAN, 200);
	assert.ok(list.some((x) => x.code === code));
	assert.equal((await get(code, await srv.session('xs_center'))).status, 200, 'visible to 相山区');
	assert.equal((await get(code, await srv.session('dj_center'))).status, 404, 'not to 杜集区');

	assertError(await srv.post('/api/v1/regions', { session: admin, json: body }), 409, 'REGION_EXISTS', undefined, 'the same code again');
	assertError(await srv.post('/api/v1/regions', { session: admin, json: { code: XIANGNAN, name: 'x', parent: XIANGSHAN } }), 409, 'REGION_EXISTS', undefined, 'a demo town again');

	const audit = await srv.audit({ object: `region:${code}` });
	assert.equal(audit.status, 200, audit.text);
	const recs = audit.json.items.filter((x) => x.action === 'region.create');
	assert.equal(recs.length, 1, JSON.stringify(audit.json.items));
	assert.equal(recs[0].username, 'admin');
	assert.equal(recs[0].success, true);
	assert.equal(recs[0].request_id, id);
	assert.equal(recs[0].source, '127.0.0.1');

	// Deeper: a town, a village under it and a grid under that.
	const t = await srv.post('/api/v1/regions', { session: admin, json: { code: '340603777000', name: '测试街道', parent: XIANGSHAN } });
	assert.equal(t.status, 201, t.text);
	assert.equal(t.json.level, 'town');
	const v = await srv.post('/api/v1/regions', { session: admin, json: { code: '340603777001', name: '测试村', parent: '340603777000' } });
	assert.equal(v.status, 201, v.text);
	assert.equal(v.json.level, 'village');
	const grid = await srv.post('/api/v1/regions', { session: admin, json: { code: '340603777001001', name: '第一网格', parent: '340603777001' } });
	assert.equal(grid.status, 201, grid.text);
	assert.equal(grid.json.level, 'grid');
	// Names are counted in characters: 100 Chinese characters fit, 101 do not.
	const long = await srv.post('/api/v1/regions', { session: admin, json: { code: '340603777002', name: '长'.repeat(100), parent: '340603777000' } });
	assert.equal(long.status, 201, `a 100-character name: ${long.text}`);
	assertError(await srv.post('/api/v1/regions', { session: admin, json: { code: '340603777003', name: '长'.repeat(101), parent: '340603777000' } }), 400, 'FIELD_TOO_LONG', 'name', '101 characters');
	assertError(await srv.post('/api/v1/regions', { session: admin, json: { code: '340603777003', name: '', parent: '340603777000' } }), 400, 'INVALID_FIELD', 'name', 'empty name');
});

test('bad codes are 400 INVALID_REGION_CODE (field code); an unknown parent is 404', async () => {
	const cases = [
		['abc', XIANGNAN, 'letters'],
		['34060300195a', XIANGNAN, 'a letter'],
		['34060300195', XIANGNAN, '11 digits'],
		['3406030019511', XIANGNAN, '13 digits'],
		['340603002960', XIANGNAN, 'a village of 东街道 under 相南街道'],
		['340603088000', XIANGNAN, 'a town code under a town'],
		['340602001960', XIANGNAN, 'a village of 杜集区 under 相南街道'],
		['340603001960', XIANGSHAN, 'a village directly under a district'],
		['340603001000001', XIANGNAN, 'a grid of a town'],
		['340600000000', XIANGNAN, 'the city under a town'],
		['340605000000', XIANGSHAN, 'a district under a district'],
		['000000000000', CITY, 'all zeros'],
	];
	for (const [code, parent, what] of cases) {
		const r = await srv.post('/api/v1/regions', { session: admin, json: { code, name: '坏代码', parent } });
		if (code === '340600000000') {
			// The city exists already: either answer keeps it unchanged.
			assert.ok([400, 409].includes(r.status), `${what}: ${r.text}`);
			continue;
		}
		assertError(r, 400, 'INVALID_REGION_CODE', 'code', what);
	}
	const tooLong = await srv.post('/api/v1/regions', { session: admin, json: { code: '3406030019601234', name: '坏代码', parent: XIANGNAN } });
	assert.equal(tooLong.status, 400, tooLong.text);
	assert.ok(['INVALID_REGION_CODE', 'FIELD_TOO_LONG'].includes(tooLong.json.code), tooLong.text);
	assert.equal(tooLong.json.field, 'code');
	assertError(await srv.post('/api/v1/regions', { session: admin, json: { code: '340603099001', name: '无上级', parent: '340603099000' } }), 404, 'REGION_NOT_FOUND', 'parent', 'unknown parent');
	// Nothing was created by any of them.
	for (const code of ['340603002960', '340603001960', '340603099001']) assertError(await get(code), 404, 'REGION_NOT_FOUND', undefined, code);
});

test('rename needs If-Match: missing 428, stale 412, current 200 with a new ETag; audited', async () => {
	const code = '340603001951';
	const c = await srv.post('/api/v1/regions', { session: admin, json: { code, name: '改名前', parent: XIANGNAN } });
	assert.equal(c.status, 201, c.text);
	const e1 = c.headers.etag;

	assertError(await srv.patch(`/api/v1/regions/${code}`, { session: admin, json: { name: '改名后' } }), 428, 'PRECONDITION_REQUIRED', undefined, 'no If-Match');
	assertError(await srv.patch(`/api/v1/regions/${code}`, { session: admin, json: { name: '改名后' }, headers: { 'If-Match': '"0000000000000000"' } }), 412, 'PRECONDITION_FAILED', undefined, 'wrong If-Match');
	assert.equal((await get(code)).json.name, '改名前', 'refused renames changed nothing');

	const id = rid('rename');
	const r = await srv.patch(`/api/v1/regions/${code}`, { session: admin, json: { name: '改名后' }, headers: { 'If-Match': e1, 'X-Request-Id': id } });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { code, name: '改名后', level: 'village', parent: XIANGNAN });
	const e2 = r.headers.etag;
	assert.ok(e2 && e2 !== e1, 'a new ETag');
	const g = await get(code);
	assert.equal(g.json.name, '改名后');
	assert.equal(g.headers.etag, e2);

	// The old ETag is stale now: a lost update is refused.
	assertError(await srv.patch(`/api/v1/regions/${code}`, { session: admin, json: { name: '第三个名字' }, headers: { 'If-Match': e1 } }), 412, 'PRECONDITION_FAILED', undefined, 'stale If-Match');
	assert.equal((await get(code)).json.name, '改名后');

	for (const u of ['secadmin', 'xs_center', 'leader']) {
		assertError(await srv.patch(`/api/v1/regions/${code}`, { session: await srv.session(u), json: { name: '越权' }, headers: { 'If-Match': e2 } }), 403, 'FORBIDDEN', undefined, `${u} PATCH`);
	}
	assertError(await srv.patch('/api/v1/regions/340603999000', { session: admin, json: { name: 'x' }, headers: { 'If-Match': e2 } }), 404, 'REGION_NOT_FOUND', undefined, 'PATCH an unknown region');
	assert.equal((await get(code)).json.name, '改名后');

	const audit = await srv.audit({ object: `region:${code}`, action: 'region.rename' });
	assert.equal(audit.status, 200, audit.text);
	assert.equal(audit.json.items.length, 1, JSON.stringify(audit.json.items));
	const rec = audit.json.items[0];
	assert.equal(rec.username, 'admin');
	assert.equal(rec.request_id, id);
	assert.equal(rec.success, true);
	assert.match(rec.detail, /改名前/);
	assert.match(rec.detail, /改名后/);
});

test('moving a town moves its subtree: scope follows the new parent; audited', async () => {
	const town = '340603778000';
	const village = '340603778001';
	assert.equal((await srv.post('/api/v1/regions', { session: admin, json: { code: town, name: '搬迁街道', parent: XIANGSHAN } })).status, 201);
	assert.equal((await srv.post('/api/v1/regions', { session: admin, json: { code: village, name: '搬迁社区', parent: town } })).status, 201);
	const xs = await srv.session('xs_center');
	const dj = await srv.login('dj_center');
	assert.equal((await get(village, xs)).status, 200);
	assert.equal((await get(village, dj)).status, 404);

	const id = rid('move');
	let g = await get(town);
	const m = await srv.patch(`/api/v1/regions/${town}`, { session: admin, json: { parent: DUJI }, headers: { 'If-Match': g.headers.etag, 'X-Request-Id': id } });
	assert.equal(m.status, 200, m.text);
	assert.deepEqual(m.json, { code: town, name: '搬迁街道', level: 'town', parent: DUJI });
	assert.notEqual(m.headers.etag, g.headers.etag, 'a move changes the ETag');

	for (const code of [town, village]) {
		assertError(await get(code, xs), 404, 'REGION_NOT_FOUND', undefined, `相山区 after the move: ${code}`);
		assert.equal((await get(code, dj)).status, 200, `杜集区 after the move: ${code}`);
	}
	assert.equal((await get(village)).json.parent, town, 'the village stays under its town');
	assert.ok((await walk(DUJI, 200)).some((x) => x.code === town));
	assert.ok(!(await walk(XIANGSHAN, 200)).some((x) => x.code === town));

	g = await get(town);
	const back = await srv.patch(`/api/v1/regions/${town}`, { session: admin, json: { parent: XIANGSHAN }, headers: { 'If-Match': g.headers.etag } });
	assert.equal(back.status, 200, back.text);
	assert.equal((await get(village, xs)).status, 200, 'back in 相山区');
	assertError(await get(village, dj), 404, 'REGION_NOT_FOUND', undefined, '杜集区 after moving back');

	const audit = await srv.audit({ object: `region:${town}`, action: 'region.move' });
	assert.equal(audit.json.items.length, 2, JSON.stringify(audit.json.items));
	const first = audit.json.items[1]; // newest first
	assert.equal(first.request_id, id);
	assert.equal(first.username, 'admin');
	assert.match(first.detail, new RegExp(`${XIANGSHAN}.*${DUJI}`));
});

test('one PATCH may rename and move together', async () => {
	const town = '340603780000';
	assert.equal((await srv.post('/api/v1/regions', { session: admin, json: { code: town, name: '旧名街道', parent: XIANGSHAN } })).status, 201);
	const g = await get(town);
	const r = await srv.patch(`/api/v1/regions/${town}`, { session: admin, json: { name: '新名街道', parent: LIESHAN }, headers: { 'If-Match': g.headers.etag } });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { code: town, name: '新名街道', level: 'town', parent: LIESHAN });
	assert.deepEqual((await get(town)).json, r.json);
	const actions = (await srv.audit({ object: `region:${town}` })).json.items.map((x) => x.action).sort();
	assert.deepEqual(actions, ['region.create', 'region.move', 'region.rename']);
});

test('moves to a parent of the wrong level or into the own subtree are 409 INVALID_REGION_MOVE and change nothing', async () => {
	const town = '340603779000';
	assert.equal((await srv.post('/api/v1/regions', { session: admin, json: { code: town, name: '不动街道', parent: XIANGSHAN } })).status, 201);
	assert.equal((await srv.post('/api/v1/regions', { session: admin, json: { code: '340603779001', name: '不动社区', parent: town } })).status, 201);
	const before = await get(town);
	const cases = [
		[town, { parent: CITY }, 'a town under the city'],
		[town, { parent: XIANGNAN }, 'a town under a town'],
		[town, { parent: '340603779001' }, 'a town under its own village'],
		[town, { parent: town }, 'a town under itself'],
		[XIANGSHAN, { parent: XIANGNAN }, 'a district under its own town'],
		[XIANGSHAN, { parent: DUJI }, 'a district under a district'],
		[CITY, { parent: XIANGSHAN }, 'the city under a district'],
		[town, { name: '不该改名', parent: CITY }, 'rename and a bad move together'],
	];
	for (const [code, body, what] of cases) {
		const g = await get(code);
		const r = await srv.patch(`/api/v1/regions/${code}`, { session: admin, json: body, headers: { 'If-Match': g.headers.etag } });
		assertError(r, 409, 'INVALID_REGION_MOVE', undefined, what);
		const after = await get(code);
		assert.deepEqual(after.json, g.json, `${what}: unchanged`);
		assert.equal(after.headers.etag, g.headers.etag, `${what}: same ETag`);
	}
	assert.deepEqual((await get(town)).json, before.json);
	const r = await srv.patch(`/api/v1/regions/${town}`, { session: admin, json: { parent: '340602999000' }, headers: { 'If-Match': before.headers.etag } });
	assertError(r, 404, 'REGION_NOT_FOUND', undefined, 'move under an unknown parent');
	assert.deepEqual((await get(town)).json, before.json);
	const audit = await srv.audit({ object: `region:${town}` });
	assert.equal(audit.status, 200, audit.text);
	const changes = audit.json.items.filter((x) => x.success && x.action.startsWith('region.'));
	assert.deepEqual(changes.map((x) => x.action), ['region.create'], 'refused moves leave no change records');
});

test('the server exits 0 on SIGTERM (no leaks under the sanitizers)', async () => {
	await srv.stop();
});
