// grids.test.mjs - grids end to end: the demo city's grids and grid workers, the
// point lookup (inside, outside, on a shared vertex, in a hole, scope), boundaries
// with their 422 reasons, attributes, "1+1" worker assignments, `import grids` /
// `export grids` (all or nothing, every bad feature named), the audit records, and a
// clean exit. One server for the whole file; the tests run in order and build on
// each other's changes (a shrunk grid, a new grid in the freed area, an import).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CITY, DUJI, LIESHAN, SLOW, XIANGSHAN, assertError, assertNoInternals, cli, readRegionsCsv, sleep, startServer } from './lib.mjs';

let srv;
let admin;
let fc; // the city's FeatureCollection as the demo made it
let byCode; // code → Feature
const villages = readRegionsCsv('huaibei-villages.csv');
const towns = readRegionsCsv('huaibei-towns.csv');
const townOf = new Map(villages.map((v) => [v.code, v.parent]));
const districtOf = new Map(towns.map((t) => [t.code, t.parent]));

before(async () => {
	srv = await startServer();
	admin = await srv.session('admin');
	const r = await srv.get('/api/v1/grids', { session: admin });
	assert.equal(r.status, 200, r.text.slice(0, 300));
	fc = r.json;
	byCode = new Map(fc.features.map((f) => [f.id, f]));
});

after(async () => {
	await srv?.close();
});

/* ---- plane geometry on lon/lat (what GEOS does with these coordinates) ---- */

/* Outer rings and holes of a Polygon or MultiPolygon as a list of polygons. */
const polygonsOf = (g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

function inRing([x, y], ring) {
	let inside = false;
	for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
		const [xi, yi] = ring[i];
		const [xj, yj] = ring[j];
		if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
	}
	return inside;
}

/* Strictly inside by ray casting (a point on an edge may go either way). */
function inside(p, g) {
	return polygonsOf(g).some(([outer, ...holes]) => inRing(p, outer) && !holes.some((h) => inRing(p, h)));
}

function segDist([px, py], [ax, ay], [bx, by]) {
	const dx = bx - ax;
	const dy = by - ay;
	const len2 = dx * dx + dy * dy;
	const t = len2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
	return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/* Distance (degrees) from p to the nearest edge of g. */
function edgeDist(p, g) {
	let d = Infinity;
	for (const poly of polygonsOf(g)) for (const ring of poly) for (let i = 1; i < ring.length; i++) d = Math.min(d, segDist(p, ring[i - 1], ring[i]));
	return d;
}

function bbox(g) {
	const b = [Infinity, Infinity, -Infinity, -Infinity];
	for (const poly of polygonsOf(g))
		for (const ring of poly)
			for (const [x, y] of ring) {
				b[0] = Math.min(b[0], x);
				b[1] = Math.min(b[1], y);
				b[2] = Math.max(b[2], x);
				b[3] = Math.max(b[3], y);
			}
	return b;
}

/* A point well inside g: of the ring's average and the midpoints between it and
 * each vertex, the inside one farthest from every edge. */
function interiorPoint(g) {
	const outer = polygonsOf(g)[0][0].slice(0, -1);
	const avg = [outer.reduce((s, p) => s + p[0], 0) / outer.length, outer.reduce((s, p) => s + p[1], 0) / outer.length];
	let best = null;
	let bestD = -1;
	for (const c of [avg, ...outer.map((v) => [(v[0] + avg[0]) / 2, (v[1] + avg[1]) / 2])]) {
		if (!inside(c, g)) continue;
		const d = edgeDist(c, g);
		if (d > bestD) {
			best = c;
			bestD = d;
		}
	}
	assert.ok(best, 'an interior point');
	return { p: best, d: bestD };
}

/* Up to k points inside g, each at least `margin` from g's edges and `apart` (in
 * both lon and lat) from the others and from the points in `avoid`. */
function spreadPoints(g, k, margin, apart, avoid = []) {
	const [x0, y0, x1, y1] = bbox(g);
	const picked = [];
	const far = (p, q) => Math.max(Math.abs(p[0] - q[0]), Math.abs(p[1] - q[1])) >= apart;
	for (let i = 1; i < 40 && picked.length < k; i++)
		for (let j = 1; j < 40 && picked.length < k; j++) {
			const p = [x0 + ((x1 - x0) * i) / 40, y0 + ((y1 - y0) * j) / 40];
			if (inside(p, g) && edgeDist(p, g) >= margin && [...avoid, ...picked].every((q) => far(p, q))) picked.push(p);
		}
	return picked;
}

const ring = ([x, y], h) => [
	[x - h, y - h],
	[x + h, y - h],
	[x + h, y + h],
	[x - h, y + h],
	[x - h, y - h],
];
const square = (c, h) => ({ type: 'Polygon', coordinates: [ring(c, h)] });
/* Square area in m² on the local equirectangular projection the server uses. */
const squareArea = ([, y], h) => 2 * h * 111320 * Math.cos((y * Math.PI) / 180) * 2 * h * 110574;

/* Same shape up to ring orientation, start vertex and rounding (export writes 12
 * significant digits: ~1e-9°). */
function assertSameShape(got, want, what) {
	assert.ok(got, `${what}: a boundary`);
	assert.equal(got.type, want.type, `${what}: type`);
	const rings = (g) =>
		polygonsOf(g)
			.map((poly) => poly.map((r) => r.slice(0, -1).sort((p, q) => p[0] - q[0] || p[1] - q[1])))
			.sort((x, y) => x[0][0][0] - y[0][0][0] || x[0][0][1] - y[0][0][1]);
	const g = rings(got);
	const w = rings(want);
	assert.deepEqual(
		g.map((poly) => poly.map((r) => r.length)),
		w.map((poly) => poly.map((r) => r.length)),
		`${what}: the same number of rings and vertices`,
	);
	for (const [i, poly] of g.entries())
		for (const [k, r] of poly.entries())
			for (const [m, [x, y]] of r.entries()) {
				const [wx, wy] = w[i][k][m];
				assert.ok(Math.abs(x - wx) < 1e-8 && Math.abs(y - wy) < 1e-8, `${what}: vertex ${x},${y} vs ${wx},${wy}`);
			}
}

/* ---- API helpers ---- */

const locate = (p, session = admin) => srv.get(`/api/v1/grids/locate?lon=${p[0]}&lat=${p[1]}`, { session });

async function located(p, session = admin) {
	const r = await locate(p, session);
	assert.equal(r.status, 200, `locate ${p}: ${r.text}`);
	return r.json.grid;
}

async function assertNoGrid(p, session = admin, what = '') {
	assertError(await locate(p, session), 404, 'NO_GRID', null, `locate ${p} ${what}`);
}

const getGrid = (code, session = admin) => srv.get(`/api/v1/grids/${code}`, { session });

async function grid(code) {
	const r = await getGrid(code);
	assert.equal(r.status, 200, `GET grid ${code}: ${r.text.slice(0, 300)}`);
	assert.match(r.headers.etag, /^(W\/)?"[^"]+"$/);
	return r;
}

function putBoundary(code, geometry, { etag, session = admin, lang = 'en', headers = {}, body } = {}) {
	const h = { ...headers };
	if (etag) h['If-Match'] = etag;
	if (lang) h['Accept-Language'] = lang;
	return srv.req('PUT', `/api/v1/grids/${code}/boundary`, { session, headers: h, ...(body !== undefined ? { body, headers: { ...h, 'Content-Type': 'application/json' } } : { json: geometry }) });
}

/* A 422 geometry refusal: the error shape plus reason, location and other. */
function assertGeoError(res, code, { other, located: hasLocation, reason } = {}, what = '') {
	const ctx = `${what} → ${res.status} ${(res.text || '').slice(0, 400)}`;
	assert.equal(res.status, 422, `status: ${ctx}`);
	const j = res.json;
	assert.ok(j && typeof j === 'object', `JSON body: ${ctx}`);
	assert.equal(j.code, code, `code: ${ctx}`);
	assert.equal(j.field, 'geometry', `field: ${ctx}`);
	assert.ok(typeof j.message === 'string' && j.message.length > 0, `message: ${ctx}`);
	assert.ok(typeof j.reason === 'string' && j.reason.length > 0, `reason: ${ctx}`);
	for (const k of Object.keys(j)) assert.ok(['code', 'message', 'field', 'reason', 'location', 'other'].includes(k), `unexpected key ${k}: ${ctx}`);
	if (other !== undefined) assert.equal(j.other, other, `other: ${ctx}`);
	if (hasLocation) {
		assert.ok(Array.isArray(j.location) && j.location.length === 2 && j.location.every(Number.isFinite), `location [lon, lat]: ${ctx}`);
		assert.ok(Math.abs(j.location[0]) <= 180 && Math.abs(j.location[1]) <= 90, `location in range: ${ctx}`);
	}
	if (reason) assert.match(j.reason, reason, `reason: ${ctx}`);
	assertNoInternals(res, what);
	return j;
}

function ancestorsOf(code) {
	const village = code.slice(0, 12);
	const town = townOf.get(village);
	return { grid: code, village, town, district: districtOf.get(town), city: CITY };
}

/* Every account, following the cursors (secadmin). */
async function allUsers() {
	const sec = await srv.session('secadmin');
	const items = [];
	let cursor = null;
	for (let i = 0; i < 200; i++) {
		const r = await srv.get(`/api/v1/users?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { session: sec });
		assert.equal(r.status, 200, r.text);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null) return items;
	}
	assert.fail('paging did not end');
}

/* `civicgrid import grids --db URL FILE` / `export grids --db URL …`. */
const cliTimeout = 120000 * SLOW;
const importGrids = (file, opts = {}) => cli(['import', 'grids', '--db', srv.db.url, file], { timeout: cliTimeout, ...opts });
function exportGrids(within) {
	const r = cli(['export', 'grids', '--db', srv.db.url, ...(within ? ['--within', within] : [])], { timeout: cliTimeout });
	assert.equal(r.status, 0, `export grids ${within ?? ''}: ${r.status} ${r.stderr}`);
	return JSON.parse(r.stdout);
}
function writeJson(name, value) {
	const file = path.join(srv.db.dir, name);
	fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
	return file;
}

/* Polls until fn() is truthy (bounded); returns its last value. */
async function eventually(fn, ms) {
	const end = Date.now() + ms;
	let v;
	while (Date.now() < end) {
		if ((v = await fn())) return v;
		await sleep(250);
	}
	return fn();
}

/* Two grids of one village sharing vertex v, which no third grid comes near. */
function sharedVertex(features) {
	const at = new Map();
	for (const f of features)
		for (const poly of polygonsOf(f.geometry))
			for (const [x, y] of poly[0].slice(0, -1)) {
				const k = `${x},${y}`;
				if (!at.has(k)) at.set(k, new Set());
				at.get(k).add(f.id);
			}
	for (const [k, codes] of at) {
		if (codes.size !== 2) continue;
		const [a, b] = [...codes].sort();
		if (a.slice(0, 12) !== b.slice(0, 12)) continue;
		const v = k.split(',').map(Number);
		const near = fc.features.filter((f) => f.id !== a && f.id !== b && edgeDist(v, f.geometry) < 1e-7);
		if (near.length === 0) return { v, a, b };
	}
	return null;
}

/* ---- 1. the demo city ---- */

test('demo: ~2,000 synthetic grids tile every village, each with its workers; ~4,600 grid-worker accounts', async () => {
	assert.equal(fc.type, 'FeatureCollection');
	const n = fc.features.length;
	assert.ok(n >= 1800 && n <= 2300, `1,800-2,300 grids in the city (got ${n})`);
	const perVillage = new Map();
	for (const f of fc.features) {
		assert.equal(f.type, 'Feature');
		assert.match(f.id, /^\d{15}$/, `a 15-digit grid code: ${f.id}`);
		const p = f.properties;
		assert.equal(p.code, f.id);
		assert.equal(p.village, f.id.slice(0, 12), `${f.id}: the village is the first 12 digits`);
		assert.notEqual(f.id.slice(12), '000');
		assert.ok(townOf.has(p.village), `${f.id}: its village is in the reference data`);
		assert.equal(p.synthetic, true, `${f.id}: synthetic`);
		assert.ok(Array.isArray(p.workers) && p.workers.length >= 1 && p.workers.every((w) => typeof w === 'string' && w.length > 0), `${f.id}: workers ${JSON.stringify(p.workers)}`);
		assert.ok(typeof p.name === 'string' && p.name.length > 0);
		assert.ok(['comprehensive', 'school', 'hospital', 'park', 'enterprise', 'market'].includes(p.type), `${f.id}: type ${p.type}`);
		assert.ok(Number.isInteger(p.households) && p.households > 0 && Number.isInteger(p.population) && p.population >= p.households, `${f.id}: households ${p.households}, population ${p.population}`);
		assert.ok(f.geometry && ['Polygon', 'MultiPolygon'].includes(f.geometry.type), `${f.id}: geometry`);
		for (const [x, y] of polygonsOf(f.geometry)[0][0]) assert.ok(x > 116.2 && x < 117.3 && y > 33.1 && y < 34.4, `${f.id}: roughly where Huaibei is (${x}, ${y})`);
		perVillage.set(p.village, (perVillage.get(p.village) || 0) + 1);
	}
	assert.equal(new Set(fc.features.map((f) => f.id)).size, n, 'no grid twice');
	for (const v of villages) assert.ok(perVillage.get(v.code) >= 1, `village ${v.code} ${v.name} has a grid`);

	// The grid workers: one full-time gw<code> per grid (gw_001 holds one of them),
	// part-timers gw<code>.pN, all at home in their grid, without passwords.
	const users = await allUsers();
	const gws = users.filter((u) => u.roles.includes('grid_worker'));
	assert.ok(Math.abs(gws.length - 4616) <= 4616 * 0.03, `~4,616 grid workers (got ${gws.length})`);
	const gw001 = users.find((u) => u.username === 'gw_001');
	assert.ok(byCode.has(gw001.region), `gw_001 works in a grid (${gw001.region})`);
	const fullTime = new Set();
	for (const u of gws) {
		if (u.username === 'gw_001') continue;
		const m = /^gw(\d{15})(\.p\d+)?$/.exec(u.username);
		assert.ok(m, `a grid worker's username: ${u.username}`);
		assert.equal(u.region, m[1], `${u.username} lives in its grid`);
		assert.ok(byCode.has(m[1]), `${u.username}: its grid exists`);
		assert.deepEqual(u.roles, ['grid_worker']);
		assert.equal(u.has_password, false, `${u.username} has no password`);
		assert.ok(byCode.get(m[1]).properties.workers.includes(u.name), `${u.username} (${u.name}) listed among the workers of ${m[1]}`);
		if (!m[2]) fullTime.add(m[1]);
	}
	const expectFull = new Set([...byCode.keys()].filter((c) => c !== gw001.region));
	assert.deepEqual([...fullTime].sort(), [...expectFull].sort(), 'one gw<code> full-timer for every grid but gw_001’s');
	const perGrid = new Map();
	for (const u of gws) perGrid.set(u.region, (perGrid.get(u.region) || 0) + 1);
	for (const f of fc.features) assert.equal(f.properties.workers.length, perGrid.get(f.id), `${f.id}: as many worker names as grid workers`);

	// gw_001's grid: gw_001 full-time, its part-timers part-time.
	const g = await grid(gw001.region);
	assert.equal(g.json.level, 'grid');
	assert.equal(g.json.synthetic, true);
	assert.ok(g.json.area_m2 > 10000, `area ${g.json.area_m2}`);
	assert.deepEqual(Object.keys(g.json).sort(), ['area_m2', 'boundary', 'code', 'households', 'level', 'name', 'population', 'synthetic', 'type', 'village', 'workers']);
	const [first, ...rest] = g.json.workers;
	assert.equal(first.username, 'gw_001');
	assert.equal(first.duty, 'full_time');
	assert.equal(first.id, gw001.id);
	assert.match(first.since, /^\d{4}-\d\d-\d\dT/);
	for (const w of rest) {
		assert.match(w.username, new RegExp(`^gw${gw001.region}\\.p\\d+$`));
		assert.equal(w.duty, 'part_time');
	}
	assertSameShape(g.json.boundary, byCode.get(gw001.region).geometry, 'GET and the collection agree');

	// A village's collection is that village's part of the city's.
	const v = gw001.region.slice(0, 12);
	const r = await srv.get(`/api/v1/grids?within=${v}`, { session: admin });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.features, fc.features.filter((f) => f.properties.village === v));
});

test('the grid collection follows the caller’s scope', async () => {
	const xs = await srv.session('xs_center');
	const mine = await srv.get('/api/v1/grids', { session: xs });
	assert.equal(mine.status, 200);
	assert.deepEqual(
		mine.json.features.map((f) => f.id),
		fc.features.filter((f) => f.id.startsWith('340603')).map((f) => f.id),
		'xs_center: 相山区’s grids by default',
	);
	assertError(await srv.get(`/api/v1/grids?within=${DUJI}`, { session: xs }), 404, 'REGION_NOT_FOUND', 'within', 'xs_center within=杜集区');
	assertError(await srv.get(`/api/v1/grids?within=${CITY}`, { session: xs }), 404, 'REGION_NOT_FOUND', 'within', 'xs_center within=city');
	for (const bad of ['abc', '340699000000', '3406']) assertError(await srv.get(`/api/v1/grids?within=${bad}`, { session: admin }), 404, 'REGION_NOT_FOUND', 'within', `within=${bad}`);

	const gw = await srv.session('gw_001');
	const own = await srv.get('/api/v1/grids', { session: gw });
	assert.equal(own.status, 200, own.text);
	assert.deepEqual(own.json.features.map((f) => f.id), [gw.user.region], 'gw_001: its own grid');
	const g = await getGrid(gw.user.region, gw);
	assert.equal(g.status, 200, g.text);
	const sibling = fc.features.find((f) => f.properties.village === gw.user.region.slice(0, 12) && f.id !== gw.user.region);
	assert.ok(sibling, 'gw_001’s village has another grid');
	assertError(await getGrid(sibling.id, gw), 404, 'GRID_NOT_FOUND', undefined, 'gw_001 GET a sibling grid');
	assertError(await srv.get(`/api/v1/grids?within=${sibling.properties.village}`, { session: gw }), 404, 'REGION_NOT_FOUND', 'within', 'gw_001 within its village');
	const duji = fc.features.find((f) => f.id.startsWith('340602'));
	assertError(await getGrid(duji.id, xs), 404, 'GRID_NOT_FOUND', undefined, 'xs_center GET a 杜集区 grid');
	assert.equal((await getGrid(fc.features.find((f) => f.id.startsWith('340603')).id, xs)).status, 200);
	for (const bad of ['340603001004000', '340603001004999', '34060300100400', 'abc', '340603001000']) assertError(await getGrid(bad), 404, 'GRID_NOT_FOUND', undefined, `GET grid ${bad}`);
	assertError(await srv.get(`/api/v1/grids/${duji.id}`), 401, 'AUTH_REQUIRED', undefined, 'anonymous');
	assertError(await srv.get(`/api/v1/grids/locate?lon=116.8&lat=33.9`), 401, 'AUTH_REQUIRED', undefined, 'anonymous locate');
});

/* ---- 2. locate ---- */

test('locate: a point inside a grid answers that grid and its ancestors', async () => {
	const step = Math.floor(fc.features.length / 12);
	for (let i = 0; i < fc.features.length; i += step) {
		const f = fc.features[i];
		const { p } = interiorPoint(f.geometry);
		const r = await locate(p);
		assert.equal(r.status, 200, `locate ${p} (in ${f.id}): ${r.text}`);
		assert.deepEqual(r.json, ancestorsOf(f.id), `locate ${p}`);
	}
	const last = fc.features.at(-1);
	assert.equal(await located(interiorPoint(last.geometry).p), last.id);
});

test('locate: outside Huaibei is in no grid; bad coordinates are 400 with the field named', async () => {
	for (const p of [
		[0, 0],
		[121.47, 31.23],
		[116.0, 33.0],
		[180, 90],
		[-180, -90],
	])
		await assertNoGrid(p);
	const bad = [
		['lat=33.9', 'lon'],
		['lon=116.8', 'lat'],
		['', 'lon'],
		['lon=abc&lat=33.9', 'lon'],
		['lon=1e999&lat=33.9', 'lon'],
		['lon=200&lat=33.9', 'lon'],
		['lon=-180.5&lat=33.9', 'lon'],
		['lon=&lat=33.9', 'lon'],
		['lon=NaN&lat=33.9', 'lon'],
		['lon=116.8x&lat=33.9', 'lon'],
		['lon=116.8&lat=-91', 'lat'],
		['lon=116.8&lat=90.0001', 'lat'],
		['lon=116.8&lat=', 'lat'],
		['lon=116.8&lat=abc', 'lat'],
		['lon=116.8&lat=-1e999', 'lat'],
		['lon=116.8&lat=Infinity', 'lat'],
	];
	for (const [q, field] of bad) assertError(await srv.get(`/api/v1/grids/locate?${q}`, { session: admin }), 400, 'INVALID_QUERY', field, `locate?${q}`);
});

test('locate: a vertex shared by two grids answers the smaller code; just inside the other, the other', async () => {
	const sv = sharedVertex(fc.features);
	assert.ok(sv, 'two grids of one village share a vertex');
	const { v, a, b } = sv;
	assert.ok(a < b);
	assert.equal(await located(v), a, `the shared vertex ${v} of ${a} and ${b}`);
	// A hair inside b (and not in a) is b's.
	const target = interiorPoint(byCode.get(b).geometry).p;
	let near = null;
	for (const t of [0.01, 0.03, 0.1, 0.3]) {
		const q = [v[0] + (target[0] - v[0]) * t, v[1] + (target[1] - v[1]) * t];
		if (inside(q, byCode.get(b).geometry) && edgeDist(q, byCode.get(b).geometry) > 1e-6) {
			near = q;
			break;
		}
	}
	assert.ok(near, 'a point near the vertex inside the larger-code grid');
	assert.equal(await located(near), b);
	// Again for more shared vertices: the answer is always the smaller code.
	let checked = 0;
	for (const f of fc.features.filter((x) => x.id.startsWith('340621')).slice(0, 60)) {
		const sv2 = sharedVertex(fc.features.filter((x) => x.properties.village === f.properties.village && x.id >= f.id));
		if (!sv2 || sv2.a !== f.id) continue;
		assert.equal(await located(sv2.v), sv2.a, `shared vertex ${sv2.v} of ${sv2.a} and ${sv2.b}`);
		if (++checked >= 5) break;
	}
	assert.ok(checked >= 1, 'more shared vertices in 濉溪县');
});

test('locate: scope — xs_center finds no grid in 杜集区; gw_001 only in its own grid', async () => {
	const xs = await srv.session('xs_center');
	const duji = fc.features.filter((f) => f.id.startsWith('340602'));
	const xsg = fc.features.filter((f) => f.id.startsWith('340603'));
	for (const f of [duji[0], duji.at(-1)]) {
		const p = interiorPoint(f.geometry).p;
		assert.equal(await located(p), f.id, 'the admin finds it');
		const r = await locate(p, xs);
		assertError(r, 404, 'NO_GRID', null, `xs_center locate in ${f.id}`);
		assert.equal(r.text, (await locate([0, 0], xs)).text, 'the same as a point in no grid');
	}
	for (const f of [xsg[0], xsg.at(-1)]) assert.equal(await located(interiorPoint(f.geometry).p, xs), f.id);

	const gw = await srv.session('gw_001');
	const home = gw.user.region;
	const own = interiorPoint(byCode.get(home).geometry).p;
	const r = await locate(own, gw);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, ancestorsOf(home));
	for (const f of fc.features.filter((x) => x.properties.village === home.slice(0, 12) && x.id !== home).slice(0, 3)) {
		await assertNoGrid(interiorPoint(f.geometry).p, gw, `gw_001 in ${f.id}`);
	}
	await assertNoGrid(interiorPoint(duji[0].geometry).p, gw, 'gw_001 in 杜集区');
});

/* ---- 3. boundaries ---- */

/* Grid A (烈山区) shrinks to a square around p; the new grid N takes a square in
 * the freed area around q; r is left free for the import test. */
const plan = {};

function choosePlan() {
	for (const f of fc.features.filter((x) => x.id.startsWith('340604'))) {
		const sibs = fc.features.filter((x) => x.properties.village === f.properties.village && x.id !== f.id);
		if (sibs.length < 2) continue;
		const sv = sharedVertex([f, ...sibs]);
		if (!sv || (sv.a !== f.id && sv.b !== f.id)) continue;
		const g = f.geometry;
		const { p, d } = interiorPoint(g);
		const h = d / 4;
		if (h < 0.0003) continue; // squares of at least ~60 m
		const [q, r] = spreadPoints(g, 2, 1.5 * h, 3 * h, [p]);
		if (!q || !r) continue;
		Object.assign(plan, { A: f.id, B: sv.a === f.id ? sv.b : sv.a, village: f.properties.village, p, q, r, h, N: `${f.properties.village}901` });
		return;
	}
	assert.fail('no grid fit for the boundary tests');
}

test('PUT boundary: refusals (422 with reason, location and the other code; 428, 412, 403, 400) change nothing', async () => {
	choosePlan();
	const { A, B, village, p, h } = plan;
	const before0 = await grid(A);
	const etag = before0.headers.etag;
	const unchanged = async (what) => {
		const now = await getGrid(A);
		assert.equal(now.headers.etag, etag, `${what}: the ETag is unchanged`);
		assert.deepEqual(now.json, before0.json, `${what}: the grid is unchanged`);
	};

	// Overlapping the sibling B (its own shape): GEOMETRY_OVERLAP naming B, at a place in B.
	const bGeom = byCode.get(B).geometry;
	let j = assertGeoError(await putBoundary(A, bGeom, { etag }), 'GEOMETRY_OVERLAP', { other: B, located: true }, 'A := B');
	assert.ok(inside(j.location, bGeom) || edgeDist(j.location, bGeom) < 1e-6, `the overlap is placed in B: ${j.location}`);
	await unchanged('overlap');
	// Partly over B: a square inside B.
	const bIn = interiorPoint(bGeom);
	const bSq = square(bIn.p, bIn.d / 3);
	j = assertGeoError(await putBoundary(A, bSq, { etag }), 'GEOMETRY_OVERLAP', { other: B, located: true }, 'a square inside B');
	assert.ok(inside(j.location, bSq) || edgeDist(j.location, bSq) < 1e-6, `the overlap is placed in the square: ${j.location}`);
	await unchanged('overlap 2');

	// Reaching outside the village: A's bbox grown by 0.05° / a square in another district.
	const [x0, y0, x1, y1] = bbox(byCode.get(A).geometry);
	const big = { type: 'Polygon', coordinates: [[[x0 - 0.05, y0 - 0.05], [x1 + 0.05, y0 - 0.05], [x1 + 0.05, y1 + 0.05], [x0 - 0.05, y1 + 0.05], [x0 - 0.05, y0 - 0.05]]] };
	assertGeoError(await putBoundary(A, big, { etag }), 'GEOMETRY_OUTSIDE_PARENT', { other: village, located: true, reason: /outside/i }, 'grown A');
	const elsewhere = interiorPoint(fc.features.find((f) => f.id.startsWith('340602')).geometry).p;
	j = assertGeoError(await putBoundary(A, square(elsewhere, 0.001), { etag }), 'GEOMETRY_OUTSIDE_PARENT', { other: village, located: true }, 'a square in 杜集区');
	await unchanged('outside');

	// A bow-tie: self-intersection at its middle, in English and (by default) Chinese.
	const [x, y] = p;
	const bow = { type: 'Polygon', coordinates: [[[x - h, y - h], [x + h, y + h], [x + h, y - h], [x - h, y + h], [x - h, y - h]]] };
	j = assertGeoError(await putBoundary(A, bow, { etag }), 'INVALID_GEOMETRY', { located: true, reason: /self-intersect/i }, 'bow-tie');
	assert.ok(Math.abs(j.location[0] - x) < 1e-7 && Math.abs(j.location[1] - y) < 1e-7, `the crossing is at the middle: ${j.location} vs ${p}`);
	j = assertGeoError(await putBoundary(A, bow, { etag, lang: null }), 'INVALID_GEOMETRY', { located: true, reason: /自相交/ }, 'bow-tie, Chinese');

	// Other invalid geometries.
	const sq = ring(p, h);
	const invalid = [
		['unclosed ring', { type: 'Polygon', coordinates: [sq.slice(0, -1)] }, /closed/i],
		['3 positions', { type: 'Polygon', coordinates: [[sq[0], sq[1], sq[0]]] }, /4/],
		['a Point', { type: 'Point', coordinates: p }, /Point/],
		['a LineString', { type: 'LineString', coordinates: sq }, /LineString/],
		['longitude 181', { type: 'Polygon', coordinates: [[[181, y], ...sq.slice(1, -1), [181, y]]] }, /181|longitude/i],
		['latitude 91', { type: 'Polygon', coordinates: [[[x, 91], ...sq.slice(1, -1), [x, 91]]] }, /91|latitude/i],
		['no rings', { type: 'Polygon', coordinates: [] }, undefined],
		['a position of text', { type: 'Polygon', coordinates: [[['116.8', y], ...sq.slice(1)]] }, undefined],
		['a position of one number', { type: 'Polygon', coordinates: [[[x], ...sq.slice(1)]] }, undefined],
		['a MultiPolygon of a bow-tie', { type: 'MultiPolygon', coordinates: [bow.coordinates] }, /self-intersect/i],
		['overlapping parts of a MultiPolygon', { type: 'MultiPolygon', coordinates: [[ring(p, h)], [ring([x + h / 2, y], h)]] }, undefined],
		['a hole outside its shell', { type: 'Polygon', coordinates: [ring(p, h / 4), ring([x + h, y + h], h / 8)] }, undefined],
		['a type of the wrong case', { type: 'polygon', coordinates: [sq] }, undefined],
	];
	for (const [what, g, reason] of invalid) {
		assertGeoError(await putBoundary(A, g, { etag }), 'INVALID_GEOMETRY', { reason }, what);
	}
	await unchanged('invalid geometries');

	// Not a geometry object at all: 400s from the body checks.
	assertError(await putBoundary(A, { type: 'Polygon', coordinates: [sq], foo: 1 }, { etag }), 400, 'UNKNOWN_FIELD', 'foo', 'an unknown field');
	assertError(await putBoundary(A, { coordinates: [sq] }, { etag }), 400, 'MISSING_FIELD', 'type', 'no type');
	assertError(await putBoundary(A, { type: 'Polygon' }, { etag }), 400, 'MISSING_FIELD', 'coordinates', 'no coordinates');
	assertError(await putBoundary(A, { type: 'Polygon', coordinates: 'abc' }, { etag }), 400, 'INVALID_FIELD', 'coordinates', 'coordinates of text');
	assertError(await putBoundary(A, { type: 7, coordinates: [sq] }, { etag }), 400, 'INVALID_FIELD', 'type', 'a numeric type');
	assertError(await putBoundary(A, null, { etag, body: '{"type":"Polygon",' }), 400, 'INVALID_JSON', undefined, 'broken JSON');
	assertError(await putBoundary(A, null, { etag, body: '[1,2]' }), 400, 'NOT_AN_OBJECT', undefined, 'an array');

	// Preconditions and roles.
	const good = square(p, h);
	assertError(await putBoundary(A, good), 428, 'PRECONDITION_REQUIRED', undefined, 'no If-Match');
	assertError(await putBoundary(A, good, { etag: '"0123456789abcdef"' }), 412, 'PRECONDITION_FAILED', undefined, 'a stale If-Match');
	assertError(await srv.req('PUT', `/api/v1/grids/${A}/boundary`, { session: admin, csrf: false, json: good, headers: { 'If-Match': etag } }), 403, 'CSRF_FAILED', undefined, 'no CSRF token');
	assertError(await srv.req('PUT', `/api/v1/grids/${A}/boundary`, { json: good, headers: { 'If-Match': etag } }), 401, 'AUTH_REQUIRED', undefined, 'anonymous');
	for (const u of ['secadmin', 'auditor', 'leader', 'center', 'xs_center', 'gw_001', 'citizen']) {
		assertError(await putBoundary(A, good, { etag, session: await srv.session(u) }), 403, 'FORBIDDEN', undefined, `${u} PUT boundary`);
	}
	assertError(await putBoundary(`${village}999`, good, { etag }), 404, 'GRID_NOT_FOUND', undefined, 'an unknown grid');
	assertError(await putBoundary(village, good, { etag }), 404, 'GRID_NOT_FOUND', undefined, 'a village');
	await unchanged('400s, 403s, 412, 428');
	assert.equal(await located(p), A, 'locate still answers A');
});

test('PUT boundary: shrink a grid, a new grid in the freed area, a hole, a MultiPolygon; locate follows at once', async () => {
	const { A, village, p, q, h, N } = plan;
	const a0 = await grid(A);
	assert.equal(await located(q), A, 'q is in A before');

	// Shrink A to a square around p: 200 with the new grid and a new ETag.
	const sq = square(p, h);
	const r = await putBoundary(A, sq, { etag: a0.headers.etag });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.code, A);
	assertSameShape(r.json.boundary, sq, 'the stored boundary');
	const want = squareArea(p, h);
	assert.ok(Math.abs(r.json.area_m2 - want) / want < 0.01, `area ${r.json.area_m2} ≈ ${want.toFixed(0)}`);
	assert.notEqual(r.headers.etag, a0.headers.etag);
	const a1 = await grid(A);
	assert.equal(a1.headers.etag, r.headers.etag, 'the PUT reply’s ETag is the grid’s');
	assert.deepEqual(a1.json, r.json);
	assert.deepEqual(a1.json.workers, a0.json.workers, 'the workers stay');
	// The index was rebuilt on the spot.
	assert.equal(await located(p), A);
	await assertNoGrid(q, admin, 'the freed part of A');
	await assertNoGrid(plan.r, admin, 'the freed part of A');
	// The old ETag is now stale.
	assertError(await putBoundary(A, sq, { etag: a0.headers.etag }), 412, 'PRECONDITION_FAILED', undefined, 'the ETag from before');

	// A new grid: created as a region it has no boundary until one is put.
	const c = await srv.post('/api/v1/regions', { session: admin, json: { code: N, name: '测试新网格', parent: village } });
	assert.equal(c.status, 201, c.text);
	const n0 = await grid(N);
	assert.equal(n0.json.boundary, null);
	assert.equal(n0.json.area_m2, null);
	assert.deepEqual(n0.json.workers, []);
	assert.equal(n0.json.village, village);
	assert.equal(n0.json.synthetic, false);
	const inFc = (await srv.get(`/api/v1/grids?within=${village}`, { session: admin })).json.features.find((f) => f.id === N);
	assert.ok(inFc, 'listed in the collection');
	assert.equal(inFc.geometry, null);

	// N over A's square: overlap naming A. In the freed area: 200.
	assertGeoError(await putBoundary(N, square(p, h / 2), { etag: n0.headers.etag }), 'GEOMETRY_OVERLAP', { other: A, located: true }, 'N over A');
	const nsq = square(q, h / 2);
	const n1 = await putBoundary(N, nsq, { etag: n0.headers.etag });
	assert.equal(n1.status, 200, n1.text);
	assertSameShape(n1.json.boundary, nsq, 'N’s boundary');
	assert.equal(await located(q), N);
	assert.deepEqual((await locate(q)).json, ancestorsOf(N));
	assert.equal(await located(p), A);
	await assertNoGrid(plan.r, admin, 'still free');
	// Edges shared by A and N: N's square moved to touch A's square is no overlap.
	const touching = { type: 'Polygon', coordinates: [[[p[0] + h, p[1] - h / 2], [p[0] + 2 * h, p[1] - h / 2], [p[0] + 2 * h, p[1] + h / 2], [p[0] + h, p[1] + h / 2], [p[0] + h, p[1] - h / 2]]] };
	// (p is 4h from A's old edges and q is 3h from p, so this lies in the freed area.)
	{
		const t = await putBoundary(N, touching, { etag: n1.headers.etag });
		assert.equal(t.status, 200, `a square touching A along an edge: ${t.text}`);
		assert.equal(await located([p[0] + h, p[1]]), A < N ? A : N, 'on the shared edge: the smaller code');
		assert.equal(await located([p[0] + 1.5 * h, p[1]]), N);
		const back = await putBoundary(N, nsq, { etag: t.headers.etag });
		assert.equal(back.status, 200, back.text);
		plan.nEtag = back.headers.etag;
	}

	// A with a hole around p: p is in no grid, the ring around it is A.
	const holed = { type: 'Polygon', coordinates: [ring(p, h), ring(p, h / 3)] };
	const a2 = await putBoundary(A, holed, { etag: a1.headers.etag });
	assert.equal(a2.status, 200, a2.text);
	const holedArea = squareArea(p, h) - squareArea(p, h / 3);
	assert.ok(Math.abs(a2.json.area_m2 - holedArea) / holedArea < 0.01, `area without the hole: ${a2.json.area_m2} ≈ ${holedArea.toFixed(0)}`);
	await assertNoGrid(p, admin, 'in the hole');
	assert.equal(await located([p[0] + (2 * h) / 3, p[1]]), A, 'in the ring around the hole');
	// N fills the hole: a MultiPolygon of its square and the hole.
	const multi = { type: 'MultiPolygon', coordinates: [[ring(q, h / 2)], [ring(p, h / 3)]] };
	const n2 = await putBoundary(N, multi, { etag: plan.nEtag });
	assert.equal(n2.status, 200, n2.text);
	assert.equal(n2.json.boundary.type, 'MultiPolygon');
	assert.equal(await located(p), N, 'the hole is N’s now');
	assert.equal(await located(q), N);
	assert.equal(await located([p[0] + (2 * h) / 3, p[1]]), A);
	// On the hole's edge, which A and N share: the smaller code.
	assert.equal(await located([p[0] + h / 3, p[1]]), A < N ? A : N, 'on the edge of the hole');
	assert.equal(await located([p[0] + h, p[1]]), A, 'on A’s outer edge');
	plan.aEtag = a2.headers.etag;
	plan.nEtag = n2.headers.etag;
});

test('locate never fails while boundaries change under it (the index is swapped, not locked)', async () => {
	const { A, N, p, q, h } = plan;
	const others = fc.features.filter((f, i) => i % 97 === 5 && f.properties.village !== plan.village).map((f) => [interiorPoint(f.geometry).p, f.id]);
	const shapes = [square(q, h / 2), { type: 'MultiPolygon', coordinates: [[ring(q, h / 2)], [ring(p, h / 3)]] }];
	let changing = true;
	let lookups = 0;
	const reader = async () => {
		for (let i = 0; changing && i < 3000; i++) {
			const [pt, want] = i % 3 === 0 ? [p, null] : i % 3 === 1 ? [q, N] : others[i % others.length];
			const r = await locate(pt);
			lookups++;
			if (want) assert.equal(r.status === 200 && r.json.grid, want, `locate ${pt} while N changes: ${r.status} ${r.text}`);
			else assert.ok((r.status === 200 && r.json.grid === N) || (r.status === 404 && r.json.code === 'NO_GRID'), `p is N’s or in no grid: ${r.status} ${r.text}`);
		}
	};
	const writer = async () => {
		try {
			let etag = plan.nEtag;
			for (let i = 0; i < 8; i++) {
				const r = await putBoundary(N, shapes[i % 2], { etag });
				assert.equal(r.status, 200, r.text);
				etag = r.headers.etag;
			}
			plan.nEtag = etag; // ends with the MultiPolygon, as before
		} finally {
			changing = false;
		}
	};
	await Promise.all([writer(), reader(), reader(), reader()]);
	assert.ok(lookups >= 3, `lookups ran alongside (${lookups})`);
	assert.equal(await located(p), N);
	assert.equal(await located([p[0] + (2 * h) / 3, p[1]]), A);
});

test('PATCH grid: type, households and population with If-Match (sysadmin only)', async () => {
	const { A } = plan;
	const g = await grid(A);
	const r = await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { type: 'school', households: 321, population: 999 }, headers: { 'If-Match': g.headers.etag } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.type, 'school');
	assert.equal(r.json.households, 321);
	assert.equal(r.json.population, 999);
	assert.deepEqual(r.json.boundary, g.json.boundary, 'the boundary stays');
	const g2 = await grid(A);
	assert.deepEqual(g2.json, r.json);
	assert.equal(g2.headers.etag, r.headers.etag);
	const f = (await srv.get(`/api/v1/grids?within=${plan.village}`, { session: admin })).json.features.find((x) => x.id === A);
	assert.equal(f.properties.type, 'school');
	assert.equal(f.properties.households, 321);
	// Only households: the rest stays.
	const r2 = await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { households: 400 }, headers: { 'If-Match': g2.headers.etag } });
	assert.equal(r2.status, 200, r2.text);
	assert.equal(r2.json.type, 'school');
	assert.equal(r2.json.households, 400);
	assert.equal(r2.json.population, 999);
	const etag = r2.headers.etag;
	assertError(await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { type: 'castle' }, headers: { 'If-Match': etag } }), 400, 'INVALID_FIELD', 'type', 'type castle');
	assertError(await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { households: -1 }, headers: { 'If-Match': etag } }), 400, 'INVALID_FIELD', 'households', 'households -1');
	assertError(await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { population: 'many' }, headers: { 'If-Match': etag } }), 400, 'INVALID_FIELD', 'population', 'population many');
	assertError(await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { name: 'x' }, headers: { 'If-Match': etag } }), 400, 'UNKNOWN_FIELD', 'name', 'name');
	assertError(await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { households: 1 } }), 428, 'PRECONDITION_REQUIRED', undefined, 'no If-Match');
	assertError(await srv.patch(`/api/v1/grids/${A}`, { session: admin, json: { households: 1 }, headers: { 'If-Match': g.headers.etag } }), 412, 'PRECONDITION_FAILED', undefined, 'stale');
	for (const u of ['xs_center', 'leader', 'gw_001']) assertError(await srv.patch(`/api/v1/grids/${A}`, { session: await srv.session(u), json: { households: 1 }, headers: { 'If-Match': etag } }), 403, 'FORBIDDEN', undefined, `${u} PATCH`);
	const g3 = await grid(A);
	assert.equal(g3.headers.etag, etag, 'refusals change nothing');
	assert.equal(g3.json.households, 400);
});

/* ---- 4. workers ---- */

test('workers: "1+1" — part-time staff, one full-time, only the grid’s own grid workers full-time; remove', async () => {
	// A grid of 相山区 with part-timers, not gw_001's.
	const gw001 = (await srv.session('gw_001')).user.region;
	const users = await allUsers();
	const byName = new Map(users.map((u) => [u.username, u]));
	const G = fc.features.find((f) => f.id.startsWith('340603') && f.id !== gw001 && byName.has(`gw${f.id}.p1`)).id;
	const S = fc.features.find((f) => f.properties.village === G.slice(0, 12) && f.id !== G && f.id !== gw001).id;
	const full = byName.get(`gw${G}`);
	const part = byName.get(`gw${G}.p1`);
	const otherFull = byName.get(`gw${S}`);
	const mediator = byName.get('mediator');
	const assign = (user, duty, session = admin, code = G) => srv.post(`/api/v1/grids/${code}/workers`, { session, json: { user, duty } });
	const remove = (user, session = admin, code = G) => srv.del(`/api/v1/grids/${code}/workers/${user}`, { session });
	const g0 = await grid(G);
	const duties = (g) => Object.fromEntries(g.json.workers.map((w) => [w.username, w.duty]));
	assert.equal(duties(g0)[full.username], 'full_time');
	assert.equal(duties(g0)[part.username], 'part_time');

	// A part-time staff member whose scope holds the grid (the mediator of 相山区).
	const r = await assign(mediator.id, 'part_time');
	assert.equal(r.status, 200, r.text);
	const w = r.json.workers.find((x) => x.username === 'mediator');
	assert.deepEqual({ id: w.id, duty: w.duty, name: w.name }, { id: mediator.id, duty: 'part_time', name: mediator.name });
	assert.match(w.since, /^\d{4}-\d\d-\d\dT/);
	assert.equal(r.json.workers[0].username, full.username, 'the full-timer first');
	const f = (await srv.get(`/api/v1/grids?within=${G.slice(0, 12)}`, { session: admin })).json.features.find((x) => x.id === G);
	assert.ok(f.properties.workers.includes(mediator.name), 'the collection names the new worker');

	// A second full-time worker: 409, nothing changed.
	const before1 = await grid(G);
	assertError(await assign(part.id, 'full_time'), 409, 'GRID_HAS_FULL_TIME_WORKER', undefined, 'the part-timer full-time');
	assertError(await assign(mediator.id, 'full_time'), 400, 'NOT_A_GRID_WORKER', 'user', 'staff full-time');
	// Full-time (or part-time) for another grid's worker: not this grid's grid worker.
	assertError(await assign(otherFull.id, 'full_time'), 400, 'NOT_A_GRID_WORKER', 'user', 'another grid’s worker full-time');
	assertError(await assign(otherFull.id, 'part_time'), 400, 'NOT_A_GRID_WORKER', 'user', 'another grid’s worker part-time');
	for (const u of ['admin', 'secadmin', 'auditor', 'citizen']) assertError(await assign(byName.get(u).id, 'part_time'), 400, 'NOT_A_GRID_WORKER', 'user', `${u} part-time`);
	// A staff member of 杜集区 does not hold this grid in scope.
	const dujiStaff = byName.get(`gw${fc.features.find((x) => x.id.startsWith('340602')).id}`);
	assertError(await assign(dujiStaff.id, 'part_time'), 400, 'NOT_A_GRID_WORKER', 'user', 'a 杜集区 grid worker');
	assertError(await assign(mediator.id, 'boss'), 400, 'INVALID_FIELD', 'duty', 'duty boss');
	assertError(await assign(99999999, 'part_time'), 404, 'USER_NOT_FOUND', 'user', 'unknown user');
	assertError(await srv.post(`/api/v1/grids/${G}/workers`, { session: admin, json: { user: mediator.id } }), 400, 'MISSING_FIELD', 'duty', 'no duty');
	assertError(await srv.post(`/api/v1/grids/${G}/workers`, { session: admin, json: { user: 'mediator', duty: 'part_time' } }), 400, 'INVALID_FIELD', 'user', 'user by name');
	assertError(await srv.post(`/api/v1/grids/${G}/workers`, { session: admin, json: { user: mediator.id, duty: 'part_time', x: 1 } }), 400, 'UNKNOWN_FIELD', 'x', 'unknown field');
	assertError(await assign(mediator.id, 'part_time', admin, `${G.slice(0, 12)}999`), 404, 'GRID_NOT_FOUND', undefined, 'unknown grid');
	const after1 = await grid(G);
	assert.equal(after1.headers.etag, before1.headers.etag, 'refused assignments change nothing');
	assert.deepEqual(after1.json.workers, before1.json.workers);

	// Remove: 204, then 404.
	const d = await remove(mediator.id);
	assert.equal(d.status, 204, d.text);
	assert.equal(d.text, '');
	assert.ok(!(await grid(G)).json.workers.some((x) => x.username === 'mediator'));
	assertError(await remove(mediator.id), 404, 'USER_NOT_FOUND', undefined, 'remove again');
	assertError(await remove(99999999), 404, 'USER_NOT_FOUND', undefined, 'remove an unknown user');
	assertError(await remove('abc'), 404, 'USER_NOT_FOUND', undefined, 'remove user abc');

	// The full-time post changes hands: remove the full-timer, promote the part-timer.
	assert.equal((await remove(full.id)).status, 204);
	const p1 = await assign(part.id, 'full_time');
	assert.equal(p1.status, 200, p1.text);
	assert.equal(duties(p1)[part.username], 'full_time');
	assert.equal(duties(p1)[full.username], undefined);
	assertError(await assign(full.id, 'full_time'), 409, 'GRID_HAS_FULL_TIME_WORKER', undefined, 'the old full-timer back while the post is held');
	// And back as it was.
	assert.equal((await assign(part.id, 'part_time')).status, 200);
	const back = await assign(full.id, 'full_time');
	assert.equal(back.status, 200, back.text);
	assert.deepEqual(duties(back), duties(g0));
	plan.workerGrid = G;
});

test('workers: who may assign — sysadmin, a dispatcher in scope (404 outside it); others 403', async () => {
	const G = plan.workerGrid;
	const users = await allUsers();
	const byName = new Map(users.map((u) => [u.username, u]));
	const mediator = byName.get('mediator');
	const xs = await srv.session('xs_center');
	const r = await srv.post(`/api/v1/grids/${G}/workers`, { session: xs, json: { user: mediator.id, duty: 'part_time' } });
	assert.equal(r.status, 200, `xs_center assigns in 相山区: ${r.text}`);
	assert.equal((await srv.del(`/api/v1/grids/${G}/workers/${mediator.id}`, { session: xs })).status, 204);
	// The city dispatcher too.
	const center = await srv.session('center');
	assert.equal((await srv.post(`/api/v1/grids/${G}/workers`, { session: center, json: { user: mediator.id, duty: 'part_time' } })).status, 200);
	assert.equal((await srv.del(`/api/v1/grids/${G}/workers/${mediator.id}`, { session: center })).status, 204);

	const duji = fc.features.find((f) => f.id.startsWith('340602')).id;
	const dujiWorker = byName.get(`gw${duji}.p1`) ?? byName.get(`gw${duji}`);
	assertError(await srv.post(`/api/v1/grids/${duji}/workers`, { session: xs, json: { user: mediator.id, duty: 'part_time' } }), 404, 'GRID_NOT_FOUND', undefined, 'xs_center in 杜集区');
	assertError(await srv.del(`/api/v1/grids/${duji}/workers/${dujiWorker.id}`, { session: xs }), 404, 'GRID_NOT_FOUND', undefined, 'xs_center removes in 杜集区');
	// A user outside the dispatcher's scope is as good as unknown.
	assertError(await srv.post(`/api/v1/grids/${G}/workers`, { session: xs, json: { user: dujiWorker.id, duty: 'part_time' } }), 404, 'USER_NOT_FOUND', 'user', 'xs_center assigns a 杜集区 user');
	for (const u of ['leader', 'secadmin', 'auditor', 'gw_001', 'mediator', 'cg_dept', 'citizen']) {
		const s = await srv.session(u);
		assertError(await srv.post(`/api/v1/grids/${G}/workers`, { session: s, json: { user: mediator.id, duty: 'part_time' } }), 403, 'FORBIDDEN', undefined, `${u} assigns`);
		assertError(await srv.del(`/api/v1/grids/${G}/workers/${byName.get(`gw${G}`).id}`, { session: s }), 403, 'FORBIDDEN', undefined, `${u} removes`);
	}
	assert.ok((await grid(G)).json.workers.some((w) => w.username === `gw${G}` && w.duty === 'full_time'), 'the full-timer is still there');
	assert.ok(!(await grid(G)).json.workers.some((w) => w.username === 'mediator'));
});

/* ---- 5. import and export ---- */

test('export a village, change it, import it back: "0 new, N updated", visible at once through the API', async () => {
	// A 濉溪县 village with several grids, untouched so far.
	const V = [...new Set(fc.features.filter((f) => f.id.startsWith('340621')).map((f) => f.properties.village))].find((v) => fc.features.filter((f) => f.properties.village === v).length >= 3);
	const exp = exportGrids(V);
	assert.equal(exp.type, 'FeatureCollection');
	const want = fc.features.filter((f) => f.properties.village === V);
	assert.deepEqual(exp.features.map((f) => f.id), want.map((f) => f.id), 'the village’s grids');
	for (const f of exp.features) {
		assertSameShape(f.geometry, byCode.get(f.id).geometry, `exported ${f.id}`);
		assert.deepEqual({ ...f.properties }, byCode.get(f.id).properties, `exported properties of ${f.id}`);
	}
	for (const f of exp.features) f.properties.households += 7;
	exp.features[0].properties.name = '改过名的网格';
	exp.features[1].properties.type = 'park';
	const file = writeJson('village.geojson', exp);
	const r = importGrids(file);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout.trim(), `imported ${want.length} grids (0 new, ${want.length} updated)`);
	for (const f of want) {
		const g = await grid(f.id);
		assert.equal(g.json.households, f.properties.households + 7, `${f.id} households`);
		assertSameShape(g.json.boundary, f.geometry, `${f.id} boundary kept`);
	}
	const g0 = await grid(want[0].id);
	assert.equal(g0.json.name, '改过名的网格');
	assert.equal((await srv.get(`/api/v1/regions/${want[0].id}`, { session: admin })).json.name, '改过名的网格');
	assert.equal((await grid(want[1].id)).json.type, 'park');
	plan.importVillage = V;
});

test('import: every bad feature is named with its index and reason, and nothing is imported', async () => {
	const { village, r: freePoint, h } = plan;
	const V = plan.importVillage;
	const vFeatures = exportGrids(V).features;
	const before = await Promise.all(vFeatures.map((f) => grid(f.id)));
	// W: another village whose stored grids stay out of the file.
	const W = fc.features.find((f) => f.id.startsWith('340602')).properties.village;
	const wGrid = fc.features.find((f) => f.properties.village === W);
	const vGeom = vFeatures[0].geometry;
	const [x, y] = interiorPoint(vGeom).p;
	const feat = (code, geometry, props = {}) => ({ type: 'Feature', properties: { code, ...props }, geometry });
	const good = vFeatures.map((f) => ({ ...f, properties: { ...f.properties, households: f.properties.households + 1000 } }));
	// A good new grid in A's freed area.
	good.push(feat(`${village}902`, square(freePoint, h / 2), { name: '新导入网格' }));
	const bad = [
		['not a Feature', { type: 'Point', coordinates: [x, y] }, /Feature/],
		['not an object', 'feature', /Feature/],
		['a bad code', feat('1234', square([x, y], 0.0001)), /code/],
		['a village code', feat(V, square([x, y], 0.0001)), /code/],
		['an unknown village', feat('340603999999001', square([x, y], 0.0001)), /340603999999|village/],
		['a duplicate code', { ...vFeatures[1], properties: { ...vFeatures[1].properties } }, /same code|duplicate/i],
		['a self-intersection', feat(`${V}951`, { type: 'Polygon', coordinates: [[[x - 1e-4, y - 1e-4], [x + 1e-4, y + 1e-4], [x + 1e-4, y - 1e-4], [x - 1e-4, y + 1e-4], [x - 1e-4, y - 1e-4]]] }), /self-intersect/i],
		['a coordinate out of range', feat(`${V}952`, { type: 'Polygon', coordinates: [[[x, y], [181, y], [x, y + 1e-4], [x, y]]] }), /181|longitude/i],
		['an unclosed ring', feat(`${V}953`, { type: 'Polygon', coordinates: [ring([x, y], 1e-4).slice(0, -1)] }), /closed/i],
		['no geometry', feat(`${V}957`, null), /geometry/i],
		['a bad type', feat(`${V}958`, square([x, y], 1e-4), { type: 'castle' }), /type/],
		['overlapping a feature of the file', feat(`${V}954`, vGeom), new RegExp(`overlaps feature \\d+ \\(${vFeatures[0].id}\\)`)],
		['overlapping a stored grid', feat(`${W}955`, wGrid.geometry), new RegExp(`overlaps a stored grid.*${wGrid.id}`)],
		['outside its village', feat(`${V}956`, wGrid.geometry), /outside/i],
	];
	// Bad and good features interleaved.
	const features = [];
	const badAt = new Map();
	let gi = 0;
	for (const [what, f, reason] of bad) {
		if (gi < good.length) features.push(good[gi++]);
		badAt.set(features.length, { what, reason, code: f?.properties?.code });
		features.push(f);
	}
	while (gi < good.length) features.push(good[gi++]);
	const file = writeJson('bad.geojson', { type: 'FeatureCollection', features });
	const r = importGrids(file);
	assert.equal(r.status, 1, `exit 1: ${r.stdout} ${r.stderr}`);
	assert.equal(r.stdout, '', 'nothing on stdout');
	const lines = r.stderr.trim().split('\n');
	const listed = new Map();
	for (const l of lines) {
		const m = /^feature (\d+)( \(([^)]*)\))?: (.+)$/.exec(l);
		if (m) {
			assert.ok(!listed.has(Number(m[1])), `feature ${m[1]} listed once:\n${r.stderr}`);
			listed.set(Number(m[1]), { code: m[3], reason: m[4], line: l });
		}
	}
	for (const [i, b] of badAt) {
		const got = listed.get(i);
		assert.ok(got, `feature ${i} (${b.what}) listed:\n${r.stderr}`);
		assert.match(got.reason, b.reason, `feature ${i} (${b.what}): ${got.line}`);
		if (typeof b.code === 'string') assert.equal(got.code, b.code, `feature ${i} (${b.what}) named by its code`);
	}
	assert.match(listed.get([...badAt].find(([, b]) => b.what === 'a self-intersection')[0]).reason, /\[at 1\d\d\.\d+, \d\d\.\d+\]$/, 'the place of the self-intersection');
	for (const i of listed.keys()) assert.ok(badAt.has(i), `good feature ${i} not listed: ${listed.get(i).line}`);
	assert.match(lines.at(-1), new RegExp(`^civicgrid import: ${bad.length} of ${features.length} features refused; nothing was imported$`));

	// Nothing imported: not the good ones either.
	for (const [i, g] of before.entries()) {
		const now = await grid(vFeatures[i].id);
		assert.equal(now.headers.etag, g.headers.etag, `${vFeatures[i].id} unchanged`);
	}
	for (const code of [`${village}902`, `${V}951`, `${V}954`, `${V}956`, `${W}955`]) assertError(await getGrid(code), 404, 'GRID_NOT_FOUND', undefined, `${code} not created`);
	await assertNoGrid(freePoint, admin, 'the free area stays free');
	assert.equal(await located([x, y]), vFeatures[0].id);

	// Not a FeatureCollection, not JSON: one clear line, exit 1.
	for (const [what, input, msg] of [
		['a Feature', JSON.stringify(good[0]), /not a GeoJSON FeatureCollection.*nothing was imported/],
		['features not a list', '{"type":"FeatureCollection","features":{}}', /not a GeoJSON FeatureCollection/],
		['an array', '[]', /not a GeoJSON FeatureCollection/],
		['not JSON', '{"type": "FeatureCollection", ', /not valid JSON/],
		['empty', '', /not valid JSON/],
	]) {
		const x2 = cli(['import', 'grids', '--db', srv.db.url, '-'], { input, timeout: cliTimeout });
		assert.equal(x2.status, 1, `${what}: exit 1 (${x2.status}) ${x2.stderr}`);
		assert.match(x2.stderr, msg, `${what}: ${x2.stderr}`);
		assert.equal(x2.stdout, '');
	}
	const missing = importGrids(path.join(srv.db.dir, 'no-such-file.geojson'));
	assert.equal(missing.status, 1, missing.stderr);
	assert.match(missing.stderr, /no-such-file\.geojson/);
	plan.goodImport = good;
});

test('import: a new grid from stdin; the running server picks it up by itself within ~10 s', async () => {
	const { village, r: freePoint, h } = plan;
	const code = `${village}902`;
	const input = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code, name: '新导入网格', type: 'market', households: 12, population: 34 }, geometry: square(freePoint, h / 2) }] });
	const r = cli(['import', 'grids', '--db', srv.db.url, '-'], { input, timeout: cliTimeout });
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout.trim(), 'imported 1 grids (1 new, 0 updated)');
	const g = await grid(code);
	assert.deepEqual({ name: g.json.name, type: g.json.type, households: g.json.households, population: g.json.population, village: g.json.village, synthetic: g.json.synthetic }, { name: '新导入网格', type: 'market', households: 12, population: 34, village, synthetic: false });
	assertSameShape(g.json.boundary, square(freePoint, h / 2), 'the imported boundary');
	assert.deepEqual((await srv.get(`/api/v1/regions/${code}`, { session: admin })).json, { code, name: '新导入网格', level: 'grid', parent: village });
	const t0 = Date.now();
	const got = await eventually(async () => (await locate(freePoint)).json?.grid === code, 15000 * SLOW);
	assert.ok(got, `locate answers the imported grid within 15 s (${(await locate(freePoint)).text})`);
	assert.ok(Date.now() - t0 < 15000 * SLOW);
	// The same file again: 0 new, 1 updated.
	const again = cli(['import', 'grids', '--db', srv.db.url, '-'], { input, timeout: cliTimeout });
	assert.equal(again.status, 0, again.stderr);
	assert.equal(again.stdout.trim(), 'imported 1 grids (0 new, 1 updated)');
});

/* The command line its own usage text shows: `civicgrid CMD --help`'s first line
 * with FILE / URL / CODE filled in and the [optional] parts given. */
function fromUsage(cmd, values) {
	const help = cli([cmd, '--help']);
	assert.equal(help.status, 0, `${cmd} --help: ${help.stderr}`);
	const line = help.stdout.split('\n')[0];
	assert.match(line, new RegExp(`^usage: civicgrid ${cmd} grids `), line);
	return line
		.replace(/^usage: civicgrid /, '')
		.split(/\s+/)
		.map((w) => w.replace(/[[\]]/g, ''))
		.map((w) => values[w] ?? w);
}

test('import and export work as their usage text shows them', async () => {
	const V = plan.importVillage;
	const exp = cli(fromUsage('export', { CODE: V, URL: srv.db.url }), { timeout: cliTimeout });
	assert.equal(exp.status, 0, `civicgrid ${fromUsage('export', { CODE: V, URL: srv.db.url }).join(' ')}: exit ${exp.status}\n${exp.stderr}`);
	const features = JSON.parse(exp.stdout).features;
	assert.ok(features.length >= 3 && features.every((f) => f.properties.village === V));
	const file = writeJson('usage.geojson', exp.stdout);
	const args = fromUsage('import', { 'FILE.geojson': file, FILE: file, URL: srv.db.url });
	const r = cli(args, { timeout: cliTimeout });
	assert.equal(r.status, 0, `civicgrid ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
	assert.equal(r.stdout.trim(), `imported ${features.length} grids (0 new, ${features.length} updated)`);
});

test('export of the whole city is a FeatureCollection that imports back unchanged ("0 new, N updated")', async () => {
	const all = exportGrids();
	assert.equal(all.type, 'FeatureCollection');
	const api = (await srv.get('/api/v1/grids', { session: admin })).json;
	assert.deepEqual(all.features.map((f) => f.id), api.features.map((f) => f.id), 'the same grids as the API');
	assert.ok(all.features.length >= fc.features.length + 2, 'with the new grids');
	const file = writeJson('city.geojson', all);
	const t0 = Date.now();
	const r = importGrids(file);
	assert.equal(r.status, 0, r.stderr.slice(0, 3000));
	// A grid without a boundary cannot be imported; the city has none left.
	assert.equal(r.stdout.trim(), `imported ${all.features.length} grids (0 new, ${all.features.length} updated)`);
	const again = exportGrids();
	assert.equal(again.features.length, all.features.length);
	for (const [i, f] of again.features.entries()) {
		assert.equal(f.id, all.features[i].id);
		assertSameShape(f.geometry, all.features[i].geometry, `${f.id} after the round trip`);
		assert.equal(f.properties.households, all.features[i].properties.households);
	}
	console.log(`# city re-import: ${all.features.length} grids in ${Date.now() - t0} ms`);
	// The server still answers as before.
	assert.equal(await located(plan.q), plan.N);
	assert.equal(await located(plan.p), plan.N, 'the hole N filled');
});

/* ---- 6. audit ---- */

test('audit: boundary, attribute, worker and import changes are recorded with their object', async () => {
	const { A, N } = plan;
	const boundary = await srv.auditAll({ action: 'grid.boundary' });
	const forA = boundary.filter((x) => x.object === `grid:${A}` && x.success);
	assert.equal(forA.length, 2, `two boundary changes of A: ${JSON.stringify(boundary.map((x) => [x.object, x.success]))}`);
	assert.ok(forA.every((x) => x.username === 'admin' && x.role === 'sysadmin'));
	assert.ok(boundary.filter((x) => x.object === `grid:${N}` && x.success).length >= 2);
	const upd = await srv.auditAll({ action: 'grid.update', object: `grid:${A}` });
	assert.equal(upd.filter((x) => x.success).length, 2, 'two PATCHes');
	const G = plan.workerGrid;
	const assign = await srv.auditAll({ action: 'grid.worker.assign', object: `grid:${G}` });
	assert.ok(assign.filter((x) => x.success).length >= 6, `assignments of ${G}: ${assign.length}`);
	assert.ok(assign.some((x) => x.username === 'xs_center' && x.success));
	assert.ok(assign.some((x) => /mediator/.test(x.detail)), 'the detail names the user');
	const rm = await srv.auditAll({ action: 'grid.worker.remove', object: `grid:${G}` });
	assert.ok(rm.filter((x) => x.success).length >= 4);
	const imp = await srv.auditAll({ action: 'grid.import' });
	assert.ok(imp.filter((x) => x.success).length >= 4, `imports: ${JSON.stringify(imp)}`);
	assert.ok(imp.every((x) => x.object === 'grids' && x.username === 'cli'), JSON.stringify(imp[0]));
	const demo = await srv.auditAll({ action: 'demo.grids' });
	assert.equal(demo.length, 1);
});

/* ---- 7. shutdown ---- */

test('the server exits 0 on SIGTERM', async () => {
	await srv.stop();
});
