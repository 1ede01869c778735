// badinput.test.mjs - every class of bad input gets its status and error code (and
// field), changes nothing, shows no internals, and leaves the server answering.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { SANITIZED, XIANGNAN, assertError, assertNoInternals, rawRequest, startServer } from './lib.mjs';

const MAX_BODY = 4096;
let srv;
let admin;
let sec;
let state; // what must not change

before(async () => {
	srv = await startServer({ args: ['--max-body', String(MAX_BODY)] });
	admin = await srv.session('admin');
	sec = await srv.session('secadmin');
	await srv.session('auditor');
	state = await snapshot();
});

after(async () => {
	await srv?.close();
});

/* The newest audit record, the children of 相南街道 and the accounts: a refused
 * request changes none of them. */
async function snapshot() {
	const a = await srv.audit({ limit: '1' });
	assert.equal(a.status, 200, a.text);
	const kids = await srv.get(`/api/v1/regions?parent=${XIANGNAN}&limit=200`, { session: admin });
	const users = await srv.get('/api/v1/users?limit=200', { session: sec });
	const town = await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: admin });
	return { seq: a.json.items[0].seq, kids: kids.json, users: users.json, town: town.json, etag: town.headers.etag };
}

async function assertHealthyAndUnchanged(what) {
	const h = await srv.get('/healthz');
	assert.equal(h.status, 200, `${what}: /healthz afterwards → ${h.status} ${h.text}`);
	assert.equal(h.text.trim(), 'ok');
	assert.ok(srv.running, `${what}: the server is still running`);
	assert.deepEqual(await snapshot(), state, `${what}: nothing changed`);
}

/* assertError plus: an X-Request-Id on the reply, the server healthy, nothing changed. */
async function bad(res, status, code, field, what) {
	assertError(res, status, code, field, what);
	assert.match(res.headers['x-request-id'] || '', /^[A-Za-z0-9._-]{1,64}$/, `${what}: X-Request-Id`);
	await assertHealthyAndUnchanged(what);
}

const createRegion = (opts) => srv.post('/api/v1/regions', { session: admin, ...opts });
const JSON_CT = { 'Content-Type': 'application/json' };

test('malformed JSON is 400 INVALID_JSON', async () => {
	for (const body of ['{"code": "3406', '{"code":"340603001990",}', '{code: 1}', '', '   ', '{"a":1}{"b":2}', '\u0000', 'nul', '{"name":"\\x41"}']) {
		await bad(await createRegion({ body, headers: JSON_CT }), 400, 'INVALID_JSON', undefined, `body ${JSON.stringify(body)}`);
	}
	await bad(await srv.post('/api/v1/session', { body: '{"username":"admin","password":', headers: JSON_CT }), 400, 'INVALID_JSON', undefined, 'truncated login');
	// A JSON value that is not an object.
	for (const body of ['null', '[]', '"text"', '42', 'true']) {
		const r = await createRegion({ body, headers: JSON_CT });
		assert.equal(r.status, 400, `${body}: ${r.text}`);
		assert.ok(['NOT_AN_OBJECT', 'INVALID_JSON'].includes(r.json.code), r.text);
		await bad(r, 400, r.json.code, undefined, `body ${body}`);
	}
});

test('wrong types are 400 INVALID_FIELD with the field named', async () => {
	const cases = [
		['/api/v1/session', { username: 1, password: 'x' }, 'username'],
		['/api/v1/session', { username: 'admin', password: true }, 'password'],
		['/api/v1/session', { username: ['admin'], password: 'x' }, 'username'],
		['/api/v1/session', { username: 'admin', password: null }, 'password'],
		['/api/v1/regions', { code: 340603001990, name: '类型', parent: XIANGNAN }, 'code'],
		['/api/v1/regions', { code: '340603001990', name: { zh: '类型' }, parent: XIANGNAN }, 'name'],
		['/api/v1/regions', { code: '340603001990', name: '类型', parent: 3406 }, 'parent'],
		['/api/v1/users', { username: 'typed', name: '类型', region: XIANGNAN, roles: ['citizen'], department: '1' }, 'department'],
		['/api/v1/users', { username: 'typed', name: '类型', region: XIANGNAN, roles: ['citizen'], department: 1.5 }, 'department'],
	];
	for (const [path, json, field] of cases) {
		const r = await srv.post(path, { session: path === '/api/v1/users' ? sec : admin, json });
		if (json.password === null && r.json?.code === 'MISSING_FIELD') {
			// null for a required field may read as missing.
			await bad(r, 400, 'MISSING_FIELD', field, `${path} ${JSON.stringify(json)}`);
			continue;
		}
		await bad(r, 400, 'INVALID_FIELD', field, `${path} ${JSON.stringify(json)}`);
	}
	const g = await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: admin });
	await bad(await srv.patch(`/api/v1/regions/${XIANGNAN}`, { session: admin, json: { name: 12 }, headers: { 'If-Match': g.headers.etag } }), 400, 'INVALID_FIELD', 'name', 'PATCH name 12');
});

test('unknown fields are 400 UNKNOWN_FIELD with the field named', async () => {
	await bad(await srv.post('/api/v1/session', { json: { username: 'admin', password: 'x', remember: true } }), 400, 'UNKNOWN_FIELD', 'remember', 'login + remember');
	await bad(await createRegion({ json: { code: '340603001990', name: '多余', parent: XIANGNAN, level: 'village' } }), 400, 'UNKNOWN_FIELD', 'level', 'region + level');
	await bad(await srv.post('/api/v1/users', { session: sec, json: { username: 'extra1', name: '多余', region: XIANGNAN, roles: ['citizen'], is_admin: true } }), 400, 'UNKNOWN_FIELD', 'is_admin', 'user + is_admin');
	const g = await srv.get(`/api/v1/regions/${XIANGNAN}`, { session: admin });
	await bad(await srv.patch(`/api/v1/regions/${XIANGNAN}`, { session: admin, json: { name: '改', code: '340603001991' }, headers: { 'If-Match': g.headers.etag } }), 400, 'UNKNOWN_FIELD', 'code', 'PATCH code');
	// A field name that is itself odd is refused without being echoed unsafely.
	const r = await createRegion({ body: '{"code":"340603001990","name":"x","parent":"340603001000","\\u0000evil":1}', headers: JSON_CT });
	assert.equal(r.status, 400, r.text);
	await bad(r, 400, r.json.code, undefined, 'a key with NUL');
});

test('missing required fields are 400 MISSING_FIELD with the field named', async () => {
	await bad(await srv.post('/api/v1/session', { json: { username: 'admin' } }), 400, 'MISSING_FIELD', 'password', 'login without password');
	await bad(await srv.post('/api/v1/session', { json: { password: 'x' } }), 400, 'MISSING_FIELD', 'username', 'login without username');
	await bad(await srv.post('/api/v1/session', { json: {} }), 400, 'MISSING_FIELD', undefined, 'login {}');
	await bad(await createRegion({ json: { code: '340603001990', parent: XIANGNAN } }), 400, 'MISSING_FIELD', 'name', 'region without name');
	await bad(await createRegion({ json: { name: '无代码', parent: XIANGNAN } }), 400, 'MISSING_FIELD', 'code', 'region without code');
	await bad(await srv.post('/api/v1/users', { session: sec, json: { username: 'noroles', name: '无角色', region: XIANGNAN } }), 400, 'MISSING_FIELD', 'roles', 'user without roles');
});

test(`bodies over --max-body ${MAX_BODY} are 413 PAYLOAD_TOO_LARGE; exactly the limit is read`, async () => {
	const body = (n) => {
		const base = JSON.stringify({ code: '340603001990', name: '边界社区', parent: XIANGNAN });
		return base.slice(0, -1) + ' '.repeat(n - Buffer.byteLength(base)) + '}';
	};
	assert.equal(Buffer.byteLength(body(MAX_BODY)), MAX_BODY);
	await bad(await createRegion({ body: body(MAX_BODY + 1), headers: JSON_CT }), 413, 'PAYLOAD_TOO_LARGE', undefined, `${MAX_BODY + 1} bytes`);
	await bad(await srv.post('/api/v1/session', { body: JSON.stringify({ username: 'admin', password: 'x'.repeat(10000) }), headers: JSON_CT }), 413, 'PAYLOAD_TOO_LARGE', undefined, 'a long password');

	// A Content-Length that promises too much is refused before the body is sent.
	const big = await rawRequest(srv.port, Buffer.from(`POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n{`));
	assert.equal(big.status, 413, `Content-Length 10^12: ${big.status} ${big.text}`);
	assert.equal(big.json?.code, 'PAYLOAD_TOO_LARGE');
	// Chunked, with no length up front: the running total decides.
	const chunk = 'x'.repeat(1000);
	let chunked = `POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
	for (let i = 0; i < 6; i++) chunked += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
	chunked += '0\r\n\r\n';
	const c = await rawRequest(srv.port, Buffer.from(chunked));
	assert.equal(c.status, 413, `chunked 6000 bytes: ${c.status} ${c.text}`);
	assert.equal(c.json?.code, 'PAYLOAD_TOO_LARGE');
	await assertHealthyAndUnchanged('oversized bodies');


	// Exactly max_body bytes is an ordinary request.
	const ok = await createRegion({ body: body(MAX_BODY), headers: JSON_CT });
	assert.equal(ok.status, 201, `${MAX_BODY} bytes: ${ok.text}`);
	state = await snapshot();
});

test('a client that sends an oversized body in full still reads the 413 (no connection reset)', async () => {
	// A phone uploading a photo over the limit sends it whole and reads the answer
	// afterwards. The server may answer early, but must then drain the body or
	// linger before closing: closing with the upload still arriving resets the
	// connection and throws the 413 away. The body goes in 16 pieces 20 ms apart.
	const mib = Buffer.from(JSON.stringify({ code: '340603001990', name: 'x'.repeat(1 << 20), parent: XIANGNAN }));
	const head = Buffer.from(`POST /api/v1/regions HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${admin.cookie}\r\nX-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nContent-Length: ${mib.length}\r\nConnection: close\r\n\r\n`);
	const pieces = [head];
	const size = Math.ceil(mib.length / 16);
	for (let o = 0; o < mib.length; o += size) pieces.push(mib.subarray(o, o + size));
	for (let i = 0; i < 2; i++) {
		const r = await rawRequest(srv.port, pieces, { gapMs: 20, readAfterMs: 100 });
		assert.equal(r.status, 413, `1 MiB body sent in full, try ${i + 1}: got ${r.status ? r.status : 'no answer'} (${r.why})`);
		assert.equal(r.json?.code, 'PAYLOAD_TOO_LARGE');
	}
	await assertHealthyAndUnchanged('1 MiB bodies');
});

test('invalid UTF-8 in a body, a path or a query is 400 INVALID_UTF8', async () => {
	const bodies = [
		Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"x"}')]),
		Buffer.concat([Buffer.from('{"username":"adm'), Buffer.from([0xc3]), Buffer.from('","password":"x"}')]),
		Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","password":"x"}')]), // an encoded surrogate
		Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","password":"x"}')]), // overlong "/"
	];
	for (const b of bodies) await bad(await srv.post('/api/v1/session', { body: b, headers: JSON_CT }), 400, 'INVALID_UTF8', undefined, `login body ${b.toString('hex')}`);
	await bad(await createRegion({ body: Buffer.concat([Buffer.from('{"code":"340603001990","name":"'), Buffer.from([0xe4, 0xb8]), Buffer.from('","parent":"340603001000"}')]), headers: JSON_CT }), 400, 'INVALID_UTF8', undefined, 'a name cut inside a character');

	await bad(await srv.get('/api/v1/regions/%FF%FE', { session: admin }), 400, 'INVALID_UTF8', undefined, 'percent-encoded bytes in the path');
	await bad(await srv.get(`/api/v1/regions?parent=%C3`, { session: admin }), 400, 'INVALID_UTF8', 'parent', 'query value');
	await bad(await srv.get('/api/v1/audit?user=%ED%B2%80', { session: srv.sessions.get('auditor') }), 400, 'INVALID_UTF8', 'user', 'audit filter with an encoded surrogate');
	await bad(await srv.get('/api/v1/audit?%FF=1', { session: srv.sessions.get('auditor') }), 400, 'INVALID_UTF8', undefined, 'a query name that is not UTF-8');
	const raw = await rawRequest(srv.port, Buffer.concat([Buffer.from('GET /api/v1/regions/'), Buffer.from([0xff, 0x80]), Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${admin.cookie}\r\nConnection: close\r\n\r\n`)]));
	assert.ok(raw.status >= 400 && raw.status < 500, `raw bytes in the path: ${raw.status} ${raw.text}`);
	if (raw.json) assert.equal(raw.json.code, 'INVALID_UTF8');
	await assertHealthyAndUnchanged('raw bytes in the path');
});

test('JSON nested deeper than 32 levels is 400 JSON_TOO_DEEP, however deep', async () => {
	const nest = (depth) => '{"username":' + '['.repeat(depth - 1) + ']'.repeat(depth - 1) + ',"password":"x"}';
	// 32 levels (the object and 31 arrays) parse; the field then has the wrong type.
	await bad(await srv.post('/api/v1/session', { body: nest(32), headers: JSON_CT }), 400, 'INVALID_FIELD', 'username', 'depth 32');
	await bad(await srv.post('/api/v1/session', { body: nest(33), headers: JSON_CT }), 400, 'JSON_TOO_DEEP', undefined, 'depth 33');
	// Deep enough to smash a recursive parser's stack, but inside the size limit.
	await bad(await createRegion({ body: '['.repeat(MAX_BODY - 10), headers: JSON_CT }), 400, 'JSON_TOO_DEEP', undefined, `${MAX_BODY - 10} brackets`);
	await bad(await createRegion({ body: '{"a":'.repeat(600) + '1' + '}'.repeat(600), headers: JSON_CT }), 400, 'JSON_TOO_DEEP', undefined, '600 objects');
	// Brackets inside strings do not count.
	const r = await createRegion({ json: { code: '340603001992', name: '['.repeat(40), parent: XIANGNAN } });
	assert.equal(r.status, 201, `brackets in a string: ${r.text}`);
	state = await snapshot();
});

test('a body that is not application/json is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
	const json = JSON.stringify({ code: '340603001990', name: '类型', parent: XIANGNAN });
	for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json-patch+json', 'text/json', undefined]) {
		const headers = ct ? { 'Content-Type': ct } : {};
		await bad(await createRegion({ body: json, headers }), 415, 'UNSUPPORTED_MEDIA_TYPE', undefined, `Content-Type ${ct}`);
	}
	await bad(await srv.post('/api/v1/session', { body: 'username=admin&password=Test-Pass-2026', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE', undefined, 'form login');
	// Parameters and case are fine.
	for (const ct of ['application/json; charset=utf-8', 'Application/JSON']) {
		const r = await srv.post('/api/v1/session', { body: JSON.stringify({ username: 'leader', password: 'Wrong-Pass-2026' }), headers: { 'Content-Type': ct } });
		assert.equal(r.status, 401, `${ct}: ${r.text}`);
	}
	state = await snapshot(); // those two wrong passwords are audited
});

test('unknown routes are 404 ROUTE_NOT_FOUND, wrong methods 405 with Allow', async () => {
	for (const [method, path] of [
		['GET', '/api/v1/nothing'],
		['POST', '/api/v1/nothing'],
		['GET', '/api/v2/regions'],
		['GET', '/api/v1/regions/340603001000/children/x'],
		['DELETE', '/api/v1'],
		['GET', '/api'],
	]) {
		await bad(await srv.req(method, path, { session: admin }), 404, 'ROUTE_NOT_FOUND', undefined, `${method} ${path}`);
	}
	for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/static/..%5c..%5cetc%5cpasswd']) {
		const r = await srv.get(path);
		assert.equal(r.status, 404, `${path}: ${r.status}`);
		assert.doesNotMatch(r.text, /root:/);
	}
	for (const [method, path, allow] of [
		['PUT', '/api/v1/session', ['GET', 'POST', 'DELETE']],
		['PATCH', '/api/v1/session', ['GET', 'POST', 'DELETE']],
		['DELETE', '/api/v1/regions', ['GET', 'POST']],
		['DELETE', `/api/v1/regions/${XIANGNAN}`, ['GET', 'PATCH']],
		['POST', '/healthz', ['GET']],
		['DELETE', '/api/v1/audit', ['GET']],
	]) {
		const r = await srv.req(method, path, { session: admin, json: {} });
		await bad(r, 405, 'METHOD_NOT_ALLOWED', undefined, `${method} ${path}`);
		const got = (r.headers.allow || '').split(',').map((s) => s.trim());
		for (const m of allow) assert.ok(got.includes(m), `${method} ${path}: Allow ${r.headers.allow} has ${m}`);
		assert.ok(!got.includes(method), `${method} ${path}: Allow ${r.headers.allow} must not list ${method}`);
	}
});

test('a URL over 4096 bytes is 414; huge headers are 4xx, never 5xx or a crash', async () => {
	const long = `/api/v1/regions?parent=${XIANGNAN}&pad=${'a'.repeat(4200)}`;
	await bad(await srv.get(long, { session: admin }), 414, 'URI_TOO_LONG', undefined, '4.2 KB URL');
	const ok = await srv.get(`/api/v1/regions?parent=${XIANGNAN}&pad=${'a'.repeat(3900)}`, { session: admin });
	assert.equal(ok.status, 200, `3.9 KB URL: ${ok.status}`);

	const huge = [
		['a 40 KB URL', `GET /api/v1/regions?pad=${'b'.repeat(40000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
		['a 64 KB header', `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'c'.repeat(65536)}\r\nConnection: close\r\n\r\n`],
		['500 headers', `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${Array.from({ length: 500 }, (_, i) => `X-H${i}: ${'d'.repeat(100)}\r\n`).join('')}Connection: close\r\n\r\n`],
		['a 60 KB cookie', `GET /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: cw_session=${'e'.repeat(60000)}\r\nConnection: close\r\n\r\n`],
	];
	for (const [what, req] of huge) {
		const r = await rawRequest(srv.port, Buffer.from(req));
		assert.ok(r.status >= 400 && r.status < 500, `${what}: expected a 4xx, got ${r.status} (${r.why}) ${r.text.slice(0, 200)}`);
		if (r.json) assertNoInternals(r, what);
		await assertHealthyAndUnchanged(what);
	}
});

test('garbage on the wire never gets a 5xx nor stops the server', async () => {
	const junk = [
		'GARBAGE\r\n\r\n',
		'GET\r\n\r\n',
		'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
		'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n',
		'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
		'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
		'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
		'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Nul: a\u0000b\r\n\r\n',
		'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n Folded: header\r\n\r\n',
		'\u0000\u0001\u0002\u0003\r\n\r\n',
		'GET /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: cw_session\r\n\r\n',
		'GET /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer\r\n\r\n',
		'GET /api/v1/regions?parent&limit&cursor HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n\r\n',
	];
	for (const req of junk) {
		const r = await rawRequest(srv.port, Buffer.from(req, 'latin1'), { timeout: 2000 * (SANITIZED ? 4 : 1) });
		// 505 HTTP Version Not Supported is the one proper 5xx here.
		const okStatus = r.status === 0 || (r.status >= 200 && r.status < 500) || (r.status === 505 && req.includes('HTTP/9.9'));
		assert.ok(okStatus, `${JSON.stringify(req.slice(0, 80))}: ${r.status} ${r.text.slice(0, 200)}`);
		if (r.json) assertNoInternals(r, JSON.stringify(req.slice(0, 40)));
	}
	// A client that sends half a request and goes away.
	const half = await rawRequest(srv.port, Buffer.from('POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user'), { timeout: 300 });
	assert.equal(half.status, 0);
	await assertHealthyAndUnchanged('garbage');
});

test('a cookie write without CSRF is 403 and an unauthenticated write 401, changing nothing', async () => {
	await bad(await createRegion({ csrf: false, json: { code: '340603001993', name: 'CSRF', parent: XIANGNAN } }), 403, 'CSRF_FAILED', undefined, 'no CSRF');
	await bad(await srv.post('/api/v1/regions', { json: { code: '340603001993', name: 'anon', parent: XIANGNAN } }), 401, 'AUTH_REQUIRED', undefined, 'anonymous write');
});

test('error messages are Chinese by default and English on request, with the same code', async () => {
	const zh = await srv.post('/api/v1/session', { json: { username: 'admin' } });
	const en = await srv.post('/api/v1/session', { json: { username: 'admin' }, headers: { 'Accept-Language': 'en-US,en;q=0.9' } });
	assert.equal(zh.json.code, en.json.code);
	assert.match(zh.json.message, /[\u4e00-\u9fff]/, 'Chinese by default');
	assert.doesNotMatch(en.json.message, /[\u4e00-\u9fff]/, 'English on request');
	assert.match(en.json.message, /[a-z]/i);
});

test('the server exits 0 on SIGTERM (no leaks under the sanitizers)', async () => {
	await srv.stop();
});
