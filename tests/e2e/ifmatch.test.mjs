// ifmatch.test.mjs - If-Match holds under concurrency: several writers sending the
// same ETag at once to a region PATCH, a grid PATCH and a calendar PUT; exactly one
// wins (200), every other gets 412, and the winner's change is what is stored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { XIANGNAN, startServer } from './lib.mjs';

const N = 8;
let srv;
let admin;

before(async () => {
	srv = await startServer();
	admin = await srv.session('admin');
});

after(async () => {
	await srv?.close();
});

function oneWinner(rs, what) {
	const statuses = rs.map((r) => r.status).sort();
	assert.deepEqual(statuses, [200, ...Array(N - 1).fill(412)], `${what}: ${rs.map((r) => r.text).join('\n')}`);
	for (const r of rs.filter((x) => x.status === 412)) assert.equal(r.json.code, 'PRECONDITION_FAILED');
	return rs.find((r) => r.status === 200);
}

test('concurrent renames of one region with one ETag: one 200, the rest 412', async () => {
	for (let round = 0; round < 3; round++) {
		const g = await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: admin });
		assert.equal(g.status, 200, g.text);
		const rs = await Promise.all(Array.from({ length: N }, (_, i) => srv.patch(`/api/v1/regions/${XIANGNAN}`, { session: admin, json: { name: `相南街道${round}-${i}` }, headers: { 'If-Match': g.headers.etag } })));
		const win = oneWinner(rs, `round ${round}`);
		const now = await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: admin });
		assert.equal(now.json.name, win.json.name, 'the winner’s name is stored');
		assert.equal(now.headers.etag, win.headers.etag);
	}
	const audit = await srv.audit({ action: 'region.rename', limit: '100' });
	assert.equal(audit.status, 200, audit.text);
	assert.equal(audit.json.items.filter((x) => x.object === `region:${XIANGNAN}`).length, 3, 'one rename audited per round');
});

test('concurrent grid PATCHes with one ETag: one 200, the rest 412', async () => {
	const me = await srv.get('/api/v1/session', { session: await srv.session('gw_001') });
	const grid = me.json.user?.region ?? me.json.region;
	const g = await srv.get(`/api/v1/grids/${grid}`, { session: admin });
	assert.equal(g.status, 200, g.text);
	const rs = await Promise.all(Array.from({ length: N }, (_, i) => srv.patch(`/api/v1/grids/${grid}`, { session: admin, json: { households: 1000 + i }, headers: { 'If-Match': g.headers.etag } })));
	const win = oneWinner(rs, 'grid');
	const now = await srv.get(`/api/v1/grids/${grid}`, { session: admin });
	assert.equal(now.json.households, win.json.households);
});

test('concurrent calendar PUTs of one year with one ETag: one 200, the rest 412', async () => {
	const year = 2031;
	const g = await srv.get(`/api/v1/calendar?year=${year}`, { session: admin });
	assert.equal(g.status, 200, g.text);
	const rs = await Promise.all(Array.from({ length: N }, (_, i) => srv.req('PUT', `/api/v1/calendar/${year}`, { session: admin, json: { days: [{ date: `${year}-10-0${i + 1}`, kind: 'off', note: `国庆${i}` }] }, headers: { 'If-Match': g.headers.etag } })));
	const win = oneWinner(rs, 'calendar');
	const now = await srv.get(`/api/v1/calendar?year=${year}`, { session: admin });
	assert.deepEqual(now.json, win.json);
});
