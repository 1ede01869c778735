// attachments.test.mjs - photos of a case: a grid worker uploads the problem as found (a
// JPEG carrying GPS in its Exif, a PNG with text chunks, a WebP with EXIF and XMP); what
// comes back has no metadata and the image data byte for byte; the same photo is one file
// on disk; the limits (10 MiB on this route, 1 MiB elsewhere), fakes and truncations,
// scope and final cases; the case's JSON lists its photos.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { PASSWORD, DUJI, XIANGNAN, assertError, cliDbOk, randomId, startServer } from './lib.mjs';

const MAX = 10 * 1024 * 1024;

let srv;
let gw;
let center;
let xs;
let dj;
let gridCode;

/* ---- images built byte by byte ---- */

const be16 = (v) => Buffer.from([(v >> 8) & 255, v & 255]);
const be32 = (v) => {
	const b = Buffer.alloc(4);
	b.writeUInt32BE(v >>> 0);
	return b;
};
const le32 = (v) => {
	const b = Buffer.alloc(4);
	b.writeUInt32LE(v >>> 0);
	return b;
};

function segment(marker, payload) {
	return Buffer.concat([Buffer.from([0xff, marker]), be16(payload.length + 2), payload]);
}

// APP1 Exif: a big-endian TIFF header, IFD0 with a GPSInfo pointer, and a GPS IFD with
// GPSLatitudeRef N, GPSLatitude 33°57'12.34", GPSLongitudeRef E, GPSLongitude 116°47'.
const GPS_LAT = Buffer.concat([be32(33), be32(1), be32(57), be32(1), be32(1234), be32(100)]);
const GPS_LON = Buffer.concat([be32(116), be32(1), be32(47), be32(1), be32(0), be32(1)]);
function exifApp1() {
	const gpsIfd = 26;
	const values = gpsIfd + 2 + 4 * 12 + 4;
	const tiff = Buffer.concat([
		Buffer.from('MM\0*'), be32(8),
		be16(1), be16(0x8825), be16(4), be32(1), be32(gpsIfd), be32(0),
		be16(4),
		be16(1), be16(2), be32(2), Buffer.from('N\0\0\0'),
		be16(2), be16(5), be32(3), be32(values),
		be16(3), be16(2), be32(2), Buffer.from('E\0\0\0'),
		be16(4), be16(5), be32(3), be32(values + 24),
		be32(0),
		GPS_LAT, GPS_LON,
	]);
	return segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), tiff]));
}

// A real 8x8 grey baseline JPEG (decodes to one flat block of grey), with `extra`
// segments after APP0; q (the quantiser) makes images that differ.
function jpeg(extra = [], q = 1) {
	const dqt = Buffer.alloc(65, q);
	dqt[0] = 0;
	const dht = Buffer.alloc(18);
	dht[1] = 1;
	const dhtAc = Buffer.from(dht);
	dhtAc[0] = 0x10;
	return Buffer.concat([
		Buffer.from([0xff, 0xd8]),
		segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
		...extra,
		segment(0xdb, dqt),
		segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0])),
		segment(0xc4, dht),
		segment(0xc4, dhtAc),
		segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
		Buffer.from([0x3f, 0xff, 0xd9]),
	]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data = Buffer.alloc(0)) {
	const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	return Buffer.concat([be32(data.length), td, be32(crc32(td))]);
}

// A 1x1 grey PNG (a zlib stored block with the filter byte and the pixel).
function png(meta) {
	const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
	const idat = Buffer.from([0x78, 0x01, 0x01, 0x02, 0x00, 0xfd, 0xff, 0x00, 0x80, 0x00, 0x82, 0x00, 0x81]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		...(meta ? [chunk('tEXt', Buffer.from('Comment\0GPS 33.9534N 116.7833E')), chunk('eXIf', Buffer.from('MM\0*\0\0\0\x08\0\0', 'latin1')), chunk('tIME', Buffer.from([7, 234, 11, 27, 12, 0, 0]))] : []),
		chunk('IDAT', idat),
		chunk('IEND'),
	]);
}

function riffChunk(fourcc, data) {
	return Buffer.concat([Buffer.from(fourcc, 'latin1'), le32(data.length), data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}
// A VP8X WebP, 3x2, whose flags announce EXIF and XMP when it carries them.
function webp(meta) {
	const vp8x = Buffer.from([meta ? 0x0c : 0, 0, 0, 0, 2, 0, 0, 1, 0, 0]);
	const frame = Buffer.from([0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x03, 0x00, 0x02, 0x00, 0, 0, 0, 0]);
	const body = Buffer.concat([
		Buffer.from('WEBP'),
		riffChunk('VP8X', vp8x),
		riffChunk('VP8 ', frame),
		...(meta ? [riffChunk('EXIF', Buffer.concat([exifApp1().subarray(10)])), riffChunk('XMP ', Buffer.from('<x:xmpmeta>GPS</x:xmpmeta>'))] : []),
	]);
	return Buffer.concat([Buffer.from('RIFF'), le32(body.length), body]);
}

/* ---- helpers ---- */

const upload = (session, caseId, body, type = 'image/jpeg', query = '') =>
	srv.post(`/api/v1/cases/${caseId}/attachments${query}`, { session, body, headers: { 'Content-Type': type } });

function storedFiles() {
	const top = path.join(srv.dataDir, 'attachments');
	if (!fs.existsSync(top)) return [];
	const out = [];
	for (const d of fs.readdirSync(top)) for (const f of fs.readdirSync(path.join(top, d))) out.push(path.join(top, d, f));
	return out;
}

async function newCase(session, region, title = '占道堆物') {
	const r = await srv.post('/api/v1/cases', { session, json: { kind: 'event', category: '06010', title, region } });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

before(async () => {
	srv = await startServer();
	gw = await srv.session('gw_001');
	center = await srv.session('center');
	xs = await srv.session('xs_center');
	gridCode = gw.user.region;
	assert.match(gridCode, /^\d{15}$/);
	const name = `dj_${randomId(3)}`;
	cliDbOk(srv.db, ['user', 'add', '--username', name, '--name', '杜集区指挥中心', '--region', DUJI, '--roles', 'dispatcher', '--password-stdin'], { input: `${PASSWORD}\n` });
	dj = await srv.session(name);
});

after(async () => {
	await srv?.close();
});

test('a JPEG with GPS in its Exif comes back without it, the image data intact', async () => {
	const c = await newCase(gw, gridCode);
	const app1 = exifApp1();
	const clean = jpeg();
	const photo = jpeg([app1, segment(0xfe, Buffer.from('shot at 33.95N'))]);
	assert.ok(photo.includes('Exif') && photo.includes(GPS_LAT));

	const r = await upload(gw, c.id, photo, 'image/jpeg', '?label=before');
	assert.equal(r.status, 201, r.text);
	const a = r.json;
	assert.equal(a.mime, 'image/jpeg');
	assert.equal(a.size, clean.length);
	assert.equal(a.width, 8);
	assert.equal(a.height, 8);
	assert.equal(a.label, 'before');
	assert.match(a.sha256, /^[0-9a-f]{64}$/);
	assert.equal(a.url, `/api/v1/cases/${c.id}/attachments/${a.id}`);
	assert.equal(r.headers.location, a.url);

	const g = await srv.get(a.url, { session: gw });
	assert.equal(g.status, 200);
	assert.equal(g.headers['content-type'], 'image/jpeg');
	assert.equal(Number(g.headers['content-length']), clean.length);
	assert.equal(g.headers['x-content-type-options'], 'nosniff');
	assert.match(g.headers['cache-control'], /^private, max-age=\d+$/);
	assert.equal(g.headers.etag, `"${a.sha256}"`);
	assert.ok(!g.raw.includes('Exif'), 'no Exif left');
	assert.ok(!g.raw.includes(GPS_LAT) && !g.raw.includes(GPS_LON), 'no GPS values left');
	assert.ok(!g.raw.includes('33.95N'), 'no comment left');
	assert.deepEqual(g.raw, clean, 'everything else byte for byte');

	// The file on disk is those bytes, named by their SHA-256, private to the service.
	const file = path.join(srv.dataDir, 'attachments', a.sha256.slice(0, 2), a.sha256);
	assert.deepEqual(fs.readFileSync(file), clean);
	assert.equal(fs.statSync(file).mode & 0o777, 0o640);
	assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o750);

	// A cached copy stays good.
	const nm = await srv.get(a.url, { session: gw, headers: { 'If-None-Match': g.headers.etag } });
	assert.equal(nm.status, 304);
	assert.equal(nm.raw.length, 0);

	// The case shows it, with a timeline entry; the audit log has it.
	const v = await srv.get(`/api/v1/cases/${c.id}`, { session: xs });
	assert.equal(v.status, 200, v.text);
	assert.deepEqual(v.json.attachments, [{ id: a.id, mime: 'image/jpeg', size: clean.length, url: a.url }]);
	const t = v.json.timeline.at(-1);
	assert.equal(t.action, 'attach');
	assert.equal(t.note, 'before');
	assert.equal(t.user, 'gw_001');
	const audit = await srv.auditAll({ action: 'case.attach' });
	assert.ok(audit.some((x) => x.object === `case:${c.id}` && x.username === 'gw_001'), JSON.stringify(audit.slice(0, 3)));

	const list = await srv.get(`/api/v1/cases/${c.id}/attachments`, { session: xs });
	assert.equal(list.status, 200, list.text);
	assert.equal(list.json.items.length, 1);
	assert.equal(list.json.items[0].sha256, a.sha256);
	assert.equal(list.json.items[0].user, 'gw_001');
});

test('a PNG loses its text, eXIf and tIME chunks; a WebP its EXIF and XMP', async () => {
	const c = await newCase(gw, gridCode, 'PNG 和 WebP');
	const p = await upload(gw, c.id, png(true), 'image/png');
	assert.equal(p.status, 201, p.text);
	assert.deepEqual([p.json.width, p.json.height], [1, 1]);
	const pg = await srv.get(p.json.url, { session: gw });
	assert.equal(pg.headers['content-type'], 'image/png');
	assert.deepEqual(pg.raw, png(false));
	for (const s of ['GPS', 'tEXt', 'eXIf', 'tIME']) assert.ok(!pg.raw.includes(s), s);

	const w = await upload(gw, c.id, webp(true), 'image/webp; q=1');
	assert.equal(w.status, 201, w.text);
	assert.deepEqual([w.json.width, w.json.height], [3, 2]);
	const wg = await srv.get(w.json.url, { session: gw });
	assert.equal(wg.headers['content-type'], 'image/webp');
	assert.deepEqual(wg.raw, webp(false), 'EXIF and XMP gone, their VP8X flags cleared, the RIFF size right');
	for (const s of ['EXIF', 'XMP', 'GPS']) assert.ok(!wg.raw.includes(s), s);
});

test('the same photo twice is stored once', async () => {
	const c1 = await newCase(gw, gridCode, '同一张照片');
	const c2 = await newCase(gw, gridCode, '同一张照片 2');
	const photo = jpeg([exifApp1(), segment(0xfe, Buffer.from(randomId(8)))], 2);
	const before_ = storedFiles().length;
	const a = await upload(gw, c1.id, photo);
	assert.equal(a.status, 201, a.text);
	const again = await upload(gw, c1.id, photo);
	assert.equal(again.status, 200, again.text);
	assert.equal(again.json.id, a.json.id);
	const b = await upload(gw, c2.id, photo);
	assert.equal(b.status, 201, b.text);
	assert.notEqual(b.json.id, a.json.id);
	assert.equal(b.json.sha256, a.json.sha256);
	assert.equal(storedFiles().length, before_ + 1, 'one file for three uploads');
	// Another copy with other metadata strips to the same bytes: still one file.
	const copy = await upload(gw, c2.id, jpeg([segment(0xfe, Buffer.from('copy'))], 2));
	assert.equal(copy.status, 200, copy.text);
	assert.equal(copy.json.id, b.json.id);
	assert.equal(storedFiles().length, before_ + 1);
	assert.equal(storedFiles().filter((f) => f.endsWith(a.json.sha256)).length, 1);
	const v = await srv.get(`/api/v1/cases/${c1.id}`, { session: gw });
	assert.equal(v.json.attachments.length, 1);
	assert.equal(v.json.timeline.filter((e) => e.action === 'attach').length, 1);
});

test('the same photo sent four times at once is one row and one file', async () => {
	const c = await newCase(gw, gridCode, '并发上传');
	const photo = jpeg([exifApp1()], 5);
	const before_ = storedFiles().length;
	const rs = await Promise.all([1, 2, 3, 4].map(() => upload(gw, c.id, photo)));
	for (const r of rs) assert.ok(r.status === 201 || r.status === 200, r.text);
	assert.equal(rs.filter((r) => r.status === 201).length, 1, rs.map((r) => r.status).join());
	assert.equal(new Set(rs.map((r) => r.json.id)).size, 1);
	assert.equal(storedFiles().length, before_ + 1);
	const v = await srv.get(`/api/v1/cases/${c.id}`, { session: gw });
	assert.equal(v.json.attachments.length, 1);
	assert.equal(v.json.timeline.filter((e) => e.action === 'attach').length, 1);
});

test('10 MiB is taken on this route, one byte more is 413 and stores nothing; other routes keep 1 MiB', async () => {
	const c = await newCase(gw, gridCode, '大照片');
	// Padded to exactly 10 MiB with comment segments, which stripping drops.
	const head = jpeg().subarray(0, 2);
	const rest = jpeg().subarray(2);
	const parts = [head];
	let n = head.length + rest.length;
	while (n < MAX) {
		const take = Math.min(65533, MAX - n - 4);
		if (take < 0) break;
		parts.push(segment(0xfe, Buffer.alloc(take, 0x41)));
		n += take + 4;
	}
	parts.push(rest);
	const big = Buffer.concat(parts);
	assert.equal(big.length, MAX);
	const files = storedFiles().length;
	const ok = await upload(gw, c.id, big);
	assert.equal(ok.status, 201, ok.text);
	assert.equal(ok.json.size, jpeg().length);

	const over = Buffer.concat([big, Buffer.from([0])]);
	assertError(await upload(gw, c.id, over), 413, 'PAYLOAD_TOO_LARGE');
	const list = await srv.get(`/api/v1/cases/${c.id}/attachments`, { session: gw });
	assert.equal(list.json.items.length, 1);
	assert.equal(storedFiles().length, files);

	const json = Buffer.from(JSON.stringify({ kind: 'event', category: '06010', title: 'x'.repeat(2 << 20), region: gridCode }));
	assertError(await srv.post('/api/v1/cases', { session: gw, body: json, headers: { 'Content-Type': 'application/json' } }), 413, 'PAYLOAD_TOO_LARGE');
});

test('fakes, truncations and mismatched types are refused and store nothing', async () => {
	const c = await newCase(gw, gridCode, '假图片');
	const files = storedFiles().length;
	assertError(await upload(gw, c.id, Buffer.from('GPS 33.95N 116.78E, not a picture\n'), 'image/jpeg'), 415, 'UNSUPPORTED_IMAGE', 'Content-Type');
	assertError(await upload(gw, c.id, png(false), 'image/jpeg'), 415, 'UNSUPPORTED_IMAGE', 'Content-Type');
	assertError(await upload(gw, c.id, jpeg(), 'image/gif'), 415, 'UNSUPPORTED_IMAGE', 'Content-Type');
	assertError(await upload(gw, c.id, jpeg(), 'application/json'), 415, 'UNSUPPORTED_IMAGE', 'Content-Type');
	assertError(await srv.post(`/api/v1/cases/${c.id}/attachments`, { session: gw, body: jpeg() }), 415, 'UNSUPPORTED_IMAGE', 'Content-Type');
	assertError(await upload(gw, c.id, Buffer.alloc(0), 'image/png'), 415, 'UNSUPPORTED_IMAGE', 'Content-Type');
	const photo = jpeg([exifApp1()]);
	assertError(await upload(gw, c.id, photo.subarray(0, photo.length - 40)), 422, 'INVALID_IMAGE', null);
	assertError(await upload(gw, c.id, photo.subarray(0, photo.length - 2)), 422, 'INVALID_IMAGE', null);
	assertError(await upload(gw, c.id, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('only the start of a JPEG')])), 422, 'INVALID_IMAGE');
	const badCrc = png(false);
	badCrc[badCrc.length - 12 - 6] ^= 1;
	assertError(await upload(gw, c.id, badCrc, 'image/png'), 422, 'INVALID_IMAGE');
	const w = webp(false);
	assertError(await upload(gw, c.id, w.subarray(0, w.length - 1), 'image/webp'), 422, 'INVALID_IMAGE');
	assertError(await upload(gw, c.id, jpeg(), 'image/jpeg', `?label=${encodeURIComponent('长'.repeat(65))}`), 400, 'INVALID_QUERY', 'label');
	const list = await srv.get(`/api/v1/cases/${c.id}/attachments`, { session: gw });
	assert.deepEqual(list.json.items, []);
	assert.equal(storedFiles().length, files);
});

test('another district sees nothing and adds nothing; final cases take no photos', async () => {
	const c = await newCase(center, XIANGNAN, '相南街道的案件');
	const a = await upload(xs, c.id, jpeg([segment(0xfe, Buffer.from('xs'))], 3));
	assert.equal(a.status, 201, a.text);
	const files = storedFiles().length;
	const other2 = jpeg([segment(0xfe, Buffer.from('dj'))], 4);
	assertError(await upload(dj, c.id, other2), 404, 'CASE_NOT_FOUND');
	assertError(await upload(dj, c.id, Buffer.from('junk')), 404, 'CASE_NOT_FOUND');
	assertError(await upload(dj, c.id, Buffer.from('{}'), 'application/json'), 404, 'CASE_NOT_FOUND');
	assertError(await srv.get(`/api/v1/cases/${c.id}/attachments`, { session: dj }), 404, 'CASE_NOT_FOUND');
	assertError(await srv.get(a.json.url, { session: dj }), 404, 'CASE_NOT_FOUND');
	assert.equal(storedFiles().length, files, 'nothing written for a case out of scope');
	assertError(await srv.get(`/api/v1/cases/${c.id}/attachments/999999`, { session: xs }), 404, 'ATTACHMENT_NOT_FOUND');
	assertError(await srv.get(`/api/v1/cases/${c.id}/attachments/abc`, { session: xs }), 404, 'ATTACHMENT_NOT_FOUND');
	assertError(await srv.get(`/api/v1/cases/999999/attachments`, { session: xs }), 404, 'CASE_NOT_FOUND');
	// Another case's attachment id under this case is not found either.
	const d = await newCase(dj, DUJI, '杜集区的案件');
	const da = await upload(dj, d.id, other2);
	assert.equal(da.status, 201, da.text);
	assertError(await srv.get(`/api/v1/cases/${c.id}/attachments/${da.json.id}`, { session: xs }), 404, 'ATTACHMENT_NOT_FOUND');
	assert.equal((await srv.get('/api/v1/cases/' + c.id + '/attachments', {})).status, 401);

	// Rejected: final, no more photos (but the ones it has are still shown).
	const v = await srv.get(`/api/v1/cases/${c.id}`, { session: center });
	const r = await srv.post(`/api/v1/cases/${c.id}/actions/reject`, { session: center, json: { reason: '重复上报' }, headers: { 'If-Match': v.headers.etag } });
	assert.equal(r.status, 200, r.text);
	assertError(await upload(xs, c.id, jpeg([segment(0xfe, Buffer.from('late'))])), 409, 'ACTION_NOT_ALLOWED');
	assert.equal((await srv.get(a.json.url, { session: center })).status, 200);
});

test('a stored file damaged on disk is a 500 that is not cached, never wrong bytes', async () => {
	const c = await newCase(gw, gridCode, '损坏的文件');
	const a = await upload(gw, c.id, png(true), 'image/png', '?label=after');
	assert.ok(a.status === 201 || a.status === 200, a.text);
	const file = path.join(srv.dataDir, 'attachments', a.json.sha256.slice(0, 2), a.json.sha256);
	const good = fs.readFileSync(file);
	const bad = Buffer.from(good);
	bad[bad.length - 20] ^= 0xff;
	fs.writeFileSync(file, bad);
	try {
		const r = await srv.get(a.json.url, { session: gw });
		assertError(r, 500, 'INTERNAL');
		assert.equal(r.headers['cache-control'], 'no-store');
		assert.equal(r.headers.etag, undefined);
		fs.rmSync(file);
		assertError(await srv.get(a.json.url, { session: gw }), 500, 'INTERNAL');
		// Uploading the photo again puts the file back.
		const again = await upload(gw, c.id, png(true), 'image/png');
		assert.equal(again.status, 200, again.text);
		assert.deepEqual(fs.readFileSync(file), good);
	} finally {
		fs.writeFileSync(file, good);
	}
	const r = await srv.get(a.json.url, { session: gw });
	assert.equal(r.status, 200);
	assert.deepEqual(r.raw, good);
	assert.ok(await srv.waitForLog((e) => e.includes(`${a.json.sha256} is damaged`)));
});

test('the server exits 0 on SIGTERM', async () => {
	await srv.stop();
});
