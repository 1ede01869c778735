// pii.test.mjs - a reporter's name and phone number as protected personal data: sealed
// with SM4-GCM under a key file outside the database, masked in every answer, shown in
// full only on ?unmask=reporter to the roles that call reporters back (and to the
// reporter), each such view audited; the key file rotated and the values rewrapped; a
// key file others may read refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { BACKEND, SLOW, XIANGNAN, assertError, cli, cliOk, randomId, sleep, startServer } from './lib.mjs';

let srv;
let center;
let gw;
let dept;
let gwRegion;
let keyFile;

// Distinct per run, so that finding them anywhere means this run leaked them.
const digits = () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
const PHONE = `139${digits()}`;
const NAME = `鲍${['明', '晓', '岚'][Math.floor(Math.random() * 3)]}${randomId(2)}`; // 鲍 + 1 + 4 hex = 6 characters
const NAME_MASKED = `鲍${'*'.repeat([...NAME].length - 1)}`;
const PHONE_MASKED = `${PHONE.slice(0, 3)}****${PHONE.slice(-4)}`;

before(async () => {
	srv = await startServer();
	center = await srv.session('center');
	gw = await srv.session('gw_001');
	dept = await srv.session('cg_dept');
	const me = await srv.get('/api/v1/session', { session: gw });
	assert.equal(me.status, 200, me.text);
	gwRegion = me.json.user?.region ?? me.json.region;
	keyFile = path.join(srv.dataDir, 'keys', 'pii.key');
});

after(async () => {
	await srv?.close();
});

const report = (session, extra = {}) =>
	srv.post('/api/v1/cases', {
		session,
		json: { kind: 'event', category: '06010', title: '路边暴露垃圾', region: gwRegion, ...extra },
	});

const keysList = () => {
	const r = cliOk(['keys', 'list', '--db', srv.db.url, '--key-file', keyFile]);
	const rows = {};
	for (const line of r.stdout.trim().split('\n').slice(1)) {
		const m = /^(\S+)\s+(yes)?\s*(\d+)/.exec(line);
		if (m) rows[m[1]] = { current: !!m[2], values: Number(m[3]) };
	}
	return { rows, text: r.stdout };
};

let caseId;

test('the key file is made on first start: mode 0600 in a 0700 directory', () => {
	const st = fs.statSync(keyFile);
	assert.equal(st.mode & 0o777, 0o600);
	assert.equal(fs.statSync(path.dirname(keyFile)).mode & 0o777, 0o700);
	assert.match(fs.readFileSync(keyFile, 'utf8'), /^k1 [0-9a-f]{64}$/m);
});

test('a reporter given by the dispatcher is masked in every answer by default', async () => {
	const r = await report(center, { reporter: { name: NAME, phone: PHONE } });
	assert.equal(r.status, 201, r.text);
	assert.deepEqual(r.json.reporter, { name: NAME_MASKED, phone: PHONE_MASKED, masked: true });
	caseId = r.json.id;
	assert.ok(!r.text.includes(PHONE) && !r.text.includes(NAME));

	const g = await srv.get(`/api/v1/cases/${caseId}`, { session: center });
	assert.equal(g.status, 200, g.text);
	assert.deepEqual(g.json.reporter, { name: NAME_MASKED, phone: PHONE_MASKED, masked: true });

	const l = await srv.get('/api/v1/cases?limit=50', { session: center });
	assert.equal(l.status, 200, l.text);
	const item = l.json.items.find((c) => c.id === caseId);
	assert.deepEqual(item.reporter, { name: NAME_MASKED, phone: PHONE_MASKED, masked: true });
	assert.ok(!l.text.includes(PHONE) && !l.text.includes(NAME), 'lists never unmask');
	const lu = await srv.get('/api/v1/cases?limit=50&unmask=reporter', { session: center });
	assert.ok(!lu.text.includes(PHONE), 'not even when asked');

	// Only a name, only a phone, neither.
	const n = await report(center, { reporter: { name: '张' } });
	assert.equal(n.status, 201, n.text);
	assert.deepEqual(n.json.reporter, { name: '*', phone: null, masked: true });
	const p = await report(center, { reporter: { phone: '0561-3051234' } });
	assert.equal(p.status, 201, p.text);
	assert.deepEqual(p.json.reporter, { name: null, phone: '0561-***1234', masked: true });
	const none = await report(center);
	assert.equal(none.status, 201, none.text);
	assert.equal(none.json.reporter, null);
});

test('?unmask=reporter shows the full values to the dispatcher, audited without them', async () => {
	const g = await srv.get(`/api/v1/cases/${caseId}?unmask=reporter`, { session: center });
	assert.equal(g.status, 200, g.text);
	assert.deepEqual(g.json.reporter, { name: NAME, phone: PHONE, masked: false });
	assert.equal(g.headers['cache-control'], 'no-store');
	const recs = await srv.auditAll({ action: 'case.unmask' });
	const mine = recs.filter((x) => x.object === `case:${caseId}`);
	assert.equal(mine.length, 1, JSON.stringify(recs));
	assert.equal(mine[0].username, 'center');
	assert.equal(mine[0].success, true);
	assert.equal(mine[0].detail, 'reporter.name,reporter.phone');
	const all = JSON.stringify(await srv.auditAll());
	assert.ok(!all.includes(PHONE) && !all.includes(NAME), 'the audit trail never holds the values');
	// A second view is a second record.
	await srv.get(`/api/v1/cases/${caseId}?unmask=reporter`, { session: center });
	assert.equal((await srv.auditAll({ action: 'case.unmask', object: `case:${caseId}` })).length, 2);
	assertError(await srv.get(`/api/v1/cases/${caseId}?unmask=everything`, { session: center }), 400, 'INVALID_QUERY', 'unmask');
});

test('roles without the permission get 403 and nothing of the values; the reporter sees their own', async () => {
	for (const [who, s] of [['gw_001', gw], ['cg_dept', dept]]) {
		const masked = await srv.get(`/api/v1/cases/${caseId}`, { session: s });
		assert.equal(masked.status, 200, `${who}: ${masked.text}`);
		assert.equal(masked.json.reporter.phone, PHONE_MASKED);
		const r = await srv.get(`/api/v1/cases/${caseId}?unmask=reporter`, { session: s });
		assertError(r, 403, 'FORBIDDEN', undefined, `${who} unmasks`);
		assert.ok(!r.text.includes(PHONE) && !r.text.includes(PHONE_MASKED));
	}
	assert.equal((await srv.auditAll({ action: 'case.unmask', object: `case:${caseId}` })).length, 2, 'a refused unmask shows and records nothing');
	// A petition officer may (city scope).
	const xf = await srv.get(`/api/v1/cases/${caseId}?unmask=reporter`, { session: await srv.session('xf_officer') });
	assert.equal(xf.status, 200, xf.text);
	assert.equal(xf.json.reporter.phone, PHONE);
	// The grid worker's own report: masked by default, in full on request.
	const own = await report(gw, { reporter: { name: '王小二', phone: '13700001111' } });
	assert.equal(own.status, 201, own.text);
	assert.equal(own.json.reporter.phone, '137****1111');
	const o = await srv.get(`/api/v1/cases/${own.json.id}?unmask=reporter`, { session: gw });
	assert.equal(o.status, 200, o.text);
	assert.deepEqual(o.json.reporter, { name: '王小二', phone: '13700001111', masked: false });
});

test('bad reporter data is refused with the field at fault and creates nothing', async () => {
	const before = (await srv.get('/api/v1/cases?limit=200', { session: center })).json.items.length;
	const bad = [
		[{ phone: '12345' }, 'reporter.phone'],
		[{ phone: '1381234567' }, 'reporter.phone'],
		[{ phone: '138 1234 5678' }, 'reporter.phone'],
		[{ phone: '' }, 'reporter.phone'],
		[{ phone: 13812345678 }, 'reporter.phone'],
		[{ name: '' }, 'reporter.name'],
		[{ name: '张\n三' }, 'reporter.name'],
		[{ name: '   ' }, 'reporter.name'],
		[{ name: '张三', email: 'x@y.z' }, 'reporter'],
		['张三', 'reporter'],
	];
	for (const [reporter, field] of bad) assertError(await report(center, { reporter }), 400, 'INVALID_FIELD', field, JSON.stringify(reporter));
	assertError(await report(center, { reporter: { name: '张'.repeat(51) } }), 400, 'FIELD_TOO_LONG', 'reporter.name');
	const afterN = (await srv.get('/api/v1/cases?limit=200', { session: center })).json.items.length;
	assert.equal(afterN, before);
});

test('the values appear nowhere in clear: not in the database, not in the log', async () => {
	if (BACKEND === 'sqlite') {
		const files = [srv.db.file, `${srv.db.file}-wal`].filter((f) => fs.existsSync(f));
		assert.ok(files.length >= 1);
		for (const f of files) {
			const bytes = fs.readFileSync(f);
			for (const v of [PHONE, NAME, '13700001111', '王小二']) assert.equal(bytes.indexOf(Buffer.from(v)), -1, `${v} in ${path.basename(f)}`);
		}
		const enc = srv.db.exec(`SELECT reporter_phone_enc FROM cases WHERE id = ${caseId}`);
		assert.match(enc.stdout.trim(), /^sm4gcm:k1:[A-Za-z0-9+/]+=*$/);
	} else {
		// Every row of every table as text.
		const r = srv.db.exec(
			`SELECT count(*) FROM (SELECT t::text AS x FROM cases t UNION ALL SELECT t::text FROM case_timeline t UNION ALL SELECT t::text FROM audit t) r ` +
				`WHERE x LIKE '%${PHONE}%' OR x LIKE '%${NAME}%' OR x LIKE '%13700001111%'`,
		);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout.trim(), '0');
		const enc = srv.db.exec(`SELECT reporter_phone_enc FROM cases WHERE id = ${caseId}`);
		assert.match(enc.stdout.trim(), /^sm4gcm:k1:[A-Za-z0-9+/]+=*$/);
	}
	assert.ok(!srv.stderr.includes(PHONE) && !srv.stderr.includes(NAME), 'the server log');
	assert.ok(!fs.readFileSync(keyFile, 'utf8').includes(PHONE));
});

test('keys rotate and rewrap: everything under the new key, still readable; list never shows a key', async () => {
	let l = keysList();
	assert.deepEqual(Object.keys(l.rows), ['k1']);
	assert.ok(l.rows.k1.current && l.rows.k1.values >= 4, l.text);
	const r = cliOk(['keys', 'rotate', '--key-file', keyFile]);
	assert.match(r.stdout, /new current key k2/);
	assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
	// The running server picks the new key up in its housekeeping round.
	assert.ok(await srv.waitForLog((e) => /keyring: re-read the key file; current key k2/.test(e), 20000 * SLOW), srv.stderr.slice(-2000));
	const fresh = await report(center, { reporter: { phone: '13800002222' } });
	assert.equal(fresh.status, 201, fresh.text);
	l = keysList();
	assert.ok(l.rows.k2.current && l.rows.k2.values === 1 && !l.rows.k1.current, l.text);

	const w = cliOk(['keys', 'rewrap', '--db', srv.db.url, '--key-file', keyFile]);
	const m = /rewrapped (\d+) values under key k2/.exec(w.stdout);
	assert.ok(m && Number(m[1]) >= 4, w.stdout);
	l = keysList();
	assert.equal(l.rows.k1.values, 0, l.text);
	assert.ok(l.rows.k2.values >= 5, l.text);
	for (const line of fs.readFileSync(keyFile, 'utf8').split('\n')) {
		const hex = line.split(' ')[1];
		if (hex) assert.ok(!l.text.includes(hex), 'keys list never prints a key');
	}
	// Nothing left to do the second time.
	assert.match(cliOk(['keys', 'rewrap', '--db', srv.db.url, '--key-file', keyFile]).stdout, /rewrapped 0 values/);

	const g = await srv.get(`/api/v1/cases/${caseId}?unmask=reporter`, { session: center });
	assert.equal(g.status, 200, g.text);
	assert.deepEqual(g.json.reporter, { name: NAME, phone: PHONE, masked: false });
	const rec = await srv.auditAll({ action: 'keys.rewrap' });
	assert.equal(rec.length, 1);
	assert.equal(rec[0].username, 'cli');
});

test('a key file that group or others may read stops the server with a clear message', async () => {
	const dir = fs.mkdtempSync(path.join(path.dirname(srv.dataDir), 'cw-e2e-keys-'));
	try {
		const bad = path.join(dir, 'pii.key');
		fs.writeFileSync(bad, `k1 ${'ab'.repeat(32)}\n`, { mode: 0o644 });
		fs.chmodSync(bad, 0o644);
		await assert.rejects(startServer({ db: srv.db, demo: false, args: ['--key-file', bad] }), (e) => {
			assert.match(e.message, /key file .*pii\.key is accessible by group or others \(mode 0644\)/);
			assert.match(e.message, /chmod 600/);
			return true;
		});
		// The CLI says the same.
		const r = cli(['keys', 'list', '--db', srv.db.url, '--key-file', bad]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /group or others/);
		// The running server keeps the keys it has when its own file turns bad.
		fs.chmodSync(keyFile, 0o644);
		assert.ok(await srv.waitForLog((e) => /keyring: .*group or others.*keeping the keys/.test(e), 20000 * SLOW));
		const g = await srv.get(`/api/v1/cases/${caseId}?unmask=reporter`, { session: center });
		assert.equal(g.json.reporter.phone, PHONE);
		fs.chmodSync(keyFile, 0o600);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	await sleep(0);
});

test('the server stops cleanly (under the sanitizers: no leak of the keyring)', async () => {
	await srv.stop();
});
