// categories.test.mjs - the case category taxonomy: the demo loads catalog/categories.csv,
// GET /api/v1/categories serves it to every signed-in user, and `civicgrid import
// categories` replaces it all or nothing, idempotently and audited.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { REPO, assertError, cli, startServer } from './lib.mjs';

let srv;
let citizen;
let tmp;

const CATALOG = path.join(REPO, 'catalog', 'categories.csv');

before(async () => {
	srv = await startServer();
	citizen = await srv.session('citizen');
	tmp = fs.mkdtempSync(path.join(srv.dataDir, 'cat-'));
});

after(async () => {
	await srv?.close();
});

async function list(query = '', session = citizen) {
	const r = await srv.get(`/api/v1/categories${query}`, { session });
	assert.equal(r.status, 200, `${query}: ${r.text}`);
	return r.json.items;
}

/* `civicgrid import categories|grids --db URL FILE` against the server's database. */
const importFile = (what, file) => cli(['import', what, '--db', srv.db.url, file]);

const byCode = (items) => Object.fromEntries(items.map((c) => [c.code, c]));

async function importCount() {
	return (await srv.auditAll({ action: 'category.import' })).length;
}

test('the demo loaded the catalogue; the DOMAIN.md anchors are exact', async () => {
	const items = await list();
	assert.ok(items.length >= 100, `${items.length} categories`);
	const codes = items.map((c) => c.code);
	assert.deepEqual([...codes].sort(), codes, 'in code order');
	const c = byCode(items);
	const anchors = { '06010': '暴露垃圾', '07001': '违法小广告', '08001': '施工扰民' };
	for (const [code, name] of Object.entries(anchors)) {
		assert.equal(c[code]?.name, name, code);
		assert.equal(c[code].kind, 'event', code);
		assert.equal(c[code].parent, code.slice(0, 2), code);
	}
	assert.match(c['09006']?.name ?? '', /占道经营/);
	assert.match(c['09006'].name, /流动摊贩/);
	assert.equal(c['09006'].parent, '09');
	// The whole shape of one entry, and a class row.
	assert.deepEqual(c['06010'], {
		code: '06010',
		parent: '06',
		name: '暴露垃圾',
		kind: 'event',
		first_level: 'town',
		deadline: { amount: 4, unit: 'working_hours' },
		departments: { town: 'cgj', district: 'cgj', city: 'cgj' },
	});
	assert.equal(c['06'].parent, null);
	assert.equal(c['06'].name, '市容环境');
	// Every parent is a listed class; only hazards carry a risk category.
	for (const x of items) {
		if (x.parent !== null) assert.equal(c[x.parent]?.parent, null, `${x.code}'s class`);
		assert.equal('risk' in x, x.kind === 'hazard', x.code);
		assert.ok(x.departments.city, `${x.code} names a city department`);
		assert.ok(['working_hours', 'working_days', 'days'].includes(x.deadline.unit), x.code);
	}
	const risks = new Set(items.filter((x) => x.kind === 'hazard').map((x) => x.risk));
	assert.deepEqual([...risks].sort(), ['cyber_security', 'political_security', 'public_order', 'public_safety', 'social_conflict']);
	// A petition is handled within 60 days (信访工作条例 §34).
	assert.deepEqual(c.P101.deadline, { amount: 60, unit: 'days' });
	assert.equal(c.P101.departments.district, 'xfj');
	// Staff see the same list; signed out is 401.
	assert.deepEqual(await list('', await srv.session('center')), items);
	assertError(await srv.get('/api/v1/categories'), 401, 'AUTH_REQUIRED', undefined, 'signed out');
});

test('?kind=dispute lists the 15 dispute types of DOMAIN.md §4', async () => {
	const items = await list('?kind=dispute');
	assert.ok(items.every((x) => x.kind === 'dispute'));
	const types = items.filter((x) => x.parent !== null);
	assert.equal(types.length, 15);
	const names = types.map((x) => x.name).join(' ');
	for (const w of ['婚姻家庭', '邻里', '宅基地', '合同', '损害赔偿', '土地', '拆迁', '污染', '劳动', '消费', '医疗', '交通事故', '物业', '其他']) assert.ok(names.includes(w), w);
	for (const x of types) {
		assert.deepEqual(x.deadline, { amount: 30, unit: 'days' }, x.code);
		assert.equal(x.departments.town, 'sfj', x.code);
	}
	assert.equal((await list('?kind=petition')).filter((x) => x.parent !== null).length, 6);
	assert.ok((await list('?kind=service')).some((x) => /办不成事/.test(x.name)));
});

test('an unknown kind is 400 INVALID_QUERY', async () => {
	for (const q of ['?kind=incident', '?kind=', '?kind=Dispute', `?kind=${'x'.repeat(500)}`]) assertError(await srv.get(`/api/v1/categories${q}`, { session: citizen }), 400, 'INVALID_QUERY', 'kind', q);
});

test('import categories with bad lines exits 1, lists each, and changes nothing', async () => {
	const beforeItems = await list();
	const beforeAudits = await importCount();
	const lines = fs.readFileSync(CATALOG, 'utf8').split('\n');
	const at = (code) => lines.findIndex((l) => l.startsWith(`${code},`));
	const bad = [...lines];
	bad[at('06010')] = bad[at('06010')].replace('暴露垃圾', '暴露垃圾（不应生效）'); // a good edit that must not land
	bad[at('07001')] = bad[at('07001')].replace('working_hours', 'hours');
	bad[at('08001')] = bad[at('08001')].replace(',08,', ',07,');
	bad[at('D101')] = bad[at('D101')].replace(',30,days,', ',0,days,');
	bad[at('H101')] = bad[at('H101')].replace(/,political_security$/, ',');
	bad[at('S101')] = bad[at('S101')].replace('S101,', 'X101,');
	const file = path.join(tmp, 'bad.csv');
	fs.writeFileSync(file, bad.join('\n'));
	const r = importFile('categories', file);
	assert.equal(r.status, 1, r.stderr);
	const expectLines = ['07001', '08001', 'D101', 'H101', 'S101'].map((c) => at(c) + 1);
	for (const n of expectLines) assert.match(r.stderr, new RegExp(`bad\\.csv:${n}: `), `line ${n} reported\n${r.stderr}`);
	assert.match(r.stderr, /deadline_unit "hours"/);
	assert.match(r.stderr, /5 bad lines; nothing was imported/);
	assert.equal(r.stderr.split('\n').filter((l) => /bad\.csv:\d+:/.test(l)).length, 5, r.stderr);
	assert.deepEqual(await list(), beforeItems);
	assert.equal(await importCount(), beforeAudits);
});

test('a good edited file updates the taxonomy; the same file again writes nothing', async () => {
	const beforeAudits = await importCount();
	const text = fs.readFileSync(CATALOG, 'utf8')
		.replace('\n06010,06,暴露垃圾,', '\n06010,06,暴露垃圾和散落垃圾,')
		.replace(/\nS109,[^\n]*/, ''); // dropped: no longer listed
	const file = path.join(tmp, 'good.csv');
	fs.writeFileSync(file, '\ufeff' + text.replace(/\n/g, '\r\n')); // as Excel saves it
	let r = importFile('categories', file);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /2 changed/);
	const c = byCode(await list());
	assert.equal(c['06010'].name, '暴露垃圾和散落垃圾');
	assert.equal(c.S109, undefined);
	assert.equal(await importCount(), beforeAudits + 1);
	const rec = (await srv.auditAll({ action: 'category.import' }))[0];
	assert.equal(rec.success, true);
	r = importFile('categories', file);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /0 changed/);
	assert.equal(await importCount(), beforeAudits + 1, 'no audit record for an import that changes nothing');
	// `import grids` still answers as before.
	assert.equal(importFile('grids', path.join(tmp, 'none.geojson')).status, 1);
});
