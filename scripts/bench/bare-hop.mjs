// The reference row of `npm run bench:gateway`: the thinnest proxy Node can be on the same stack
// as ai-release (node:http in, an undici Pool out, the answer's bytes forwarded), with no auth,
// routing, budgets, receipts or metrics. What it reaches is the ceiling for any Node gateway on
// the machine, so "ai-release / bare hop" is the share of that ceiling the features cost.
//   node scripts/bench/bare-hop.mjs <upstream base URL, e.g. http://127.0.0.1:4010/v1>
import { createServer } from 'node:http';
import { Pool } from 'undici';

const upstream = new URL(process.argv[2]);
const path = `${upstream.pathname.replace(/\/+$/, '')}/chat/completions`;
const pool = new Pool(upstream.origin, { connections: null, pipelining: 1, keepAliveTimeout: 10_000 });

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const out = [];
    let status = 502;
    pool.dispatch(
      { origin: upstream.origin, path, method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) },
      {
        onConnect() {},
        onHeaders(s) {
          status = s;
          return true;
        },
        onData(c) {
          out.push(c);
          return true;
        },
        onComplete() {
          const body = out.length === 1 ? out[0] : Buffer.concat(out);
          res.writeHead(status, ['content-type', 'application/json', 'content-length', String(body.length)]);
          res.end(body);
        },
        onError(e) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(String(e.message));
        },
      },
    );
  });
}).listen(0, '127.0.0.1', function () {
  console.error(`bare hop listening on http://127.0.0.1:${this.address().port}`);
});
