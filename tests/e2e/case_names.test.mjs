// case_names.test.mjs - the names a case's screen shows without further requests (and
// that users outside the unit's or region's scope could not look up): department_name,
// region_name and grid_name, in every answer that carries the whole case (create, get,
// action), null when there is none.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { XIANGSHAN, randomId, startServer } from './lib.mjs';

let srv;
let gw;
let center;
let gridCode;
let grid;
let cgj;

before(async () => {
	srv = await startServer();
	gw = await srv.session('gw_001');
	center = await srv.session('center');
	gridCode = gw.user.region;
	const g = await srv.get(`/api/v1/grids/${gridCode}`, { session: gw });
	assert.equal(g.status, 200, g.text);
	grid = g.json;
	const deps = await srv.get('/api/v1/departments?limit=200', { session: center });
	cgj = deps.json.items.find((d) => d.code === 'cgj-340600000000');
	assert.ok(cgj, deps.text);
});

after(async () => {
	await srv?.close();
});

/* A point inside the grid: the mean of its outer ring's corners (the demo grids are
 * convex), checked with the locator. */
async function inside() {
	const g = grid.boundary;
	const ring = (g.type === 'MultiPolygon' ? g.coordinates[0] : g.coordinates)[0].slice(0, -1);
	const lon = ring.reduce((a, p) => a + p[0], 0) / ring.length;
	const lat = ring.reduce((a, p) => a + p[1], 0) / ring.length;
	const l = await srv.get(`/api/v1/grids/locate?lon=${lon}&lat=${lat}`, { session: gw });
	assert.equal(l.status, 200, l.text);
	assert.equal(l.json.grid, gridCode);
	return { lon, lat };
}

async function act(session, c, action, json) {
	const v = await srv.get(`/api/v1/cases/${c.id}`, { session });
	assert.equal(v.status, 200, v.text);
	const r = await srv.post(`/api/v1/cases/${c.id}/actions/${action}`, { session, json, headers: { 'If-Match': v.headers.etag } });
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	return r.json;
}

test('a case reported in a grid names its grid and region, and its department once dispatched', async () => {
	const r = await srv.post('/api/v1/cases', { session: gw, json: { kind: 'event', category: '06010', title: `暴露垃圾 ${randomId(3)}`, location: await inside() } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.grid, gridCode);
	assert.equal(r.json.grid_name, grid.name);
	assert.equal(typeof r.json.region_name, 'string');
	assert.ok(r.json.region_name.length > 0);
	const reg = await srv.get(`/api/v1/regions/${r.json.region}`, { session: center });
	assert.equal(reg.status, 200, reg.text);
	assert.equal(r.json.region_name, reg.json.name);

	await act(center, r.json, 'register', {});
	const d = await act(center, r.json, 'dispatch', { department: cgj.id });
	assert.equal(d.department, cgj.id);
	assert.equal(d.department_code, cgj.code);
	assert.equal(d.department_name, cgj.name);

	// The grid worker sees the unit's name although the unit (city level) lies outside
	// the grid worker's scope and so is not in the grid worker's department list.
	const gv = await srv.get(`/api/v1/cases/${r.json.id}`, { session: gw });
	assert.equal(gv.status, 200, gv.text);
	assert.equal(gv.json.department_name, cgj.name);
	const gdeps = await srv.get('/api/v1/departments?limit=200', { session: gw });
	assert.ok(!(gdeps.json.items || []).some((x) => x.id === cgj.id), 'not in the grid worker\'s list');
});

test('a case without a grid has grid_name null, and before dispatch department_name null', async () => {
	const r = await srv.post('/api/v1/cases', { session: center, json: { kind: 'event', category: '06010', title: `无网格 ${randomId(3)}`, region: XIANGSHAN } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.grid, null);
	assert.equal(r.json.grid_name, null);
	assert.equal(r.json.region, XIANGSHAN);
	assert.equal(r.json.region_name, '相山区');
	assert.equal(r.json.department_name === null || typeof r.json.department_name === 'string', true);
	if (r.json.department === null) assert.equal(r.json.department_name, null);
	const l = await srv.get(`/api/v1/cases?limit=5`, { session: center });
	assert.equal(l.status, 200, l.text);
});
