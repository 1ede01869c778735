// lib.mjs - helpers for the end-to-end tests: the real civicgrid binary on a free
// loopback port with a throw-away database (a SQLite file, or a fresh PostgreSQL
// database when CW_E2E_DB=postgres), an HTTP client with the session cookie and
// CSRF token, raw sockets for malformed HTTP, and the command line.
//
// Environment: CW_BIN (the binary; default build/civicgrid), CW_E2E_DB=postgres with
// CW_TEST_PG_URL (an existing database on the test PostgreSQL server, used only to
// create and drop the per-server databases), CW_E2E_SANITIZED=1 (an ASan/UBSan build:
// slower, so every wait is longer).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');
export const SHARED_DATA = path.resolve(REPO, '..', 'shared', 'data');
export const BIN = path.resolve(process.env.CW_BIN || path.join(REPO, 'build', 'civicgrid'));
export const SANITIZED = !!process.env.CW_E2E_SANITIZED && process.env.CW_E2E_SANITIZED !== '0';
export const BACKEND = process.env.CW_E2E_DB === 'postgres' ? 'postgres' : 'sqlite';
export const PG_URL = process.env.CW_TEST_PG_URL || '';
/* Time multiplier for waits: sanitizer builds run several times slower. */
export const SLOW = SANITIZED ? 4 : 1;
export const PASSWORD = 'Test-Pass-2026';
/* Every binary the tests start hashes passwords at libsodium's minimum cost unless the
 * caller says otherwise (docs/configuration.md: CW_PASSWORD_HASH_COST, for tests only):
 * a production-cost argon2id hash takes 64 MiB and ~0.1 s, several seconds under the
 * sanitizers, and the suite makes and checks thousands. pwhash.test.mjs and the drain
 * test of ops.test.mjs run at the production cost. */
if (process.env.CW_PASSWORD_HASH_COST === undefined) process.env.CW_PASSWORD_HASH_COST = 'min';

/* The demo city (API.md "Demo users"): username → role and home region. gw_001's
 * home is a community (village) of 相南街道, found at run time. */
export const CITY = '340600000000';
export const DUJI = '340602000000'; // 杜集区
export const XIANGSHAN = '340603000000'; // 相山区
export const LIESHAN = '340604000000'; // 烈山区
export const SUIXI = '340621000000'; // 濉溪县
export const XIANGNAN = '340603001000'; // 相南街道
export const DEMO_USERS = {
	admin: { roles: ['sysadmin'], region: CITY },
	secadmin: { roles: ['secadmin'], region: CITY },
	auditor: { roles: ['auditor'], region: CITY },
	leader: { roles: ['leader'], region: CITY },
	center: { roles: ['dispatcher'], region: CITY },
	xs_center: { roles: ['dispatcher'], region: XIANGSHAN },
	cg_dept: { roles: ['department'], region: CITY },
	gw_001: { roles: ['grid_worker'], region: null /* a village of 相南街道 */ },
	mediator: { roles: ['mediator'], region: XIANGSHAN },
	xf_officer: { roles: ['petition_officer'], region: CITY },
	citizen: { roles: ['citizen'], region: CITY },
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const randomId = (n = 6) => crypto.randomBytes(n).toString('hex');

/* ---- reference data ---- */

/* Rows of one of the shared CSV files: [{code, name, parent}] with codes padded to
 * 12 digits as the region tree has them. */
export function readRegionsCsv(file) {
	const text = fs.readFileSync(path.join(SHARED_DATA, file), 'utf8');
	const rows = [];
	for (const line of text.split(/\r?\n/).slice(1)) {
		if (!line.trim()) continue;
		const cols = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
		rows.push({ code: cols[0].padEnd(12, '0'), name: cols[1], parent: cols[2].padEnd(12, '0') });
	}
	return rows;
}

/* ---- the command line ---- */

/* Runs the binary synchronously: {status, stdout, stderr}. A sanitizer report makes
 * the status non-zero, so callers that assert 0 also catch leaks of the CLI. */
export function cli(args, { input, env, timeout } = {}) {
	const r = spawnSync(BIN, args, {
		input: input ?? '',
		encoding: 'utf8',
		env: { ...process.env, ...env },
		timeout: timeout ?? 60000 * SLOW,
		maxBuffer: 64 << 20,
	});
	if (r.error) throw r.error;
	return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/* cli() and assert it exited 0, with the output in the message otherwise. */
export function cliOk(args, opts) {
	const r = cli(args, opts);
	assert.equal(r.status, 0, `civicgrid ${args.join(' ')} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
	return r;
}

/* ---- databases ---- */

function psql(url, sql) {
	const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8', timeout: 60000 });
	if (r.error) throw r.error;
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pgUrlFor(name) {
	const u = new URL(PG_URL);
	u.pathname = '/' + name;
	return u.toString();
}

/* A fresh, empty database of the selected backend:
 * {kind, url, dir, file?, name?, exec(sql) → {status, stdout, stderr}, drop()}. */
export function makeDb() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-e2e-'));
	if (BACKEND === 'postgres') {
		assert.ok(PG_URL, 'CW_E2E_DB=postgres needs CW_TEST_PG_URL');
		const name = `cw_e2e_${randomId(6)}`;
		const r = psql(PG_URL, `CREATE DATABASE ${name}`);
		assert.equal(r.status, 0, `CREATE DATABASE ${name}: ${r.stderr}`);
		const url = pgUrlFor(name);
		return {
			kind: 'postgres',
			url,
			dir,
			name,
			exec: (sql) => psql(url, sql),
			drop() {
				psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
				fs.rmSync(dir, { recursive: true, force: true });
			},
		};
	}
	const file = path.join(dir, 'civicgrid.db');
	return {
		kind: 'sqlite',
		url: `sqlite:${file}`,
		dir,
		file,
		exec(sql) {
			const r = spawnSync('sqlite3', ['-batch', '-bail', file, sql], { encoding: 'utf8', timeout: 60000 });
			if (r.error) throw r.error;
			return { status: r.status, stdout: r.stdout, stderr: r.stderr };
		},
		drop() {
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

/* cli() without blocking the event loop, so that servers start side by side. */
export function cliAsync(args, { input, env, timeout } = {}) {
	return new Promise((resolve, reject) => {
		const p = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
		let stdout = '';
		let stderr = '';
		p.stdout.setEncoding('utf8');
		p.stderr.setEncoding('utf8');
		p.stdout.on('data', (d) => (stdout += d));
		p.stderr.on('data', (d) => (stderr += d));
		const t = setTimeout(() => p.kill('SIGKILL'), timeout ?? 60000 * SLOW);
		p.on('error', reject);
		p.on('close', (status, signal) => {
			clearTimeout(t);
			resolve({ status, signal, stdout, stderr });
		});
		p.stdin.on('error', () => {});
		p.stdin.end(input ?? '');
	});
}

/* Loads the demo city with every demo user's password set to PASSWORD. */
export async function loadDemo(db, env) {
	const args = ['demo', '--db', db.url, '--password', PASSWORD, '--shared-data', SHARED_DATA];
	const r = await cliAsync(args, { env });
	assert.equal(r.status, 0, `civicgrid ${args.join(' ')} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
	return r;
}

/* ---- HTTP ---- */

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/* One HTTP request: {status, headers, text, json, setCookies}. `json` is parsed when
 * the reply says application/json. */
export function request(port, method, urlPath, { headers = {}, body, json, agent, timeout } = {}) {
	const h = { ...headers };
	let data = body;
	if (json !== undefined) {
		data = Buffer.from(JSON.stringify(json));
		if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
	}
	if (typeof data === 'string') data = Buffer.from(data);
	if (data && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length')) h['Content-Length'] = data.length;
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: '127.0.0.1', port, method, path: urlPath, headers: h, agent: agent ?? false },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('error', reject);
				res.on('end', () => {
					const raw = Buffer.concat(chunks);
					const text = raw.toString('utf8');
					let parsed;
					if (/application\/json/i.test(res.headers['content-type'] || '') && text.length) {
						try {
							parsed = JSON.parse(text);
						} catch (e) {
							reject(new Error(`${method} ${urlPath}: invalid JSON in the reply (${e.message}): ${text.slice(0, 300)}`));
							return;
						}
					}
					resolve({ status: res.statusCode, headers: res.headers, text, raw, json: parsed, setCookies: res.headers['set-cookie'] || [] });
				});
			},
		);
		req.setTimeout(timeout ?? 30000 * SLOW, () => req.destroy(new Error(`${method} ${urlPath}: no reply within the timeout`)));
		req.on('error', reject);
		if (data) req.write(data);
		req.end();
	});
}

/* Raw bytes over TCP, for requests no HTTP client would send. Resolves with
 * {status, headers, text, json, closed} after one response (or the connection's end,
 * or the timeout: then status is 0). Connection errors after data count as the end. */
export function rawRequest(port, bytes, { timeout, readAfterMs, gapMs = 0 } = {}) {
	return new Promise((resolve) => {
		const sock = net.connect({ host: '127.0.0.1', port });
		const chunks = [];
		let done = false;
		const finish = (why) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			resolve(parseRaw(Buffer.concat(chunks), why));
		};
		const timer = setTimeout(() => finish('timeout'), timeout ?? 15000 * SLOW);
		sock.on('connect', () => {
			// A server that answers before reading everything may reset the connection.
			// readAfterMs: read nothing until the request is written and that long has
			// passed, like a client busy uploading (a reset then loses the answer).
			// bytes may be a list of pieces, written gapMs apart.
			if (readAfterMs) sock.pause();
			const pieces = Array.isArray(bytes) ? [...bytes] : [bytes];
			const next = () => {
				if (done) return;
				const piece = pieces.shift();
				sock.write(piece, () => {
					if (pieces.length) setTimeout(next, gapMs);
					else if (readAfterMs) setTimeout(() => sock.resume(), readAfterMs);
				});
			};
			next();
		});
		sock.on('data', (c) => {
			chunks.push(c);
			const r = parseRaw(Buffer.concat(chunks), 'data');
			if (r.complete) finish('complete');
		});
		sock.on('end', () => finish('end'));
		sock.on('close', () => finish('close'));
		sock.on('error', () => finish('error'));
	});
}

function parseRaw(buf, why) {
	const sep = buf.indexOf('\r\n\r\n');
	if (sep < 0) return { status: 0, headers: {}, text: buf.toString('utf8'), complete: false, why };
	const head = buf.subarray(0, sep).toString('latin1').split('\r\n');
	const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
	const headers = {};
	for (const line of head.slice(1)) {
		const i = line.indexOf(':');
		if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
	}
	let body = buf.subarray(sep + 4);
	let complete = false;
	if (headers['content-length'] !== undefined) {
		const n = Number(headers['content-length']);
		complete = body.length >= n;
		body = body.subarray(0, n);
	} else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
		const parts = [];
		let rest = body;
		for (;;) {
			const e = rest.indexOf('\r\n');
			if (e < 0) break;
			const n = parseInt(rest.subarray(0, e).toString(), 16);
			if (Number.isNaN(n)) break;
			if (n === 0) {
				complete = true;
				break;
			}
			if (rest.length < e + 2 + n + 2) break;
			parts.push(rest.subarray(e + 2, e + 2 + n));
			rest = rest.subarray(e + 2 + n + 2);
		}
		body = Buffer.concat(parts);
	}
	const text = body.toString('utf8');
	let json;
	if (/application\/json/i.test(headers['content-type'] || '')) {
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
	}
	return { status: m ? Number(m[1]) : 0, headers, text, json, complete, why };
}

/* ---- assertions about replies ---- */

/* Error replies never show internals: stacks, SQL, the store's name, source paths. */
export function assertNoInternals(res, what = '') {
	const t = res.text || '';
	for (const re of [/\bSELECT\b/i, /\bINSERT\b/i, /\bUPDATE\s+\w+\s+SET\b/i, /\bDELETE FROM\b/i, /sqlite/i, /postgres/i, /libpq/i, /\.c:\d+/, /\/(?:tmp|work|home|usr|src)\//, /\bat \S+ \(/, /0x[0-9a-f]{8,}/i, /Segmentation|AddressSanitizer|runtime error/i]) {
		assert.doesNotMatch(t, re, `${what} reply shows internals (${re}): ${t.slice(0, 300)}`);
	}
}

/* The error shape of DESIGN.md: status, {"code","message","field"?}. field: a name
 * to expect, null to require none, undefined not to check. */
export function assertError(res, status, code, field, what = '') {
	const ctx = `${what} → ${res.status} ${(res.text || '').slice(0, 300)}`;
	assert.equal(res.status, status, `status: ${ctx}`);
	assert.ok(res.json && typeof res.json === 'object', `JSON error body: ${ctx}`);
	assert.equal(res.json.code, code, `code: ${ctx}`);
	assert.equal(typeof res.json.message, 'string', `message: ${ctx}`);
	assert.ok(res.json.message.length > 0, `message: ${ctx}`);
	if (field === null) assert.equal(res.json.field, undefined, `no field: ${ctx}`);
	else if (field !== undefined) assert.equal(res.json.field, field, `field: ${ctx}`);
	for (const k of Object.keys(res.json)) assert.ok(['code', 'message', 'field'].includes(k), `unexpected key ${k} in the error body: ${ctx}`);
	assertNoInternals(res, what);
}

/* ---- the server ---- */

const running = new Set();
process.on('exit', () => {
	for (const p of running) {
		try {
			p.kill('SIGKILL');
		} catch {
			/* already gone */
		}
	}
});

/* Starts `civicgrid serve` on 127.0.0.1:0. Options: args (extra serve flags), db (an
 * existing database from makeDb; otherwise a fresh one, dropped by close()), demo
 * (load the demo city first; default true unless db is given), threads (default 4,
 * to keep PostgreSQL connections few), env (extra environment of `demo` and `serve`). */
export async function startServer({ args = [], db, demo, threads = 4, env } = {}) {
	const ownDb = !db;
	db = db || makeDb();
	if (demo ?? ownDb) {
		try {
			await loadDemo(db, env);
		} catch (e) {
			if (ownDb) db.drop();
			throw e;
		}
	}
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-e2e-data-'));
	const argv = ['serve', '--listen', '127.0.0.1:0', '--db', db.url, '--data-dir', dataDir, '--threads', String(threads), ...args];
	const proc = spawn(BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
	running.add(proc);
	let stdout = '';
	let stderr = '';
	let exit = null;
	const exited = new Promise((resolve) => {
		proc.on('exit', (code, signal) => {
			exit = { code, signal };
			running.delete(proc);
			resolve(exit);
		});
	});
	proc.stdout.setEncoding('utf8');
	proc.stderr.setEncoding('utf8');
	proc.stderr.on('data', (d) => (stderr += d));
	const port = await new Promise((resolve, reject) => {
		const limit = (SANITIZED ? 90 : 30) * 1000;
		const timer = setTimeout(() => reject(new Error(`no "listening" line within ${limit / 1000} s\n--- stdout\n${stdout}\n--- stderr\n${stderr.slice(-3000)}`)), limit);
		proc.stdout.on('data', (d) => {
			stdout += d;
			const m = /civicgrid listening on http:\/\/127\.0\.0\.1:(\d+) \(store: (\w+)\)/.exec(stdout);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		exited.then((e) => {
			clearTimeout(timer);
			reject(new Error(`civicgrid serve exited (${JSON.stringify(e)}) before listening\n--- stdout\n${stdout}\n--- stderr\n${stderr.slice(-3000)}`));
		});
	}).catch((e) => {
		try {
			proc.kill('SIGKILL');
		} catch {
			/* gone */
		}
		fs.rmSync(dataDir, { recursive: true, force: true });
		if (ownDb) db.drop();
		throw e;
	});
	return new Server({ proc, port, db, ownDb, dataDir, exited, stdoutRef: () => stdout, stderrRef: () => stderr, exitRef: () => exit });
}

export class Server {
	constructor(o) {
		this.proc = o.proc;
		this.port = o.port;
		this.url = `http://127.0.0.1:${o.port}`;
		this.db = o.db;
		this.ownDb = o.ownDb;
		this.dataDir = o.dataDir;
		this.exited = o.exited;
		this._stdout = o.stdoutRef;
		this._stderr = o.stderrRef;
		this._exit = o.exitRef;
		this.sessions = new Map();
		this.closed = false;
	}

	get stderr() {
		return this._stderr();
	}

	get stdout() {
		return this._stdout();
	}

	get running() {
		return this._exit() === null;
	}

	/* SIGTERM, wait for the exit, assert it was 0 (sanitizers exit non-zero on a
	 * leak or UB). Returns the captured stderr. */
	async stop() {
		if (this.running) this.proc.kill('SIGTERM');
		const limit = 20000 * SLOW;
		let timer;
		const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(null), limit)));
		const e = await Promise.race([this.exited, timeout]);
		clearTimeout(timer);
		if (!e) {
			this.proc.kill('SIGKILL');
			await this.exited;
			assert.fail(`civicgrid serve did not exit within ${limit / 1000} s of SIGTERM\n--- stderr\n${this.stderr.slice(-3000)}`);
		}
		assert.deepEqual(e, { code: 0, signal: null }, `civicgrid serve should exit 0 after SIGTERM\n--- stderr (end)\n${this.stderr.slice(-4000)}`);
		return this.stderr;
	}

	/* For after(): kills the server if still running and removes its database. */
	async close() {
		if (this.closed) return;
		this.closed = true;
		if (this.running) {
			this.proc.kill('SIGTERM');
			const t = setTimeout(() => this.proc.kill('SIGKILL'), 20000 * SLOW);
			await this.exited;
			clearTimeout(t);
		}
		fs.rmSync(this.dataDir, { recursive: true, force: true });
		if (this.ownDb) this.db.drop();
	}

	/* One request. opts: session (from login: sends its cookie and, on writes, its
	 * CSRF token unless csrf is false or a string to send instead), token (bearer),
	 * json, body, headers, timeout. */
	req(method, urlPath, opts = {}) {
		const headers = { ...(opts.headers || {}) };
		const s = opts.session;
		if (s) {
			headers.Cookie = s.cookie;
			if (WRITE_METHODS.has(method) && opts.csrf !== false) headers['X-CSRF-Token'] = typeof opts.csrf === 'string' ? opts.csrf : s.csrf;
		}
		if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
		return request(this.port, method, urlPath, { headers, body: opts.body, json: opts.json, timeout: opts.timeout });
	}

	get(p, o) {
		return this.req('GET', p, o);
	}

	post(p, o) {
		return this.req('POST', p, o);
	}

	patch(p, o) {
		return this.req('PATCH', p, o);
	}

	del(p, o) {
		return this.req('DELETE', p, o);
	}

	/* POST /api/v1/session without asserting: the raw reply. */
	tryLogin(username, password = PASSWORD, headers = {}) {
		return this.post('/api/v1/session', { json: { username, password }, headers });
	}

	/* Signs in and returns {cookie ("cw_session=…"), value, csrf, user, setCookie, res}. */
	async login(username, password = PASSWORD, headers = {}) {
		const res = await this.tryLogin(username, password, headers);
		assert.equal(res.status, 200, `login ${username}: ${res.status} ${res.text}`);
		const sc = res.setCookies.find((c) => c.startsWith('cw_session='));
		assert.ok(sc, `login ${username}: a cw_session cookie (got ${JSON.stringify(res.setCookies)})`);
		const value = sc.slice('cw_session='.length).split(';')[0];
		assert.ok(value.length >= 16, 'a session cookie value of some entropy');
		assert.equal(typeof res.json.csrf_token, 'string');
		return { cookie: `cw_session=${value}`, value, csrf: res.json.csrf_token, user: res.json.user, setCookie: sc, res };
	}

	/* A cached session per user (one argon2id verification per user and server). */
	async session(username) {
		if (!this.sessions.has(username)) this.sessions.set(username, await this.login(username));
		return this.sessions.get(username);
	}

	/* A point [lon, lat] inside grid `code` (the demo's gw_001 works one: its home
	 * region): the vertex average, else a point between it and a vertex, whichever the
	 * server locates in that grid. */
	async pointInGrid(code) {
		const admin = await this.session('admin');
		const g = await this.get(`/api/v1/grids/${code}`, { session: admin });
		assert.equal(g.status, 200, g.text);
		const geom = g.json.boundary;
		const ring = geom.type === 'Polygon' ? geom.coordinates[0] : geom.coordinates[0][0];
		const c = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
		for (const p of [c, ...ring.map((q) => [(q[0] + c[0]) / 2, (q[1] + c[1]) / 2])]) {
			const r = await this.get(`/api/v1/grids/locate?lon=${p[0]}&lat=${p[1]}`, { session: admin });
			if (r.status === 200 && r.json.grid === code) return p;
		}
		assert.fail(`a point inside grid ${code}`);
	}

	/* GET /api/v1/audit as the auditor with a query object; returns the reply. */
	async audit(query = {}) {
		const s = await this.session('auditor');
		const qs = new URLSearchParams(query).toString();
		return this.get(`/api/v1/audit${qs ? '?' + qs : ''}`, { session: s });
	}

	/* Every audit record matching query, newest first, following cursors. */
	async auditAll(query = {}) {
		const items = [];
		let cursor = null;
		for (let i = 0; i < 1000; i++) {
			const r = await this.audit({ ...query, limit: '200', ...(cursor ? { cursor } : {}) });
			assert.equal(r.status, 200, `audit list: ${r.text}`);
			items.push(...r.json.items);
			cursor = r.json.next_cursor;
			if (cursor === null) return items;
		}
		assert.fail('audit paging did not end');
	}

	/* The access log lines printed so far, parsed into objects. */
	accessLog() {
		return this.stderr
			.split('\n')
			.filter((l) => l.includes('access rid='))
			.map((l) => {
				const o = { line: l };
				for (const m of l.matchAll(/(\w+)=(\S*)/g)) o[m[1]] = m[2];
				return o;
			});
	}

	/* Waits until pred(stderr) holds (the access log line is written after the reply). */
	async waitForLog(pred, ms = 5000 * SLOW) {
		const end = Date.now() + ms;
		while (Date.now() < end) {
			if (pred(this.stderr)) return true;
			await sleep(20);
		}
		return pred(this.stderr);
	}
}

/* ---- CLI against a database ---- */

/* Runs `civicgrid CMD [SUB] --db URL REST…`: the options go right after the command
 * words, before a positional argument such as the username of `user passwd`. */
export function cliDb(db, args, opts) {
	const words = ['user', 'token', 'audit'].includes(args[0]) ? 2 : 1;
	return cli([...args.slice(0, words), '--db', db.url, ...args.slice(words)], opts);
}

export function cliDbOk(db, args, opts) {
	const words = ['user', 'token', 'audit'].includes(args[0]) ? 2 : 1;
	return cliOk([...args.slice(0, words), '--db', db.url, ...args.slice(words)], opts);
}
