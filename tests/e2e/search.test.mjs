// search.test.mjs - full-text search of cases (GET /api/v1/cases?q=): 1- and
// 2-character Chinese terms, no bigram false positives, words and case numbers from
// their start, full-width folding, the other filters and the cursor with q, scope, bad
// q; and the Idempotency-Key race (parallel reports with one key give one case).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DUJI, assertError, randomId, startServer } from './lib.mjs';

let srv;
let gw;
let center;
let xs;
const tag = `zq${randomId(4)}`; // a word only this run's cases hold

before(async () => {
	srv = await startServer();
	gw = await srv.session('gw_001');
	center = await srv.session('center');
	xs = await srv.session('xs_center');
});

after(async () => {
	await srv?.close();
});

const me = async () => (await srv.get('/api/v1/session', { session: gw })).json;
async function report(title, description, extra = {}) {
	const m = await me();
	const region = m.user?.region ?? m.region;
	const r = await srv.post('/api/v1/cases', { session: extra.session ?? gw, json: { kind: 'event', category: '06010', title, description: `${description} ${tag}`, region: extra.region ?? region, ...(extra.address ? { address: extra.address } : {}) } });
	assert.equal(r.status, 201, r.text);
	return r.json;
}
async function search(q, session = xs, more = '') {
	const r = await srv.get(`/api/v1/cases?q=${encodeURIComponent(q)}${more}`, { session });
	assert.equal(r.status, 200, r.text);
	return r.json;
}
const ids = (res) => res.items.map((x) => x.id).sort((a, b) => a - b);

test('1- and 2-character Chinese terms, phrases, words and case numbers', async () => {
	const bin = await report('小区门口垃圾桶满了', '请尽快清运');
	const apart = await report('路面脏乱', '垃圾 散落，圾桶 倾倒');
	const well = await report('窨井盖缺失', '行人易跌落', { address: 'Ａ座１２号楼' });
	const noise = await report('夜间施工噪音扰民', '凌晨两点仍在施工');

	assert.deepEqual(ids(await search(`垃圾 ${tag}`)), [bin.id, apart.id].sort((a, b) => a - b));
	assert.deepEqual(ids(await search(`垃圾桶 ${tag}`)), [bin.id], '垃圾 and 圾桶 apart is no match');
	assert.deepEqual(ids(await search(`井 ${tag}`)), [well.id], 'a 1-character term');
	assert.deepEqual(ids(await search(`噪音，施工 ${tag}`)), [noise.id], 'every fragment must be there');
	assert.deepEqual(ids(await search(`噪音 垃圾 ${tag}`)), []);
	assert.deepEqual(ids(await search(`a座12 ${tag}`)), [well.id], 'full-width text found by ASCII');
	assert.deepEqual(ids(await search(`Ａ座 ${tag.toUpperCase()}`)), [well.id], 'full-width query, any case');
	assert.deepEqual(ids(await search(tag.slice(0, 6))).filter((id) => id >= bin.id), [bin.id, apart.id, well.id, noise.id], 'a word prefix');
	assert.deepEqual(ids(await search(bin.number)), [bin.id], 'the full case number');
	const byDay = ids(await search(bin.number.slice(0, 8), xs, '&limit=200'));
	assert.ok([bin.id, apart.id, well.id, noise.id].every((id) => byDay.includes(id)), 'a prefix of the number');
	assert.deepEqual(ids(await search(`桶满了 ${tag}`)), [bin.id]);
	assert.deepEqual(ids(await search('没有这样的词语组合')), []);
});

test('q with the other filters, the cursor, newest first, and scope', async () => {
	const a = await report('绿化带垃圾', '第一件');
	const b = await report('河道垃圾', '第二件');
	const c = await report('楼道垃圾', '第三件');
	const dj = await report('杜集垃圾', '不在相山区', { session: center, region: DUJI });
	// newest first, one per page, the cursor through them
	let page = await search(`垃圾 ${tag}`, xs, '&limit=1');
	const seen = [];
	for (let i = 0; i < 10 && page.items.length; i++) {
		seen.push(page.items[0].id);
		if (!page.next_cursor) break;
		page = await search(`垃圾 ${tag}`, xs, `&limit=1&cursor=${page.next_cursor}`);
	}
	assert.deepEqual(seen.slice(0, 3), [c.id, b.id, a.id]);
	assert.ok(!seen.includes(dj.id), '相山区 does not see 杜集区');
	assert.ok(ids(await search(`杜集 ${tag}`, center)).includes(dj.id), 'the city does');
	assert.deepEqual(ids(await search(`杜集 ${tag}`, xs)), []);
	// combined with status and region filters
	assert.equal((await search(`垃圾 ${tag}`, xs, '&status=closed')).items.length, 0);
	assert.ok((await search(`垃圾 ${tag}`, xs, '&status=reported&limit=200')).items.some((x) => x.id === a.id));
	assert.deepEqual(ids(await search(`垃圾 ${tag}`, center, `&region=${DUJI}`)), [dj.id]);
});

test('a phrase of common and rare bigrams: only its rarest terms drive the index, the results are every term\'s', async () => {
	// 村民/委员/员会 are in most addresses of the city; 朱暗/暗楼 in a few. SQLite puts only
	// the rare ones in the FTS5 MATCH; the substring check must still reject the rest.
	const whole = await report('积水', '门前', { address: '朱暗楼村村民委员会东侧' });
	const apart = await report('积水', '门前', { address: '朱暗楼村 村民 委员会' });
	const other = await report('积水', '门前', { address: '姚湖村村民委员会' });
	const mine = (res) => ids(res).filter((id) => id >= whole.id);
	assert.deepEqual(mine(await search('朱暗楼村村民委员会')), [whole.id]);
	assert.deepEqual(mine(await search('朱暗楼村')), [whole.id, apart.id]);
	assert.deepEqual(mine(await search('村民委员会 积水')), [whole.id, other.id]);
	assert.deepEqual(mine(await search('朱暗楼村村民委员会 姚湖')), []);
	assert.deepEqual(mine(await search(`委员会 ${tag}`)), [whole.id, apart.id, other.id]);
	// the rarest term in no case: an empty page, whatever the common ones
	const t0 = Date.now();
	const none = await search('量子纠缠村民委员会', xs, '&limit=50');
	assert.deepEqual(none.items, []);
	assert.ok(!none.next_cursor);
	assert.ok(Date.now() - t0 < 2000, 'an absent term answers at once');
});

test('a bad q is 400 naming q', async () => {
	for (const q of ['', '   ', '，。！？', 'x'.repeat(101), '垃'.repeat(101)]) {
		assertError(await srv.get(`/api/v1/cases?q=${encodeURIComponent(q)}`, { session: xs }), 400, 'INVALID_QUERY', 'q', JSON.stringify(q));
	}
	assert.equal((await srv.get(`/api/v1/cases?q=${encodeURIComponent('垃'.repeat(100))}`, { session: xs })).status, 200);
	assertError(await srv.get('/api/v1/cases?q=%FF%FE', { session: xs }), 400, 'INVALID_UTF8', 'q');
});

test('parallel reports with one Idempotency-Key make one case', async () => {
	const m = await me();
	// Several rounds: the race needs the requests to overlap inside the server.
	for (let round = 0; round < 5; round++) {
		const key = `race-${randomId(8)}`;
		const body = { kind: 'event', category: '06010', title: `并发提交${round} ${tag}`, region: m.user?.region ?? m.region };
		const rs = await Promise.all(Array.from({ length: 8 }, () => srv.post('/api/v1/cases', { session: gw, json: body, headers: { 'Idempotency-Key': key } })));
		const statuses = rs.map((r) => r.status).sort();
		assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 201], rs.map((r) => r.text).join('\n'));
		const id = rs[0].json.id;
		assert.ok(rs.every((r) => r.json.id === id), 'every answer is the one case');
		assert.ok(rs.every((r) => r.headers.etag === rs[0].headers.etag));
		assert.deepEqual(ids(await search(`并发提交${round} ${tag}`, gw)), [id], 'one case in the list');
	}
});
