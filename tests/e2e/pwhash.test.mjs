// pwhash.test.mjs - password hashes at the production cost. lib.mjs sets
// CW_PASSWORD_HASH_COST=min for every other test (docs/configuration.md: for tests only);
// here the binaries run without it, as in production, and the hashes they make are
// argon2id with libsodium's INTERACTIVE limits (64 MiB, 2 passes).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { CITY, PASSWORD, cli, makeDb, randomId, startServer } from './lib.mjs';

const PRODUCTION = { CW_PASSWORD_HASH_COST: undefined }; // unset, as in production
const INTERACTIVE = /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/;

let db;
let srv;

after(async () => {
	await srv?.close();
	db?.drop();
});

function hashOf(username) {
	const r = db.exec(`SELECT password_hash FROM users WHERE username = '${username}'`);
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

test('without the setting, demo and the server hash at the production cost, and sign-in works', async () => {
	db = makeDb();
	srv = await startServer({ db, demo: true, env: PRODUCTION });
	assert.match(hashOf('admin'), INTERACTIVE, 'the demo user made by `demo`');
	const sec = await srv.login('secadmin');
	const username = `ph_${randomId(4)}`;
	const r = await srv.post('/api/v1/users', {
		session: sec,
		json: { username, name: `哈希${username}`, region: CITY, roles: ['leader'], password: PASSWORD },
	});
	assert.equal(r.status, 201, r.text);
	assert.match(hashOf(username), INTERACTIVE, 'a user made through the API');
	await srv.login(username);
	const wrong = await srv.tryLogin(username, `${PASSWORD}-wrong`);
	assert.equal(wrong.status, 401, wrong.text);
	await srv.stop();
});

test('a binary with the test setting still verifies production-cost hashes', async () => {
	const s = await startServer({ db, demo: false });
	try {
		await s.login('admin');
		assert.match(hashOf('admin'), INTERACTIVE, 'a sign-in does not rewrite the hash');
	} finally {
		await s.stop();
	}
});

test('any other value of CW_PASSWORD_HASH_COST stops every command with a clear message', () => {
	for (const v of ['low', 'MIN', '0']) {
		const r = cli(['user', '-h'], { env: { CW_PASSWORD_HASH_COST: v } });
		assert.notEqual(r.status, 0, v);
		assert.match(r.stderr, /CW_PASSWORD_HASH_COST must be 'interactive'/, v);
	}
	assert.equal(cli(['user', '-h'], { env: { CW_PASSWORD_HASH_COST: 'interactive' } }).status, 0);
});
