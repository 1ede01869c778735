// calendar.test.mjs - the holiday calendar: the demo loads the State Council's dates,
// GET /api/v1/calendar/due computes the deadlines of DOMAIN.md §3 from them, and the
// sysadmin edits a year (If-Match, validation, audit), which deadlines follow at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, startServer } from './lib.mjs';

let srv;
let admin;
let center;

before(async () => {
	srv = await startServer();
	admin = await srv.session('admin');
	center = await srv.session('center');
});

after(async () => {
	await srv?.close();
});

async function due(query, session = center) {
	const r = await srv.get(`/api/v1/calendar/due?${query}`, { session });
	assert.equal(r.status, 200, `${query}: ${r.text}`);
	return r.json;
}

const enc = encodeURIComponent;

test('the demo loaded 2026: make-up Sundays work, Golden Week rests', async () => {
	const r = await srv.get('/api/v1/calendar?year=2026', { session: center });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.published, true);
	assert.equal(r.json.work_hours, '08:30-12:00,14:30-17:30');
	const kind = Object.fromEntries(r.json.days.map((d) => [d.date, d.kind]));
	assert.equal(kind['2026-01-04'], 'work', '1/4 is a make-up working Sunday');
	for (const d of ['2026-10-01', '2026-10-05', '2026-10-07', '2026-02-15', '2026-02-23']) assert.equal(kind[d], 'off', d);
	assert.equal(r.json.days.filter((d) => d.kind === 'work').length, 6, 'six make-up days in 2026');
});

test('deadlines follow the statutory rules and the published holidays', async () => {
	// 5 working days from Thu 2026-02-12 10:00: 2/13 (Fri) is the 1st; 2/14 (Sat) is a
	// make-up day, the 2nd; 2/15-2/23 are the Spring Festival; 2/24, 2/25, 2/26 are the
	// 3rd-5th; the deadline is the close of business on 2/26.
	let d = await due(`from=${enc('2026-02-12T10:00:00+08:00')}&working_days=5`);
	assert.equal(d.due, '2026-02-26T17:30:00+08:00');
	assert.equal(d.calendar_published, true);
	// 15 calendar days from 2026-09-20 end on 10-05, a holiday: moved to 10-08 (10-06 and
	// 10-07 are off too), at 24:00 (written 23:59:59).
	d = await due(`from=2026-09-20&days=15`);
	assert.equal(d.due, '2026-10-08T23:59:59+08:00');
	// 9 working hours from Wed 2026-09-30 16:00: 1.5 h that day; 10/1-10/7 off, 10/8 is a
	// Thursday: 3.5 h + 3 h = 6.5 h (8.0 in all); 10/9: 1 more hour from 08:30 → 09:30.
	d = await due(`from=${enc('2026-09-30T16:00:00+08:00')}&working_hours=9`);
	assert.equal(d.due, '2026-10-09T09:30:00+08:00');
	// A year the State Council has not published: counted as plain weekdays and said so.
	d = await due(`from=2031-03-03&working_days=5`);
	assert.equal(d.due, '2031-03-10T17:30:00+08:00');
	assert.equal(d.calendar_published, false);
});

test('bad deadline queries are 400 INVALID_QUERY with the parameter named', async () => {
	const cases = [
		['working_days=5&days=3', 'days'],
		['from=2026-02-30&working_days=1', 'from'],
		['from=yesterday&days=1', 'from'],
		['working_days=-1', 'working_days'],
		['working_days=3651', 'working_days'],
		['working_hours=abc', 'working_hours'],
		['', 'working_days'],
	];
	for (const [q, field] of cases) assertError(await srv.get(`/api/v1/calendar/due?${q}`, { session: center }), 400, 'INVALID_QUERY', field, q);
	assertError(await srv.get('/api/v1/calendar/due?working_days=1'), 401, 'AUTH_REQUIRED', undefined, 'signed out');
});

test('the sysadmin publishes a year; deadlines use it at once; bad years change nothing', async () => {
	const year = 2029;
	const initial = await srv.get(`/api/v1/calendar?year=${year}`, { session: admin });
	assert.equal(initial.json.published, false);
	// Fri 2029-02-09 10:00 + 1 working day is Mon 2029-02-12 before the year is published.
	assert.equal((await due(`from=${enc('2029-02-09T10:00:00+08:00')}&working_days=1`)).due, '2029-02-12T17:30:00+08:00');

	const body = { days: [{ date: '2029-02-12', kind: 'off', note: '春节' }, { date: '2029-02-10', kind: 'work', note: '春节' }] };
	assertError(await srv.req('PUT', `/api/v1/calendar/${year}`, { session: admin, json: body }), 428, 'PRECONDITION_REQUIRED', undefined, 'no If-Match');
	assertError(await srv.req('PUT', `/api/v1/calendar/${year}`, { session: admin, json: body, headers: { 'If-Match': '"stale"' } }), 412, 'PRECONDITION_FAILED', undefined, 'stale');
	assertError(await srv.req('PUT', `/api/v1/calendar/${year}`, { session: center, json: body, headers: { 'If-Match': initial.headers.etag } }), 403, 'FORBIDDEN', undefined, 'a dispatcher');
	for (const [bad, field] of [
		[{ days: [{ date: '2029-02-30', kind: 'off' }] }, 'days[0]'],
		[{ days: [{ date: '2029-01-01', kind: 'off' }, { date: '2028-12-31', kind: 'off' }] }, 'days[1]'],
		[{ days: [{ date: '2029-02-12', kind: 'work' }] }, 'days[0]'], // a make-up day on a Monday
		[{ days: [{ date: '2029-02-12', kind: 'off' }, { date: '2029-02-12', kind: 'off' }] }, 'days[1]'],
		[{ days: [{ date: '2029-02-12', kind: 'holiday' }] }, 'days[0]'],
	]) {
		const r = await srv.req('PUT', `/api/v1/calendar/${year}`, { session: admin, json: bad, headers: { 'If-Match': initial.headers.etag } });
		assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
		assert.equal(r.json.field, field, JSON.stringify(bad));
	}
	assertError(await srv.req('PUT', `/api/v1/calendar/${year}`, { session: admin, json: { days: [{ date: '2029-02-12' }] }, headers: { 'If-Match': initial.headers.etag } }), 400, 'INVALID_FIELD', 'days[0]', 'no kind');
	assert.equal((await srv.get(`/api/v1/calendar?year=${year}`, { session: admin })).json.published, false, 'nothing written by the refusals');

	const ok = await srv.req('PUT', `/api/v1/calendar/${year}`, { session: admin, json: body, headers: { 'If-Match': initial.headers.etag } });
	assert.equal(ok.status, 200, ok.text);
	assert.deepEqual(ok.json.days.map((d) => d.date), ['2029-02-10', '2029-02-12'], 'in date order');
	// Now 2/10 (Sat) is a make-up working day: Fri 2/9 10:00 + 1 working day = Sat 2/10.
	assert.equal((await due(`from=${enc('2029-02-09T10:00:00+08:00')}&working_days=1`)).due, '2029-02-10T17:30:00+08:00');
	// ...and 2 working days skips Sun 2/11 and the holiday 2/12: Tue 2/13.
	assert.equal((await due(`from=${enc('2029-02-09T10:00:00+08:00')}&working_days=2`)).due, '2029-02-13T17:30:00+08:00');

	const auditor = await srv.session('auditor');
	const a = await srv.get(`/api/v1/audit?action=calendar.year&object=calendar:${year}`, { session: auditor });
	assert.equal(a.status, 200, a.text);
	assert.equal(a.json.items.length, 1, 'one audit record for the change');
	assert.equal(a.json.items[0].username, 'admin');
});

test('the server exits 0 on SIGTERM (no leaks under the sanitizers)', async () => {
	await srv.stop();
});
