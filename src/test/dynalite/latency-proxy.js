// A latency proxy for the scale benchmark: every request is forwarded to --target after --delay ms, so that
// DynamoDB calls cost what they would over a network, without a second heavyweight server in front of dynalite.
// GET /__calls answers how many requests were forwarded.
'use strict';
const http = require('http');
const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const target = new URL(args.target);
const delay = Number(args.delay || 50);
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
let calls = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__calls') {
    res.end(String(calls));
    return;
  }
  calls++;
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => setTimeout(() => {
    const body = Buffer.concat(chunks);
    const out = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url,
      headers: req.headers, agent }, up => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    out.on('error', e => { res.writeHead(502); res.end(String(e)); });
    out.end(body);
  }, delay));
});
server.keepAliveTimeout = 60000;
server.listen(Number(args.port), '127.0.0.1', () => console.log('listening on ' + args.port));
