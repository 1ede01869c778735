// events_fanout.mjs - idle cost and fan-out latency of GET /api/v1/events: opens N
// streams as one user, reports the server's RSS per stream and its CPU while they are
// idle, then creates one case in 相山区 and reports when each stream got its event.
// Usage (a running server with the demo loaded; COOKIE "cw_session=…" and CSRF from a
// sign-in of xs_center): node bench/events_fanout.mjs PORT COOKIE CSRF N SERVER_PID
import http from 'node:http';
const port = Number(process.argv[2]), cookie = process.argv[3], csrf = process.argv[4], N = Number(process.argv[5]);
const pid = Number(process.argv[6]);
import fs from 'node:fs';
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const cpu = () => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const rss0 = rss();
let got = new Map();
let streams = [];
await Promise.all(Array.from({ length: N }, (_, i) => new Promise((res) => {
  const req = http.get({ port, path: '/api/v1/events', headers: { Cookie: cookie }, agent }, (r) => {
    r.setEncoding('utf8');
    r.on('data', (d) => { const m = /data: .*"case":(\d+)/.exec(d); if (m && !got.has(i)) got.set(i, Date.now()); });
    streams.push(req); res();
  });
})));
await new Promise((r) => setTimeout(r, 1000));
const rss1 = rss(), cpu1 = cpu();
await new Promise((r) => setTimeout(r, 5000));
const cpu2 = cpu();
console.log(`${N} streams: RSS ${rss0} -> ${rss1} kB (+${((rss1 - rss0) / N).toFixed(1)} kB each); CPU while idle 5 s: ${(cpu2 - cpu1).toFixed(2)} s`);
const t0 = Date.now();
const body = JSON.stringify({ kind: 'event', category: '06010', title: 'bench', region: '340603000000' });
await new Promise((res) => { const q = http.request({ port, method: 'POST', path: '/api/v1/cases', headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (r) => { r.resume(); r.on('end', res); }); q.end(body); });
const tPost = Date.now() - t0;
while (got.size < N && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 5));
const lat = [...got.values()].map((t) => t - t0).sort((a, b) => a - b);
console.log(`POST took ${tPost} ms; ${got.size}/${N} streams got the event; from the POST's start: median ${lat[lat.length >> 1]} ms, max ${lat.at(-1)} ms`);
for (const s of streams) s.destroy();
process.exit(0);
