// events.test.mjs - live case changes as Server-Sent Events (GET /api/v1/events): the
// 相山区 dispatcher sees cases of 相山区 created and acted on, not those of 杜集区;
// scope and sign-in; resuming with Last-Event-ID replays exactly what was missed; a
// change made by another server on the same database arrives; on PostgreSQL an entry
// committed after a later id is not missed; the stream limit; and SIGTERM with a
// stream open still drains and exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { BACKEND, DUJI, SLOW, XIANGSHAN, assertError, cliDb, randomId, sleep, startServer } from './lib.mjs';

let srv;
let xs;
let center;

before(async () => {
	srv = await startServer();
	xs = await srv.session('xs_center');
	center = await srv.session('center');
});

after(async () => {
	await srv?.close();
});

/* Opens an event stream and parses it as it arrives: {status, headers, events, text,
 * next(pred, ms), close(), ended}. `events` holds {id, event, data} of every event
 * (comments and the retry field are kept in `text` only). */
function openStream(port, urlPath, headers = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: urlPath, headers, agent: false }, (res) => {
			const s = { status: res.statusCode, headers: res.headers, events: [], text: '', waiters: [] };
			let pending = '';
			res.setEncoding('utf8');
			s.ended = new Promise((r) => {
				res.on('end', () => r('end'));
				res.on('error', () => r('error'));
				res.on('close', () => r('close'));
			});
			res.on('data', (d) => {
				s.text += d;
				pending += d;
				let i;
				while ((i = pending.indexOf('\n\n')) >= 0) {
					const block = pending.slice(0, i);
					pending = pending.slice(i + 2);
					const ev = {};
					for (const line of block.split('\n')) {
						const m = /^(id|event|data): (.*)$/.exec(line);
						if (m) ev[m[1]] = m[2];
					}
					if (ev.event) {
						if (ev.data && ev.event === 'case') ev.json = JSON.parse(ev.data);
						s.events.push(ev);
					}
				}
				for (const w of [...s.waiters]) w();
			});
			/* Resolves with the first event (from index `from`) matching pred, or
			 * rejects after ms. */
			s.next = (pred, ms = 5000 * SLOW, from = 0) =>
				new Promise((res2, rej2) => {
					const check = () => {
						const e = s.events.slice(from).find(pred);
						if (e) {
							clearTimeout(t);
							s.waiters = s.waiters.filter((x) => x !== check);
							res2(e);
						}
					};
					const t = setTimeout(() => {
						s.waiters = s.waiters.filter((x) => x !== check);
						rej2(new Error(`no matching event within ${ms} ms; got:\n${s.text.slice(-2000)}`));
					}, ms);
					s.waiters.push(check);
					check();
				});
			s.close = () => req.destroy();
			if (res.statusCode !== 200) {
				let body = '';
				res.on('data', (d) => (body += d));
				res.on('end', () => {
					s.body = body;
					try {
						s.json = JSON.parse(body);
					} catch {
						/* not JSON */
					}
					resolve(s);
				});
				return;
			}
			resolve(s);
		});
		req.setTimeout(60000 * SLOW, () => req.destroy());
		req.on('error', reject);
		req.end();
	});
}

const stream = (server, session, query = '', headers = {}) => openStream(server.port, `/api/v1/events${query}`, { Cookie: session.cookie, ...headers });

async function createCase(server, session, region, title = `测试事件 ${randomId(3)}`) {
	const r = await server.post('/api/v1/cases', { session, json: { kind: 'event', category: '06010', title, region } });
	assert.equal(r.status, 201, r.text);
	return { ...r.json, etag: r.headers.etag };
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/;

test('a case created in 相山区 arrives with its fields; one in 杜集区 does not; an action arrives', async () => {
	const s = await stream(srv, xs);
	try {
		assert.equal(s.status, 200);
		assert.match(s.headers['content-type'], /^text\/event-stream/);
		assert.equal(s.headers['cache-control'], 'no-store');
		assert.equal(s.headers['x-accel-buffering'], 'no');
		await sleep(200);
		assert.match(s.text, /^retry: 3000\n/m);

		const t0 = Date.now();
		const c = await createCase(srv, xs, XIANGSHAN);
		const e = await s.next((x) => x.json?.case === c.id);
		assert.ok(Date.now() - t0 < 3000 * SLOW, `arrived after ${Date.now() - t0} ms`);
		assert.equal(e.event, 'case');
		assert.match(e.id, /^\d+$/);
		assert.deepEqual(Object.keys(e.json).sort(), ['action', 'at', 'case', 'level', 'number', 'region', 'status'].sort());
		assert.equal(e.json.number, c.number);
		assert.equal(e.json.action, 'create');
		assert.equal(e.json.status, c.status);
		assert.equal(e.json.level, c.level);
		assert.equal(e.json.region, XIANGSHAN);
		assert.match(e.json.at, RFC3339);

		// 杜集区 first, then 相山区: the first would have arrived before the second.
		const d = await createCase(srv, center, DUJI);
		const c2 = await createCase(srv, xs, XIANGSHAN);
		await s.next((x) => x.json?.case === c2.id);
		assert.ok(!s.events.some((x) => x.json?.case === d.id), 'no event of a 杜集区 case');
		assert.ok(!s.events.some((x) => x.json?.region === DUJI));

		const r = await srv.post(`/api/v1/cases/${c.id}/actions/register`, { session: xs, json: {}, headers: { 'If-Match': c.etag } });
		assert.equal(r.status, 200, r.text);
		const a = await s.next((x) => x.json?.case === c.id && x.json.action === 'register');
		assert.equal(a.json.status, r.json.status);
		assert.ok(Number(a.id) > Number(e.id), 'ids increase');
		const ids = s.events.map((x) => Number(x.id));
		assert.deepEqual(ids, [...ids].sort((p, q) => p - q), 'in id order');
		assert.equal(new Set(ids).size, ids.length, 'no event twice');
	} finally {
		s.close();
	}
});

test('a bearer token streams as its user does', async () => {
	const r = cliDb(srv.db, ['token', 'add', '--user', 'xs_center', '--name', 'dashboard']);
	assert.equal(r.status, 0, r.stderr);
	const token = r.stdout.trim();
	const s = await openStream(srv.port, '/api/v1/events', { Authorization: `Bearer ${token}` });
	try {
		assert.equal(s.status, 200);
		const c = await createCase(srv, xs, XIANGSHAN);
		await s.next((x) => x.json?.case === c.id);
	} finally {
		s.close();
	}
	const bad = await openStream(srv.port, '/api/v1/events', { Authorization: 'Bearer cwt_nonsense' });
	assert.equal(bad.status, 401);
});

test('a region in scope narrows the stream; one outside it is 404; no sign-in is 401', async () => {
	const other = await srv.get('/api/v1/events?region=' + DUJI, { session: xs });
	assertError(other, 404, 'REGION_NOT_FOUND');
	assertError(await srv.get('/api/v1/events?region=999999999999', { session: xs }), 404, 'REGION_NOT_FOUND');
	assertError(await srv.get('/api/v1/events'), 401, 'AUTH_REQUIRED');
	assertError(await srv.get('/api/v1/events?last_event_id=abc', { session: xs }), 400, 'INVALID_QUERY', 'last_event_id');

	// The city dispatcher asking for 杜集区 only sees 杜集区.
	const s = await stream(srv, center, `?region=${DUJI}`);
	try {
		assert.equal(s.status, 200);
		const x = await createCase(srv, xs, XIANGSHAN);
		const d = await createCase(srv, center, DUJI);
		const e = await s.next((ev) => ev.json?.case === d.id);
		assert.equal(e.json.region, DUJI);
		assert.ok(!s.events.some((ev) => ev.json?.case === x.id));
	} finally {
		s.close();
	}
});

test('reconnecting with Last-Event-ID replays exactly the missed events, then live', async () => {
	const s1 = await stream(srv, xs);
	const c = await createCase(srv, xs, XIANGSHAN);
	const first = await s1.next((x) => x.json?.case === c.id);
	s1.close();

	// While away: two changes in 相山区 and one in 杜集区.
	const m1 = await createCase(srv, xs, XIANGSHAN);
	const d = await createCase(srv, center, DUJI);
	const r = await srv.post(`/api/v1/cases/${m1.id}/actions/register`, { session: xs, json: {}, headers: { 'If-Match': m1.etag } });
	assert.equal(r.status, 200, r.text);

	for (const how of ['header', 'query']) {
		const s2 = how === 'header' ? await stream(srv, xs, '', { 'Last-Event-ID': first.id }) : await stream(srv, xs, `?last_event_id=${first.id}`);
		try {
			assert.equal(s2.status, 200);
			await s2.next((x) => x.json?.case === m1.id && x.json.action === 'register');
			const live = await createCase(srv, xs, XIANGSHAN);
			await s2.next((x) => x.json?.case === live.id);
			const got = s2.events.map((x) => [x.json.case, x.json.action]);
			const expectMissed = [
				[m1.id, 'create'],
				[m1.id, 'register'],
			];
			// Header run: missed then live. Query run (later): also the header run's live case.
			const missedNow = how === 'header' ? expectMissed : s2.events.slice(0, -1).map((x) => [x.json.case, x.json.action]);
			assert.deepEqual(got, [...missedNow, [live.id, 'create']], `${how}: ${s2.text}`);
			assert.deepEqual(missedNow.slice(0, 2), expectMissed, how);
			assert.ok(!s2.events.some((x) => x.json.case === d.id || x.json.case === c.id), `${how}: nothing outside the scope, nothing before the id`);
			assert.ok(s2.events.every((x) => Number(x.id) > Number(first.id)));
		} finally {
			s2.close();
		}
	}
});

test('a change made through another server on the same database arrives; the stream limit answers 503', async () => {
	const srv2 = await startServer({ db: srv.db, args: ['--max-streams', '1'] });
	try {
		const s = await stream(srv, xs);
		try {
			const xs2 = await srv2.session('xs_center');
			const c = await createCase(srv2, xs2, XIANGSHAN);
			const e = await s.next((x) => x.json?.case === c.id);
			assert.equal(e.json.action, 'create');
		} finally {
			s.close();
		}

		const xs2 = await srv2.session('xs_center');
		const a = await stream(srv2, xs2);
		try {
			assert.equal(a.status, 200);
			const b = await stream(srv2, xs2);
			assert.equal(b.status, 503);
			assert.equal(b.json?.code, 'TOO_MANY_STREAMS');
			assert.match(b.headers['retry-after'] ?? '', /^\d+$/);
			const m = await srv2.get('/metrics');
			assert.match(m.text, /^civicgrid_http_open_streams 1$/m);
		} finally {
			a.close();
		}
		await srv2.stop();
	} finally {
		await srv2.close();
	}
});

test('PostgreSQL: an entry whose id was drawn earlier but committed later is not missed', { skip: BACKEND !== 'postgres' && 'PostgreSQL only (SQLite serialises writers)' }, async () => {
	const c = await createCase(srv, xs, XIANGSHAN);
	const s = await stream(srv, xs);
	// A writer that draws a timeline id and holds its transaction open.
	const psql = spawn('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	psql.stdout.setEncoding('utf8');
	psql.stdout.on('data', (d) => (out += d));
	try {
		psql.stdin.write(`BEGIN;\nINSERT INTO case_timeline (case_id, at, action, status_after) VALUES (${c.id}, extract(epoch from now())::bigint, 'supervise', 'reported') RETURNING id;\n`);
		for (let i = 0; i < 100 && !/^\d+$/m.test(out); i++) await sleep(50);
		const held = Number(/^(\d+)$/m.exec(out)?.[1]);
		assert.ok(held > 0, `the held insert's id: ${out}`);
		// A later id commits first and arrives.
		const later = await createCase(srv, xs, XIANGSHAN);
		const e = await s.next((x) => x.json?.case === later.id);
		assert.ok(Number(e.id) > held);
		await sleep(1500 * SLOW); // a poll or two past the later one
		assert.ok(!s.events.some((x) => Number(x.id) === held));
		psql.stdin.write('COMMIT;\n');
		const h = await s.next((x) => Number(x.id) === held);
		assert.equal(h.json.case, c.id);
		assert.equal(h.json.action, 'supervise');
		assert.equal(s.events.filter((x) => Number(x.id) === Number(e.id)).length, 1, 'the later one only once');
	} finally {
		psql.stdin.end();
		s.close();
	}
});

test('SIGTERM with a stream open: the stream ends, the server exits 0 promptly and logs the stream', async () => {
	const s = await stream(srv, xs);
	assert.equal(s.status, 200);
	await sleep(300);
	const t0 = Date.now();
	const stderr = await srv.stop();
	const took = Date.now() - t0;
	assert.ok(took < 5000 * SLOW, `exited after ${took} ms`);
	const how = await Promise.race([s.ended, sleep(2000).then(() => 'still open')]);
	assert.notEqual(how, 'still open');
	assert.match(stderr, /access .*method=GET path=\/api\/v1\/events status=200 .*ms=\d+/);
});
