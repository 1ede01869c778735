// ops.test.mjs - what operators rely on: /healthz, /metrics, request ids, the access
// log (and what it must never contain), languages, draining on SIGTERM, and the
// command line (migrate, demo, -h, bad arguments).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { BACKEND, BIN, PASSWORD, SANITIZED, SHARED_DATA, SLOW, XIANGNAN, cli, cliDb, cliDbOk, makeDb, rawRequest, request, sleep, startServer } from './lib.mjs';

let srv;
const secrets = new Set([PASSWORD]);

before(async () => {
	srv = await startServer();
});

after(async () => {
	await srv?.close();
});

/* Parses Prometheus text: a map from "name{labels}" to the number. */
async function metrics() {
	const r = await srv.get('/metrics');
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers['content-type'], /^text\/plain/);
	const m = new Map();
	for (const line of r.text.split('\n')) {
		if (!line || line.startsWith('#')) continue;
		const i = line.lastIndexOf(' ');
		m.set(line.slice(0, i), Number(line.slice(i + 1)));
	}
	return { text: r.text, m };
}

const counter = (m, route, status) => m.get(`civicgrid_http_requests_total{route="${route}",status="${status}"}`) ?? 0;

test('/healthz answers 200 ok (GET and HEAD)', async () => {
	const r = await srv.get('/healthz');
	assert.equal(r.status, 200);
	assert.equal(r.text.trim(), 'ok');
	assert.match(r.headers['content-type'], /^text\/plain/);
	const h = await srv.req('HEAD', '/healthz');
	assert.equal(h.status, 200);
	assert.equal(h.text, '');
});

test('/metrics: request counters grow, the duration histogram is cumulative, open connections are counted', async () => {
	const before = (await metrics()).m;
	for (let i = 0; i < 3; i++) assert.equal((await srv.get('/healthz')).status, 200);
	assert.equal((await srv.get('/api/v1/session')).status, 401);
	assert.equal((await srv.get('/api/v1/no-such-thing-label')).status, 404);
	const { text, m } = await metrics();
	assert.match(text, /# TYPE civicgrid_http_requests_total counter/);
	assert.match(text, /# TYPE civicgrid_http_request_duration_seconds histogram/);
	assert.match(text, /# TYPE civicgrid_http_open_connections gauge/);
	assert.equal(counter(m, 'GET /healthz', 200) - counter(before, 'GET /healthz', 200), 3, 'three more GET /healthz 200');
	assert.equal(counter(m, 'GET /api/v1/session', 401) - counter(before, 'GET /api/v1/session', 401), 1);
	assert.doesNotMatch(text, /no-such-thing-label/, 'unknown paths do not become label values');
	// The gate (docs/configuration.md, `active`) is open by default: nothing counted.
	assert.equal(m.get('civicgrid_gate_width'), 0);
	assert.equal(m.get('civicgrid_gate_entries_total'), 0);

	// The histogram of GET /healthz: buckets never decrease, +Inf equals _count.
	const prefix = 'civicgrid_http_request_duration_seconds_bucket{route="GET /healthz",le="';
	const buckets = [...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length, -2), v]);
	assert.ok(buckets.length >= 5, `buckets: ${JSON.stringify(buckets)}`);
	for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i][1] >= buckets[i - 1][1], 'cumulative buckets');
	assert.equal(buckets.at(-1)[0], '+Inf');
	const count = m.get('civicgrid_http_request_duration_seconds_count{route="GET /healthz"}');
	assert.equal(buckets.at(-1)[1], count);
	const total = [...m].filter(([k]) => k.startsWith('civicgrid_http_requests_total{route="GET /healthz",')).reduce((a, [, v]) => a + v, 0);
	assert.equal(count, total, 'one observation per answered request');
	assert.ok(m.get('civicgrid_http_request_duration_seconds_sum{route="GET /healthz"}') > 0);

	// Three idle keep-alive connections show in the gauge, and leave it when closed.
	const open0 = m.get('civicgrid_http_open_connections');
	assert.ok(open0 >= 1, 'at least the connection asking');
	const socks = await Promise.all(
		[0, 1, 2].map(
			() =>
				new Promise((resolve, reject) => {
					const s = net.connect({ host: '127.0.0.1', port: srv.port }, () => {
						s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
					});
					s.once('data', () => resolve(s));
					s.on('error', reject);
				}),
		),
	);
	const open3 = (await metrics()).m.get('civicgrid_http_open_connections');
	assert.ok(open3 >= open0 + 3, `open connections ${open0} → ${open3} with three more`);
	for (const s of socks) s.destroy();
	let open = open3;
	for (let i = 0; i < 100 && open > open3 - 3; i++) {
		await sleep(50);
		open = (await metrics()).m.get('civicgrid_http_open_connections');
	}
	assert.ok(open <= open3 - 3, `closed connections leave the gauge: ${open3} → ${open}`);
});

test('X-Request-Id: a sane one is echoed, others replaced; every response has one, unique', async () => {
	for (const id of ['abc-123.XYZ_9', 'a', 'x'.repeat(64), 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6']) {
		const r = await srv.get('/healthz', { headers: { 'X-Request-Id': id } });
		assert.equal(r.headers['x-request-id'], id);
	}
	for (const id of ['has space', 'x'.repeat(65), 'semi;colon', 'quote"d', '']) {
		const r = await srv.get('/healthz', { headers: { 'X-Request-Id': id } });
		assert.notEqual(r.headers['x-request-id'], id, JSON.stringify(id));
		assert.match(r.headers['x-request-id'], /^[A-Za-z0-9._-]{8,64}$/);
	}
	// Bytes no HTTP client library would send.
	const raw = await rawRequest(srv.port, Buffer.from('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: 中文\r\nConnection: close\r\n\r\n'));
	assert.equal(raw.status, 200);
	assert.match(raw.headers['x-request-id'], /^[A-Za-z0-9._-]{8,64}$/);
	const seen = new Set();
	for (const [method, path] of [
		['GET', '/healthz'],
		['GET', '/metrics'],
		['GET', '/api/v1/session'],
		['GET', '/api/v1/nothing'],
		['PUT', '/api/v1/session'],
		['POST', '/api/v1/session'],
		['GET', '/api/v1/regions/340600000000'],
	]) {
		const r = await srv.req(method, path);
		const id = r.headers['x-request-id'];
		assert.match(id || '', /^[A-Za-z0-9._-]{8,64}$/, `${method} ${path}`);
		assert.ok(!seen.has(id), 'generated ids differ');
		seen.add(id);
	}
	// Client ids reach the access log.
	await srv.get('/healthz', { headers: { 'X-Request-Id': 'ops-rid-42' } });
	assert.ok(await srv.waitForLog((e) => /access rid=ops-rid-42 ip=127\.0\.0\.1 method=GET path=\/healthz status=200/.test(e)), 'access log line with the request id');
});

test('the access log has one line per request with who, what and how it ended', async () => {
	const s = await srv.login('leader', PASSWORD, { 'X-Request-Id': 'ops-login-1' });
	secrets.add(s.value).add(s.csrf);
	await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: s, headers: { 'X-Request-Id': 'ops-get-1' } });
	await srv.get('/api/v1/regions/340699000000', { session: s, headers: { 'X-Request-Id': 'ops-get-2' } });
	await srv.waitForLog((e) => e.includes('rid=ops-get-2 '));
	const log = srv.accessLog();
	const one = (rid) => {
		const l = log.filter((x) => x.rid === rid);
		assert.equal(l.length, 1, `one access line for ${rid}`);
		return l[0];
	};
	const login = one('ops-login-1');
	assert.equal(login.method, 'POST');
	assert.equal(login.path, '/api/v1/session');
	assert.equal(login.status, '200');
	assert.equal(login.ip, '127.0.0.1');
	assert.match(login.ms, /^\d+(\.\d+)?$/);
	const g1 = one('ops-get-1');
	assert.equal(g1.status, '200');
	assert.equal(g1.user, 'leader');
	assert.equal(g1.path, `/api/v1/regions/${XIANGNAN}`);
	const g2 = one('ops-get-2');
	assert.equal(g2.status, '404');
	assert.equal(g2.code, 'REGION_NOT_FOUND');
});

test('secrets never reach the log: passwords, cookies, CSRF and API tokens, query strings; no forged lines', async () => {
	const s = await srv.login('secadmin');
	secrets.add(s.value).add(s.csrf);
	const token = cliDbOk(srv.db, ['token', 'add', '--user', 'admin', '--name', 'ops']).stdout.trim();
	secrets.add(token);
	assert.equal((await srv.get('/api/v1/session', { token })).status, 200);
	const newPw = 'Brand-New-Pass-77';
	secrets.add(newPw);
	const users = await srv.get('/api/v1/users?limit=200', { session: s });
	const citizen = users.json.items.find((u) => u.username === 'citizen');
	assert.equal((await srv.post(`/api/v1/users/${citizen.id}/password`, { session: s, json: { password: newPw } })).status, 204);
	await srv.tryLogin('citizen', 'Wrong-Guess-1234');
	secrets.add('Wrong-Guess-1234');
	await srv.get(`/api/v1/regions?parent=${XIANGNAN}&api_key=hunter2-secret`, { token });
	secrets.add('hunter2-secret');
	await srv.tryLogin(`user_${'Typed-Password-As-Name'}`, PASSWORD);
	// A path made to look like a second log line.
	await srv.get('/api/v1/x%0Aaccess%20rid=forged%20ip=6.6.6.6');
	await srv.get('/api/v1/y%0D%0A2026-01-01%20INFO%20access%20rid=forged2');
	await srv.waitForLog((e) => e.includes('forged2'));
	const err = srv.stderr;
	for (const secret of secrets) assert.ok(!err.includes(secret), `the log contains a secret (${secret.slice(0, 4)}…)`);
	for (const line of err.split('\n')) {
		assert.doesNotMatch(line, /^access rid=forged/, 'a forged line');
		assert.doesNotMatch(line, /^\S+ INFO access rid=forged/, 'a forged line');
	}
	assert.ok(err.split('\n').filter((l) => l.includes('access rid=')).every((l) => /^\S+ \w+ access rid=/.test(l)), 'every access line starts as the server writes it');
});

test('messages follow Accept-Language; the code does not', async () => {
	const cases = [
		[undefined, 'zh'],
		['en', 'en'],
		['EN', 'en'],
		['en-US,en;q=0.9', 'en'],
		['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
		['fr-FR', 'zh'],
		['en;q=0, zh', 'zh'],
		['de;q=1, en;q=0.5', 'en'],
	];
	for (const [al, want] of cases) {
		const r = await srv.get('/api/v1/session', { headers: al ? { 'Accept-Language': al } : {} });
		assert.equal(r.json.code, 'AUTH_REQUIRED');
		const zh = /[\u4e00-\u9fff]/.test(r.json.message);
		assert.equal(zh ? 'zh' : 'en', want, `Accept-Language ${al}: ${r.json.message}`);
	}
	const en = await srv.tryLogin('leader', 'Wrong-Pass-2026', { 'Accept-Language': 'en' });
	assert.equal(en.json.code, 'AUTH_FAILED');
	assert.match(en.json.message, /password/i);
});

test('API replies are not cached and carry the usual protective headers', async () => {
	const s = await srv.session('leader');
	const r = await srv.get('/api/v1/session', { session: s });
	assert.match(r.headers['cache-control'] || '', /no-store/);
	assert.equal(r.headers['x-content-type-options'], 'nosniff');
	assert.match(r.headers['content-type'], /^application\/json; charset=utf-8/i);
});

test('`migrate` prints the schema version and is idempotent', async () => {
	const db = makeDb();
	try {
		const a = cliDbOk(db, ['migrate']);
		const m = /schema version (\d+)/.exec(a.stdout);
		assert.ok(m, a.stdout);
		assert.ok(Number(m[1]) >= 1);
		const b = cliDbOk(db, ['migrate']);
		assert.match(b.stdout, new RegExp(`schema version ${m[1]}\\b`));
		// The server's migrated database is at the same version.
		assert.match(cliDbOk(srv.db, ['migrate']).stdout, new RegExp(`schema version ${m[1]}\\b`));
	} finally {
		db.drop();
	}
});

test('`demo` a second time adds nothing and leaves the audit log as it was', async () => {
	// The first run here resets the citizen's password changed above (and audits that).
	const first = cliDbOk(srv.db, ['demo', '--password', PASSWORD, '--shared-data', SHARED_DATA]);
	assert.match(first.stdout, /0 regions and 0 department units added/);
	await srv.login('citizen');
	const before = /intact: (\d+)/.exec(cliDbOk(srv.db, ['audit', 'verify']).stdout)[1];
	const r = cliDbOk(srv.db, ['demo', '--password', PASSWORD, '--shared-data', SHARED_DATA]);
	assert.match(r.stdout, /0 regions and 0 department units added/);
	const after = /intact: (\d+)/.exec(cliDbOk(srv.db, ['audit', 'verify']).stdout)[1];
	assert.equal(after, before, 'no audit records from a no-op demo run');
	await srv.login('leader');
	// Without reference data it says where to put it.
	const bad = cliDb(srv.db, ['demo', '--password', PASSWORD, '--shared-data', '/nonexistent-dir']);
	assert.notEqual(bad.status, 0);
	assert.match(bad.stderr, /nonexistent-dir|shared-data|reference data/);
});

test('every command answers -h with its usage and exit 0; unknown commands and options fail', () => {
	for (const args of [['-h'], ['--help'], ['serve', '-h'], ['demo', '-h'], ['user', '-h'], ['user', 'add', '-h'], ['token', '-h'], ['audit', '-h'], ['migrate', '-h']]) {
		const r = cli(args);
		assert.equal(r.status, 0, `civicgrid ${args.join(' ')}: ${r.stderr}`);
		assert.match(r.stdout, /usage/i, `civicgrid ${args.join(' ')} prints a usage`);
	}
	const top = cli(['-h']).stdout;
	for (const c of ['serve', 'demo', 'user', 'token', 'audit', 'migrate']) assert.match(top, new RegExp(`\\b${c}\\b`));
	for (const args of [[], ['frobnicate'], ['serve', '--no-such-option'], ['migrate', '--db'], ['serve', '--threads', 'many'], ['serve', '--active', '-1'], ['serve', '--active', '300'], ['serve', '--session-idle', 'forever']]) {
		const r = cli(args);
		assert.notEqual(r.status, 0, `civicgrid ${args.join(' ')} should fail`);
		assert.ok(r.stderr.length > 0, `civicgrid ${args.join(' ')} says why`);
	}
});

test('serve refuses a busy port or an unusable database with a message, not a hang', () => {
	const busy = cli(['serve', '--listen', `127.0.0.1:${srv.port}`, '--db', srv.db.url, '--threads', '2'], { timeout: 20000 * SLOW });
	assert.notEqual(busy.status, 0, 'a port in use');
	assert.equal(busy.signal, null, 'exited by itself');
	assert.ok(busy.stderr.length > 0);
	const nodb = cli(['serve', '--listen', '127.0.0.1:0', '--db', 'sqlite:/nonexistent-dir/x/y.db'], { timeout: 20000 * SLOW });
	assert.notEqual(nodb.status, 0, 'a database that cannot be opened');
	assert.equal(nodb.signal, null);
	assert.match(nodb.stderr, /store|database|open/i);
	const badurl = cli(['serve', '--listen', '127.0.0.1:0', '--db', 'mysql://x']);
	assert.notEqual(badurl.status, 0);
});

test('the server exits 0 on SIGTERM (no leaks under the sanitizers)', async () => {
	await srv.stop();
});

test('SIGTERM drains: a sign-in in flight and 50 concurrent requests get their answers, then exit 0', async () => {
	// The production hash cost (lib.mjs lowers it for the other tests), so that the
	// sign-in below is still being hashed when the signal comes.
	const s2 = await startServer({ threads: 4, env: { CW_PASSWORD_HASH_COST: 'interactive' } });
	try {
		const token = cliDbOk(s2.db, ['token', 'add', '--user', 'admin', '--name', 'drain']).stdout.trim();
		// argon2id makes a sign-in the slowest request there is: it is in flight
		// when the signal comes.
		const login = request(s2.port, 'POST', '/api/v1/session', { json: { username: 'leader', password: PASSWORD } });
		const reqs = [];
		for (let i = 0; i < 50; i++) {
			const path = i % 2 ? '/healthz' : `/api/v1/regions/${XIANGNAN}`;
			reqs.push(request(s2.port, 'GET', path, { headers: { Authorization: `Bearer ${token}` } }));
		}
		await Promise.race(reqs);
		await sleep(SANITIZED ? 100 : 20);
		s2.proc.kill('SIGTERM');
		const [l, ...rest] = await Promise.allSettled([login, ...reqs]);
		assert.equal(l.status, 'fulfilled', `the sign-in in flight: ${l.reason}`);
		assert.equal(l.value.status, 200, `the sign-in in flight: ${l.value.text}`);
		assert.ok(l.value.setCookies.some((c) => c.startsWith('cw_session=')));
		const answered = rest.filter((x) => x.status === 'fulfilled').map((x) => x.value);
		assert.ok(answered.length >= 1, 'some requests were answered');
		for (const r of answered) assert.equal(r.status, 200, `an answered request during the drain: ${r.status} ${r.text}`);
		for (const x of rest.filter((y) => y.status === 'rejected')) assert.match(String(x.reason?.code || x.reason), /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/, 'refused, not half-answered');
		await s2.stop();
		// Every answered request is in the access log.
		assert.ok(s2.accessLog().filter((x) => x.status === '200').length >= answered.length + 1);
		// And nothing after the drain: the port is closed.
		await assert.rejects(request(s2.port, 'GET', '/healthz', { timeout: 3000 }));
	} finally {
		await s2.close();
	}
});

test('--active 1: one request at work at a time, and sign-ins, writes and reads at once all finish', async () => {
	const s2 = await startServer({ threads: 8, args: ['--active', '1'] });
	try {
		const token = cliDbOk(s2.db, ['token', 'add', '--user', 'center', '--name', 'gate']).stdout.trim();
		const auth = { Authorization: `Bearer ${token}` };
		const reqs = [];
		// A sign-in hashes its password out of the gate; a create waits for its commit
		// out of it: neither holds the one place while the others wait.
		for (let i = 0; i < 4; i++) reqs.push(request(s2.port, 'POST', '/api/v1/session', { json: { username: 'leader', password: PASSWORD } }));
		for (let i = 0; i < 8; i++) {
			reqs.push(request(s2.port, 'POST', '/api/v1/cases', { headers: auth,
				json: { kind: 'event', category: '06010', title: `闸门测试 ${i}`, region: XIANGNAN } }));
		}
		for (let i = 0; i < 24; i++) reqs.push(request(s2.port, 'GET', i % 2 ? '/healthz' : `/api/v1/regions/${XIANGNAN}`, { headers: auth }));
		const rs = await Promise.all(reqs);
		rs.slice(0, 4).forEach((r) => assert.equal(r.status, 200, r.text));
		rs.slice(4, 12).forEach((r) => assert.equal(r.status, 201, r.text));
		rs.slice(12).forEach((r) => assert.equal(r.status, 200, r.text));
		const list = await request(s2.port, 'GET', `/api/v1/cases?q=${encodeURIComponent('闸门测试')}&limit=50`, { headers: auth });
		assert.equal(list.status, 200, list.text);
		assert.equal(list.json.items.length, 8, 'the eight cases, each once');
		const m = await request(s2.port, 'GET', '/metrics');
		assert.match(m.text, /^civicgrid_gate_width 1$/m);
		const entries = Number(/^civicgrid_gate_entries_total (\d+)$/m.exec(m.text)[1]);
		const queued = Number(/^civicgrid_gate_queued_total (\d+)$/m.exec(m.text)[1]);
		// Each request enters once, and again after each wait it stepped out for.
		assert.ok(entries >= 37, `entries ${entries}`);
		assert.ok(queued <= entries, `queued ${queued} of ${entries}`);
	} finally {
		await s2.close();
	}
});

test('a second server on the same database sees the same sessions (sessions live in the store)', async () => {
	const a = await startServer();
	let b;
	try {
		// The second one stands behind TLS: its cookies are Secure.
		b = await startServer({ db: a.db, args: ['--secure-cookies'] });
		const s = await a.login('leader');
		const sb = await b.login('leader');
		assert.ok(sb.setCookie.split(';').map((x) => x.trim().toLowerCase()).includes('secure'), `--secure-cookies: ${sb.setCookie}`);
		assert.ok(!s.setCookie.toLowerCase().includes('secure'));
		assert.equal((await a.get('/api/v1/session', { session: sb })).status, 200);
		const r = await b.get('/api/v1/session', { session: s });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.user.username, 'leader');
		assert.equal((await b.del('/api/v1/session', { session: s })).status, 204);
		assert.equal((await a.get('/api/v1/session', { session: s })).status, 401, 'signed out everywhere');
		await b.stop();
		await a.stop();
	} finally {
		await b?.close();
		await a.close();
	}
});

// Keep BIN referenced for readers: the binary under test.
assert.ok(BIN);
