// session.test.mjs - signing in and out, lockout, session expiry, CSRF, API tokens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO_USERS, PASSWORD, SANITIZED, SLOW, XIANGNAN, assertError, cliDb, cliDbOk, randomId, sleep, startServer } from './lib.mjs';

/* Short policies need their own servers; waits are longer under the sanitizers,
 * where one argon2id verification alone can take a second. */
const LOCK_S = SANITIZED ? 5 : 2;
const IDLE_S = SANITIZED ? 5 : 2;
const ABS_S = SANITIZED ? 8 : 3;

let srv; // default policy
let short; // --lockout-duration LOCK_S --session-idle IDLE_S
let abs; // --session-absolute ABS_S

before(async () => {
	const started = await Promise.allSettled([
		startServer(),
		startServer({ args: ['--lockout-duration', `${LOCK_S}s`, '--session-idle', `${IDLE_S}s`] }),
		startServer({ args: ['--session-absolute', `${ABS_S}s`] }),
	]);
	[srv, short, abs] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
	const failed = started.find((r) => r.status === 'rejected');
	if (failed) throw failed.reason;
});

after(async () => {
	await Promise.all([srv?.close(), short?.close(), abs?.close()]);
});

/* A fresh account (so tests that lock or expire it touch nobody else's). */
function addUser(server, roles = 'citizen', region = '340600000000') {
	const username = `u_${randomId(4)}`;
	cliDbOk(server.db, ['user', 'add', '--username', username, '--name', `测试${username}`, '--region', region, '--roles', roles, '--password-stdin'], {
		input: `${PASSWORD}\n`,
	});
	return username;
}

test('every demo user signs in and gets their roles and home region', async () => {
	for (const [username, want] of Object.entries(DEMO_USERS)) {
		const s = await srv.login(username);
		const u = s.user;
		assert.equal(u.username, username);
		assert.ok(Number.isInteger(u.id) && u.id > 0, `${username}: integer id`);
		assert.equal(typeof u.name, 'string');
		assert.ok(u.name.length > 0);
		assert.deepEqual([...u.roles].sort(), want.roles, `${username}: roles`);
		if (want.region) assert.equal(u.region, want.region, `${username}: region`);
		assert.ok(s.csrf.length >= 16, `${username}: a CSRF token of some entropy`);
		assert.deepEqual(Object.keys(s.res.json).sort(), ['csrf_token', 'user']);
		srv.sessions.set(username, s);
	}
	// gw_001 is the full-time worker of a grid in a community of 相南街道.
	const gw = srv.sessions.get('gw_001');
	assert.match(gw.user.region, /^340603001\d{6}$/);
	const r = await srv.get(`/api/v1/regions/${gw.user.region}`, { session: gw });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.level, 'grid');
	assert.equal(r.json.parent.slice(0, 9), XIANGNAN.slice(0, 9));
});

test('the session cookie is HttpOnly, SameSite=Strict, for the whole site, not Secure on plain HTTP', async () => {
	const s = await srv.session('leader');
	const attrs = s.setCookie.split(';').map((a) => a.trim().toLowerCase());
	assert.ok(attrs.includes('httponly'), s.setCookie);
	assert.ok(attrs.includes('samesite=strict'), s.setCookie);
	assert.ok(attrs.includes('path=/'), s.setCookie);
	assert.ok(!attrs.includes('secure'), s.setCookie);
	// Two sign-ins get two different sessions and CSRF tokens.
	const s2 = await srv.login('leader');
	assert.notEqual(s2.value, s.value);
	assert.notEqual(s2.csrf, s.csrf);
});

test('signing in never adopts a session id the client brought (no session fixation)', async () => {
	const planted = 'planted-by-an-attacker-0123456789abcdef';
	const r = await srv.tryLogin('leader', PASSWORD, { Cookie: `cw_session=${planted}` });
	assert.equal(r.status, 200, r.text);
	const sc = r.setCookies.find((c) => c.startsWith('cw_session='));
	assert.ok(sc && !sc.includes(planted), `a fresh session id: ${sc}`);
	assertError(await srv.get('/api/v1/session', { headers: { Cookie: `cw_session=${planted}` } }), 401, 'AUTH_REQUIRED', undefined, 'the planted id');
});

test('GET /session answers who is signed in, or 401 AUTH_REQUIRED', async () => {
	const s = await srv.session('xs_center');
	const r = await srv.get('/api/v1/session', { session: s });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.user, s.user);
	assert.equal(r.json.csrf_token, s.csrf);

	assertError(await srv.get('/api/v1/session'), 401, 'AUTH_REQUIRED', undefined, 'no cookie');
	assertError(await srv.get('/api/v1/session', { headers: { Cookie: 'cw_session=not-a-session' } }), 401, 'AUTH_REQUIRED', undefined, 'unknown cookie');
	assertError(await srv.get('/api/v1/session', { headers: { Cookie: `cw_session=${'x'.repeat(5000)}` } }), 401, 'AUTH_REQUIRED', undefined, 'long cookie');
	assertError(await srv.get('/api/v1/regions/340600000000'), 401, 'AUTH_REQUIRED', undefined, 'protected route without a cookie');
});

test('a wrong password or an unknown user is 401 AUTH_FAILED, alike, with no cookie', async () => {
	const wrong = await srv.tryLogin('leader', 'Wrong-Pass-2026');
	assertError(wrong, 401, 'AUTH_FAILED', undefined, 'wrong password');
	assert.deepEqual(wrong.setCookies, []);
	const unknown = await srv.tryLogin(`nobody_${randomId(3)}`, PASSWORD);
	assertError(unknown, 401, 'AUTH_FAILED', undefined, 'unknown user');
	assert.deepEqual(unknown.setCookies, []);
	assert.equal(unknown.json.message, wrong.json.message, 'the same message for both: no user enumeration');
	// An empty password is not even a credential: 400 (field password) or 401.
	const empty = await srv.tryLogin('leader', '');
	assert.ok([400, 401].includes(empty.status), `empty password: ${empty.text}`);
	if (empty.status === 400) assertError(empty, 400, 'INVALID_FIELD', 'password', 'empty password');
	assert.deepEqual(empty.setCookies, []);
});

test('five failures lock the account (423 ACCOUNT_LOCKED, even with the right password) until `user unlock`', async () => {
	const u = addUser(srv);
	// Failures below the threshold are forgotten after a good sign-in.
	for (let i = 0; i < 4; i++) assertError(await srv.tryLogin(u, 'Wrong-Pass-2026'), 401, 'AUTH_FAILED', undefined, `failure ${i + 1}`);
	await srv.login(u);
	for (let i = 0; i < 4; i++) assertError(await srv.tryLogin(u, 'Wrong-Pass-2026'), 401, 'AUTH_FAILED', undefined, `failure ${i + 1} after a good sign-in`);
	assertError(await srv.tryLogin(u, 'Wrong-Pass-2026'), 423, 'ACCOUNT_LOCKED', undefined, 'fifth failure');
	const locked = await srv.tryLogin(u, PASSWORD);
	assertError(locked, 423, 'ACCOUNT_LOCKED', undefined, 'right password while locked');
	assert.deepEqual(locked.setCookies, []);
	assertError(await srv.tryLogin(u, PASSWORD), 423, 'ACCOUNT_LOCKED', undefined, 'still locked');
	// English message on request.
	const en = await srv.tryLogin(u, PASSWORD, { 'Accept-Language': 'en' });
	assertError(en, 423, 'ACCOUNT_LOCKED', undefined, 'locked, English');
	assert.match(en.json.message, /lock/i);

	const un = cliDb(srv.db, ['user', 'unlock', u]);
	assert.equal(un.status, 0, `user unlock: ${un.stdout}${un.stderr}`);
	const s = await srv.login(u);
	assert.equal(s.user.username, u);
	// A fresh count after the unlock: one failure is 401 again.
	assertError(await srv.tryLogin(u, 'Wrong-Pass-2026'), 401, 'AUTH_FAILED', undefined, 'after unlock');
});

test('user unlock of an unknown user fails', () => {
	const r = cliDb(srv.db, ['user', 'unlock', `nobody_${randomId(3)}`]);
	assert.notEqual(r.status, 0, r.stdout);
});

test('DELETE /session needs the CSRF token, then ends the session (204) and the old cookie is 401', async () => {
	const s = await srv.login('center');
	assertError(await srv.del('/api/v1/session', { session: s, csrf: false }), 403, 'CSRF_FAILED', undefined, 'logout without CSRF');
	assertError(await srv.del('/api/v1/session', { session: s, csrf: 'x'.repeat(s.csrf.length) }), 403, 'CSRF_FAILED', undefined, 'logout with a wrong CSRF');
	assert.equal((await srv.get('/api/v1/session', { session: s })).status, 200, 'a refused logout leaves the session alive');

	const r = await srv.del('/api/v1/session', { session: s });
	assert.equal(r.status, 204, r.text);
	assert.equal(r.text, '');
	const clear = r.setCookies.find((c) => c.startsWith('cw_session='));
	assert.ok(clear, 'the logout clears the cookie');
	assert.match(clear, /Max-Age=0|Expires=Thu, 01 Jan 1970/i);
	assertError(await srv.get('/api/v1/session', { session: s }), 401, 'AUTH_REQUIRED', undefined, 'old cookie after logout');
	assertError(await srv.del('/api/v1/session', { session: s }), 401, 'AUTH_REQUIRED', undefined, 'logout twice');
	// Other sessions of the same user live on.
	const other = await srv.session('center');
	assert.equal((await srv.get('/api/v1/session', { session: other })).status, 200);
});

describe('short timers, side by side', { concurrency: true }, () => {
	test(`a lockout ends by itself after --lockout-duration ${LOCK_S}s`, async () => {
		const u = addUser(short);
		for (let i = 0; i < 4; i++) assertError(await short.tryLogin(u, 'Wrong-Pass-2026'), 401, 'AUTH_FAILED');
		assertError(await short.tryLogin(u, 'Wrong-Pass-2026'), 423, 'ACCOUNT_LOCKED', undefined, 'fifth failure');
		assertError(await short.tryLogin(u, PASSWORD), 423, 'ACCOUNT_LOCKED', undefined, 'right password at once');
		await sleep(LOCK_S * 1000 + 1300);
		const s = await short.login(u);
		assert.equal(s.user.username, u);
	});

	test(`an idle session expires after --session-idle ${IDLE_S}s: 401 SESSION_EXPIRED, then AUTH_REQUIRED`, async () => {
		const u = addUser(short);
		const s = await short.login(u);
		assert.equal((await short.get('/api/v1/session', { session: s })).status, 200);
		await sleep(IDLE_S * 1000 + 1300);
		const r = await short.get('/api/v1/session', { session: s });
		assertError(r, 401, 'SESSION_EXPIRED', undefined, 'idle session');
		const clear = r.setCookies.find((c) => c.startsWith('cw_session='));
		assert.ok(clear && /Max-Age=0/i.test(clear), `an expired session's cookie is cleared: ${JSON.stringify(r.setCookies)}`);
		// Expired is final: writes too, and the next request no longer knows the session.
		assert.equal((await short.del('/api/v1/session', { session: s })).status, 401);
		assertError(await short.get('/api/v1/session', { session: s }), 401, 'AUTH_REQUIRED', undefined, 'after expiry');
		// Signing in again works.
		const again = await short.login(u);
		assert.equal((await short.get('/api/v1/session', { session: again })).status, 200);
	});

	test(`activity keeps a session alive past --session-idle ${IDLE_S}s`, async () => {
		const u = addUser(short);
		const s = await short.login(u);
		const end = Date.now() + IDLE_S * 2000 + 1500;
		let n = 0;
		while (Date.now() < end) {
			const r = await short.get('/api/v1/session', { session: s });
			assert.equal(r.status, 200, `request ${n} at +${Math.round((Date.now() - end) / 1000 + IDLE_S * 2 + 1.5)}s of steady use: ${r.text}`);
			n++;
			await sleep((IDLE_S * 1000) / 4);
		}
	});

	test(`a session ends after --session-absolute ${ABS_S}s however busy it is`, async () => {
		// From before the sign-in: the session is stamped when the request starts.
		const t0 = Date.now();
		const s = await abs.login('citizen');
		const seen = [];
		for (;;) {
			const r = await abs.get('/api/v1/session', { session: s });
			const t = (Date.now() - t0) / 1000;
			seen.push(`${t.toFixed(1)}s:${r.status}`);
			if (r.status !== 200) {
				assertError(r, 401, 'SESSION_EXPIRED', undefined, 'absolute expiry');
				// Sessions are stamped in whole seconds: it lives at least ABS_S - 1 s.
				assert.ok(t >= ABS_S - 1.2, `expired too early at ${t}s: ${seen.join(' ')}`);
				break;
			}
			assert.ok(t <= ABS_S + 1.5, `still alive at ${t}s: ${seen.join(' ')}`);
			await sleep(500);
		}
		assertError(await abs.get('/api/v1/session', { session: s }), 401, 'AUTH_REQUIRED', undefined, 'after absolute expiry');
	});
});

test('a cookie write without the right X-CSRF-Token is 403 CSRF_FAILED and changes nothing', async () => {
	const admin = await srv.session('admin');
	const other = await srv.login('admin'); // a valid token of another session
	const town = '340603001000';
	const village = '340603001901';
	for (const [csrf, what] of [
		[false, 'no token'],
		['', 'empty token'],
		['wrong', 'wrong token'],
		[other.csrf, "another session's token"],
		[admin.csrf.toUpperCase() === admin.csrf ? admin.csrf.toLowerCase() : admin.csrf.toUpperCase(), 'token in another case'],
	]) {
		if (csrf !== false && csrf === admin.csrf) continue;
		const p = await srv.post('/api/v1/regions', { session: admin, csrf, json: { code: village, name: '伪造社区', parent: town } });
		assertError(p, 403, 'CSRF_FAILED', undefined, `POST, ${what}`);
		const g = await srv.get(`/api/v1/regions/${town}`, { session: admin });
		const q = await srv.patch(`/api/v1/regions/${town}`, { session: admin, csrf, json: { name: '伪造街道' }, headers: { 'If-Match': g.headers.etag } });
		assertError(q, 403, 'CSRF_FAILED', undefined, `PATCH, ${what}`);
	}
	assertError(await srv.get(`/api/v1/regions/${village}`, { session: admin }), 404, 'REGION_NOT_FOUND', undefined, 'the refused POST created nothing');
	assert.equal((await srv.get(`/api/v1/regions/${town}`, { session: admin })).json.name, '相南街道', 'the refused PATCH renamed nothing');

	const sec = await srv.session('secadmin');
	const username = `csrf_${randomId(3)}`;
	assertError(await srv.post('/api/v1/users', { session: sec, csrf: false, json: { username, name: '伪造', region: '340600000000', roles: ['citizen'] } }), 403, 'CSRF_FAILED', undefined, 'POST /users');
	const list = await srv.get('/api/v1/users?limit=200', { session: sec });
	assert.ok(!list.json.items.some((u) => u.username === username), 'the refused POST /users created no account');

	// With the token it works; GET needs none.
	const ok = await srv.post('/api/v1/regions', { session: admin, json: { code: village, name: '测试社区', parent: town } });
	assert.equal(ok.status, 201, ok.text);
});

test('a bearer token from `token add` works without CSRF; garbage or revoked tokens are 401 TOKEN_INVALID', async () => {
	const r = cliDb(srv.db, ['token', 'add', '--user', 'admin', '--name', 'e2e integration']);
	assert.equal(r.status, 0, r.stderr);
	const token = r.stdout.trim();
	assert.match(token, /^cwt_[A-Za-z0-9_-]{20,}$/);

	const who = await srv.get('/api/v1/session', { token });
	assert.equal(who.status, 200, who.text);
	assert.equal(who.json.user.username, 'admin');
	const created = await srv.post('/api/v1/regions', { token, json: { code: '340603001902', name: '令牌社区', parent: '340603001000' } });
	assert.equal(created.status, 201, `POST with a bearer token and no CSRF: ${created.text}`);

	// Only a digest is stored, and it is not the token itself.
	const rows = srv.db.exec('SELECT * FROM api_tokens');
	assert.equal(rows.status, 0, rows.stderr);
	assert.ok(!rows.stdout.includes(token) && !rows.stdout.includes(token.slice(4)), 'the token is not stored in clear');

	for (const [h, what] of [
		[`Bearer cwt_${'A'.repeat(43)}`, 'unknown token'],
		['Bearer ', 'empty token'],
		[`Bearer ${token}x`, 'token with a byte more'],
		[`Basic ${Buffer.from('admin:' + PASSWORD).toString('base64')}`, 'Basic auth'],
	]) {
		assertError(await srv.get('/api/v1/session', { headers: { Authorization: h } }), 401, 'TOKEN_INVALID', undefined, what);
		assertError(await srv.post('/api/v1/regions', { headers: { Authorization: h }, json: { code: '340603001903', name: 'x', parent: '340603001000' } }), 401, 'TOKEN_INVALID', undefined, `${what}, POST`);
	}

	// Revoked (there is no revoke command yet: flip the flag in the database). Another
	// process's change reaches the server's cache of resolved tokens within 2 s.
	const rv = srv.db.exec("UPDATE api_tokens SET revoked = 1 WHERE name = 'e2e integration'");
	assert.equal(rv.status, 0, rv.stderr);
	const revokedAt = Date.now();
	let gone;
	while ((gone = await srv.get('/api/v1/session', { token })).status === 200 && Date.now() - revokedAt < 2500 * SLOW) await sleep(100);
	assertError(gone, 401, 'TOKEN_INVALID', undefined, 'revoked token, within 2 s');
	assertError(await srv.patch('/api/v1/regions/340603001902', { token, json: { name: '撤销后' }, headers: { 'If-Match': created.headers.etag } }), 401, 'TOKEN_INVALID', undefined, 'revoked token, PATCH');
	const still = await srv.get('/api/v1/regions/340603001902', { session: await srv.session('admin') });
	assert.equal(still.json.name, '令牌社区', 'a revoked token changed nothing');
});

test('token add for an unknown user fails and prints no token', () => {
	const r = cliDb(srv.db, ['token', 'add', '--user', `nobody_${randomId(3)}`, '--name', 'x']);
	assert.notEqual(r.status, 0);
	assert.doesNotMatch(r.stdout, /cwt_/);
});

test('neither the session cookie nor the password is stored in clear', async () => {
	const s = await srv.session('citizen');
	const rows = srv.db.exec('SELECT * FROM sessions');
	assert.equal(rows.status, 0, rows.stderr);
	assert.ok(rows.stdout.length > 0, 'sessions are in the database');
	assert.ok(!rows.stdout.includes(s.value), 'the cookie value is not stored');
	const users = srv.db.exec('SELECT * FROM users');
	assert.ok(!users.stdout.includes(PASSWORD), 'no clear-text password');
	assert.match(users.stdout, /\$argon2id\$/, 'argon2id hashes');
});

test('the servers exit 0 on SIGTERM (no leaks under the sanitizers)', async () => {
	await Promise.all([srv.stop(), short.stop(), abs.stop()]);
});
