// token_cache.test.mjs - the server keeps resolved bearer tokens for a few seconds
// (app/accounts.c, up to 2 s); a change to the account made through this server must reach the
// token at once, not when the entry runs out: new roles and home region, a lock by
// failed sign-ins, an unlock, disabling.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CITY, DUJI, PASSWORD, assertError, cliDbOk, randomId, startServer } from './lib.mjs';

let srv;
let sec;

before(async () => {
	srv = await startServer();
	sec = await srv.session('secadmin');
});

after(async () => {
	await srv?.close();
});

async function addUserWithToken(roles, region = CITY) {
	const username = `tc_${randomId(4)}`;
	const r = await srv.post('/api/v1/users', {
		session: sec,
		json: { username, name: `缓存${username}`, region, roles, password: PASSWORD },
	});
	assert.equal(r.status, 201, r.text);
	const token = cliDbOk(srv.db, ['token', 'add', '--user', username, '--name', 'cache-test']).stdout.trim();
	return { id: r.json.id, username, token };
}

test('a token sees its account\'s new roles and region on the very next request', async () => {
	const u = await addUserWithToken(['leader']);
	// Twice: the second answer comes from the cache.
	for (let i = 0; i < 2; i++) {
		const me = await srv.get('/api/v1/session', { token: u.token });
		assert.equal(me.status, 200, me.text);
		assert.deepEqual(me.json.user.roles, ['leader']);
		assert.equal(me.json.user.region, CITY);
	}
	const p = await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { roles: ['dispatcher'], region: DUJI } });
	assert.equal(p.status, 200, p.text);
	const me = await srv.get('/api/v1/session', { token: u.token });
	assert.equal(me.status, 200, me.text);
	assert.deepEqual(me.json.user.roles, ['dispatcher']);
	assert.equal(me.json.user.region, DUJI);
	// The scope moved with the region: the city's other districts are out of reach.
	const l = await srv.get('/api/v1/cases?region=340603000000', { token: u.token });
	assertError(l, 400, 'INVALID_QUERY', 'region', 'a district outside the new scope');
});

test('a lock by failed sign-ins stops the token at once; an unlock restores it at once', async () => {
	const u = await addUserWithToken(['leader']);
	assert.equal((await srv.get('/api/v1/cases?limit=1', { token: u.token })).status, 200);
	assert.equal((await srv.get('/api/v1/cases?limit=1', { token: u.token })).status, 200);
	for (let i = 0; i < 4; i++) assertError(await srv.tryLogin(u.username, 'Wrong-Pass-2026'), 401, 'AUTH_FAILED');
	assert.equal((await srv.get('/api/v1/cases?limit=1', { token: u.token })).status, 200, 'four failures lock nothing');
	assertError(await srv.tryLogin(u.username, 'Wrong-Pass-2026'), 423, 'ACCOUNT_LOCKED');
	assertError(await srv.get('/api/v1/cases?limit=1', { token: u.token }), 423, 'ACCOUNT_LOCKED', undefined, 'token of a locked account');
	const un = await srv.post(`/api/v1/users/${u.id}/unlock`, { session: sec });
	assert.equal(un.status, 204, un.text);
	assert.equal((await srv.get('/api/v1/cases?limit=1', { token: u.token })).status, 200, 'unlocked');
});

test('disabling stops the token at once, even right after it was cached', async () => {
	const u = await addUserWithToken(['leader']);
	for (let i = 0; i < 3; i++) assert.equal((await srv.get('/api/v1/session', { token: u.token })).status, 200);
	const d = await srv.patch(`/api/v1/users/${u.id}`, { session: sec, json: { disabled: true } });
	assert.equal(d.status, 200, d.text);
	const t = await srv.get('/api/v1/session', { token: u.token });
	assertError(t, 403, 'ACCOUNT_DISABLED', undefined, 'token of a disabled account');
	// A wrong token is refused however often a good one was cached.
	assertError(await srv.get('/api/v1/session', { token: `${u.token}x` }), 401, 'TOKEN_INVALID');
});
