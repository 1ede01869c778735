// audit.test.mjs - the audit trail: who may read it, what it records (user, source,
// action, object, success, request id), filters and paging, `audit verify` on a busy
// log, the database refusing changes, and tampering being detected.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CITY, PASSWORD, XIANGNAN, assertError, cliDb, cliDbOk, randomId, startServer } from './lib.mjs';

let srv;
let auditor;
let leaderId;

before(async () => {
	srv = await startServer();
	auditor = await srv.session('auditor');
	leaderId = (await srv.session('leader')).user.id;
});

after(async () => {
	await srv?.close();
});

const rid = (what) => `e2e-${what}-${randomId(4)}`;

/* The one record with this request id (the test sent it as X-Request-Id). */
async function byRequestId(id, query = {}) {
	const all = await srv.auditAll(query);
	const recs = all.filter((r) => r.request_id === id);
	assert.equal(recs.length, 1, `one record with request_id ${id}, got ${JSON.stringify(recs)}`);
	return recs[0];
}

function checkShape(rec) {
	assert.ok(Number.isInteger(rec.seq) && rec.seq > 0, `seq: ${JSON.stringify(rec)}`);
	assert.match(rec.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, 'RFC 3339 time with offset');
	assert.ok(Math.abs(Date.parse(rec.at) - Date.now()) < 10 * 60 * 1000, `a recent time: ${rec.at}`);
	assert.match(rec.hash, /^[0-9a-f]{64}$/, 'an SM3 hex digest');
	assert.equal(typeof rec.success, 'boolean');
	for (const k of ['username', 'role', 'source', 'action', 'object', 'request_id', 'detail']) assert.equal(typeof rec[k], 'string', `${k} is a string`);
}

test('only the auditor reads the audit log (others 403, anonymous 401)', async () => {
	const ok = await srv.get('/api/v1/audit', { session: auditor });
	assert.equal(ok.status, 200, ok.text);
	assert.deepEqual(Object.keys(ok.json).sort(), ['items', 'next_cursor']);
	for (const u of ['admin', 'secadmin', 'leader', 'center', 'xs_center', 'citizen']) {
		assertError(await srv.get('/api/v1/audit', { session: await srv.session(u) }), 403, 'FORBIDDEN', undefined, `${u} reads the audit log`);
	}
	assertError(await srv.get('/api/v1/audit'), 401, 'AUTH_REQUIRED', undefined, 'anonymous');
	// An API token of the auditor works as well.
	const token = cliDbOk(srv.db, ['token', 'add', '--user', 'auditor', '--name', 'siem export']).stdout.trim();
	const t = await srv.get('/api/v1/audit?limit=1', { token });
	assert.equal(t.status, 200, t.text);
	assert.equal(t.json.items.length, 1);
});

test('the demo load and its users are in the log', async () => {
	const all = await srv.auditAll();
	const demo = all.filter((r) => r.action === 'demo.load');
	assert.equal(demo.length, 1, 'one demo.load (the second run would add none)');
	assert.ok(all.filter((r) => r.action === 'user.create').length >= 11);
	const seqs = all.map((r) => r.seq);
	assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
	assert.equal(new Set(seqs).size, seqs.length);
	assert.equal(Math.min(...seqs), 1);
	for (const r of all) checkShape(r);
});

test('sign-ins, failed sign-ins and sign-outs are recorded with user, source, object, success and request id', async () => {
	const okId = rid('login-ok');
	const s = await srv.login('leader', PASSWORD, { 'X-Request-Id': okId });
	const ok = await byRequestId(okId, { user: 'leader' });
	checkShape(ok);
	assert.equal(ok.action, 'session.login');
	assert.equal(ok.username, 'leader');
	assert.equal(ok.object, `user:${leaderId}`);
	assert.equal(ok.success, true);
	assert.equal(ok.source, '127.0.0.1');
	assert.equal(ok.role, 'leader');

	const badId = rid('login-bad');
	const wrong = 'Wrong-Secret-9876';
	assert.equal((await srv.tryLogin('leader', wrong, { 'X-Request-Id': badId })).status, 401);
	const bad = await byRequestId(badId, { user: 'leader' });
	assert.equal(bad.action, 'session.login');
	assert.equal(bad.username, 'leader');
	assert.equal(bad.object, `user:${leaderId}`);
	assert.equal(bad.success, false);
	assert.equal(bad.source, '127.0.0.1');
	assert.ok(!JSON.stringify(bad).includes(wrong), 'the attempted password is not recorded');

	const ghost = `ghost_${randomId(3)}`;
	const ghostId = rid('login-ghost');
	assert.equal((await srv.tryLogin(ghost, PASSWORD, { 'X-Request-Id': ghostId })).status, 401);
	const g = await byRequestId(ghostId);
	assert.equal(g.action, 'session.login');
	assert.equal(g.success, false);
	assert.equal(g.username, ghost);

	const outId = rid('logout');
	assert.equal((await srv.del('/api/v1/session', { session: s, headers: { 'X-Request-Id': outId } })).status, 204);
	const out = await byRequestId(outId);
	assert.equal(out.action, 'session.logout');
	assert.equal(out.username, 'leader');
	assert.equal(out.success, true);
	assert.ok(out.seq > bad.seq && bad.seq > ok.seq, 'seq follows the order of events');

	// A request id the server made up is recorded the same way.
	const r = await srv.tryLogin('leader', PASSWORD);
	const gen = r.headers['x-request-id'];
	assert.match(gen, /^[A-Za-z0-9._-]{8,64}$/);
	assert.equal((await byRequestId(gen)).action, 'session.login');
	// An unusable client id (spaces, too long) is replaced, never recorded as sent.
	for (const badRid of ['has spaces in it', 'x'.repeat(65), 'semi;colon']) {
		const x = await srv.tryLogin('leader', 'Wrong-Pass-2026', { 'X-Request-Id': badRid });
		assert.notEqual(x.headers['x-request-id'], badRid);
		const rec = await byRequestId(x.headers['x-request-id']);
		assert.equal(rec.success, false);
	}
});

test('account and region changes are recorded with the acting user and the object', async () => {
	const sec = await srv.session('secadmin');
	const admin = await srv.session('admin');
	const username = `aud_${randomId(3)}`;
	const cId = rid('user-create');
	const c = await srv.post('/api/v1/users', { session: sec, json: { username, name: '审计对象', region: CITY, roles: ['citizen'], password: PASSWORD }, headers: { 'X-Request-Id': cId } });
	assert.equal(c.status, 201, c.text);
	const uId = rid('user-update');
	assert.equal((await srv.patch(`/api/v1/users/${c.json.id}`, { session: sec, json: { name: '改名' }, headers: { 'X-Request-Id': uId } })).status, 200);
	const pId = rid('user-password');
	assert.equal((await srv.post(`/api/v1/users/${c.json.id}/password`, { session: sec, json: { password: 'Another-Pass-2028' }, headers: { 'X-Request-Id': pId } })).status, 204);
	const lId = rid('user-unlock');
	assert.equal((await srv.post(`/api/v1/users/${c.json.id}/unlock`, { session: sec, headers: { 'X-Request-Id': lId } })).status, 204);
	const rcId = rid('region-create');
	const code = '340603001980';
	assert.equal((await srv.post('/api/v1/regions', { session: admin, json: { code, name: '审计社区', parent: XIANGNAN }, headers: { 'X-Request-Id': rcId } })).status, 201);
	const g = await srv.get(`/api/v1/regions/${code}`, { session: admin });
	const rrId = rid('region-rename');
	assert.equal((await srv.patch(`/api/v1/regions/${code}`, { session: admin, json: { name: '审计社区二' }, headers: { 'If-Match': g.headers.etag, 'X-Request-Id': rrId } })).status, 200);

	for (const [id, action, object, user, role] of [
		[cId, 'user.create', `user:${c.json.id}`, 'secadmin', 'secadmin'],
		[uId, 'user.update', `user:${c.json.id}`, 'secadmin', 'secadmin'],
		[pId, 'user.password', `user:${c.json.id}`, 'secadmin', 'secadmin'],
		[lId, 'user.unlock', `user:${c.json.id}`, 'secadmin', 'secadmin'],
		[rcId, 'region.create', `region:${code}`, 'admin', 'sysadmin'],
		[rrId, 'region.rename', `region:${code}`, 'admin', 'sysadmin'],
	]) {
		const rec = await byRequestId(id);
		checkShape(rec);
		assert.equal(rec.action, action, id);
		assert.equal(rec.object, object, id);
		assert.equal(rec.username, user, id);
		assert.equal(rec.role, role, id);
		assert.equal(rec.source, '127.0.0.1', id);
		assert.equal(rec.success, true, id);
		assert.ok(!JSON.stringify(rec).includes('Another-Pass-2028') && !JSON.stringify(rec).includes(PASSWORD), 'no password in the record');
	}
	// Changes made on the command line carry their own source.
	const t = cliDbOk(srv.db, ['token', 'add', '--user', 'leader', '--name', 'audit-cli']);
	const tokenRecs = (await srv.auditAll({ action: 'token.create' })).filter((r) => r.detail.includes('audit-cli'));
	assert.equal(tokenRecs.length, 1);
	assert.equal(tokenRecs[0].source, 'local');
	assert.ok(!JSON.stringify(tokenRecs[0]).includes(t.stdout.trim()), 'the token itself is not in the log');
});

test('filters: user, action, object, success, from/to; bad values are 400 INVALID_QUERY', async () => {
	const byUser = await srv.auditAll({ user: 'leader' });
	assert.ok(byUser.length >= 3);
	assert.ok(byUser.every((r) => r.username === 'leader'));
	const byAction = await srv.auditAll({ action: 'session.login' });
	assert.ok(byAction.length >= 3);
	assert.ok(byAction.every((r) => r.action === 'session.login'));
	const obj = `user:${leaderId}`;
	const byObject = await srv.auditAll({ object: obj });
	assert.ok(byObject.length >= 3);
	assert.ok(byObject.every((r) => r.object === obj));
	const failures = await srv.auditAll({ success: 'false' });
	assert.ok(failures.length >= 2);
	assert.ok(failures.every((r) => r.success === false));
	const successes = await srv.auditAll({ success: 'true' });
	assert.ok(successes.every((r) => r.success === true));
	const all = await srv.auditAll();
	assert.equal(failures.length + successes.length, all.length, 'true and false partition the log');
	const combo = await srv.auditAll({ user: 'leader', action: 'session.login', success: 'false' });
	assert.ok(combo.length >= 1);
	assert.ok(combo.every((r) => r.username === 'leader' && r.action === 'session.login' && !r.success));
	assert.deepEqual(await srv.auditAll({ user: `nobody_${randomId(3)}` }), []);

	// Time range: [from, to).
	const mid = all[Math.floor(all.length / 2)];
	const from = await srv.auditAll({ from: mid.at });
	assert.ok(from.length > 0 && from.every((r) => Date.parse(r.at) >= Date.parse(mid.at)));
	assert.ok(from.some((r) => r.seq === mid.seq));
	const to = await srv.auditAll({ to: mid.at });
	assert.ok(to.every((r) => Date.parse(r.at) < Date.parse(mid.at)));
	assert.equal(from.length + to.length, all.length, 'from and to split the log at the same instant');
	const future = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
	assert.deepEqual(await srv.auditAll({ from: future }), []);

	for (const [q, field] of [
		[{ success: 'maybe' }, 'success'],
		[{ from: 'yesterday' }, 'from'],
		[{ to: '2026-13-45T99:00:00Z' }, 'to'],
		[{ limit: '0' }, 'limit'],
		[{ limit: '201' }, 'limit'],
		[{ cursor: 'abc' }, 'cursor'],
		[{ cursor: '-5' }, 'cursor'],
	]) {
		assertError(await srv.audit(q), 400, 'INVALID_QUERY', field, JSON.stringify(q));
	}
});

test('cursor paging walks the whole log newest first without duplicates or gaps', async () => {
	const all = await srv.auditAll();
	const pages = [];
	let cursor = null;
	for (let i = 0; i < 1000; i++) {
		const r = await srv.audit({ limit: '7', ...(cursor ? { cursor } : {}) });
		assert.equal(r.status, 200, r.text);
		assert.ok(r.json.items.length <= 7);
		pages.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null) break;
		assert.equal(r.json.items.length, 7);
	}
	assert.equal(cursor, null);
	// Records written while paging (none here) would only appear before the first page.
	assert.deepEqual(pages.map((r) => r.seq), all.map((r) => r.seq));
	assert.deepEqual(pages, all);
	const seqs = pages.map((r) => r.seq);
	for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] - 1, 'consecutive seq: no gaps');
	// A filtered walk pages the same way.
	const logins = await srv.auditAll({ action: 'session.login' });
	const walked = [];
	cursor = null;
	do {
		const r = await srv.audit({ action: 'session.login', limit: '2', ...(cursor ? { cursor } : {}) });
		walked.push(...r.json.items);
		cursor = r.json.next_cursor;
	} while (cursor !== null);
	assert.deepEqual(walked, logins);
});

test('`audit verify` finds the chain intact after many concurrent writes', async () => {
	const admin = cliDbOk(srv.db, ['token', 'add', '--user', 'admin', '--name', 'busy']).stdout.trim();
	const work = [];
	for (let i = 0; i < 8; i++) {
		work.push(srv.tryLogin('citizen', i % 2 ? PASSWORD : 'Wrong-Pass-2026'));
		work.push(srv.tryLogin(`ghost_${i}`, PASSWORD));
		work.push(srv.post('/api/v1/regions', { token: admin, json: { code: `3406030019${String(60 + i).padStart(2, '0')}`, name: `并发社区${i}`, parent: XIANGNAN } }));
	}
	const res = await Promise.all(work);
	for (const r of res) assert.ok([200, 201, 401].includes(r.status), r.text);
	const all = await srv.auditAll();
	const v = cliDbOk(srv.db, ['audit', 'verify']);
	assert.match(v.stdout, /audit chain intact: (\d+) records/);
	const n = Number(/intact: (\d+)/.exec(v.stdout)[1]);
	assert.ok(n >= all.length, `verify counted ${n}, the API lists ${all.length}`);
	assert.equal(all[0].seq, all.length, 'seq has no gaps');
	assert.equal(new Set(all.map((r) => r.hash)).size, all.length, 'every record has its own hash');
});

test('the server exits 0 on SIGTERM (no leaks under the sanitizers)', async () => {
	await srv.stop();
	cliDbOk(srv.db, ['audit', 'verify']);
});

/* Tampering happens with the server stopped, straight in the database. */
function tamper(sql) {
	const db = srv.db;
	if (db.kind === 'sqlite') {
		const t = db.exec("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'");
		assert.equal(t.status, 0, t.stderr);
		const drops = t.stdout
			.split('\n')
			.filter(Boolean)
			.map((n) => `DROP TRIGGER "${n}";`)
			.join(' ');
		const r = db.exec(`${drops} ${sql}`);
		assert.equal(r.status, 0, r.stderr);
	} else {
		const r = db.exec(`BEGIN; ALTER TABLE audit DISABLE TRIGGER ALL; ${sql}; ALTER TABLE audit ENABLE TRIGGER ALL; COMMIT;`);
		assert.equal(r.status, 0, r.stderr);
	}
}

test('the database itself refuses UPDATE, DELETE and TRUNCATE of audit records', () => {
	const db = srv.db;
	const stmts = ["UPDATE audit SET detail = 'x' WHERE seq = 3", 'DELETE FROM audit WHERE seq = 3', 'DELETE FROM audit'];
	if (db.kind === 'postgres') stmts.push('TRUNCATE audit');
	for (const sql of stmts) {
		const r = db.exec(sql);
		assert.notEqual(r.status, 0, `${sql} must fail`);
		assert.match(r.stderr, /append-only/i, `${sql}: ${r.stderr}`);
	}
	const v = cliDbOk(db, ['audit', 'verify']);
	assert.match(v.stdout, /audit chain intact/);
});

test('deleting the newest records is detected by `audit verify`', () => {
	const before = /intact: (\d+)/.exec(cliDbOk(srv.db, ['audit', 'verify']).stdout)[1];
	const n = Number(before);
	tamper(`DELETE FROM audit WHERE seq >= ${n - 1}`);
	const v = cliDb(srv.db, ['audit', 'verify']);
	assert.equal(v.status, 1, `verify after cutting off the last two records: ${v.stdout}${v.stderr}`);
	assert.match(v.stdout, /audit chain BROKEN/);
});

test('deleting a record in the middle is detected and named', () => {
	tamper('DELETE FROM audit WHERE seq = 5');
	const v = cliDb(srv.db, ['audit', 'verify']);
	assert.equal(v.status, 1, `${v.stdout}${v.stderr}`);
	assert.match(v.stdout, /audit chain BROKEN at record 5\b/);
});

test('changing record 3 is detected: `audit verify` exits 1 naming record 3', () => {
	tamper("UPDATE audit SET detail = 'x' WHERE seq = 3");
	const v = cliDb(srv.db, ['audit', 'verify']);
	assert.equal(v.status, 1, `${v.stdout}${v.stderr}`);
	assert.match(v.stdout, /audit chain BROKEN at record 3: \S/);
	assert.doesNotMatch(v.stdout, /intact/);
});
