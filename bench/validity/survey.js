#!/usr/bin/env node
// Usage: node survey.js LABEL SPECFILE [PORT] [--only OPID]
// Sends one valid request per operation to a fresh mock, validates every answer with ajv.
'use strict';
const fs = require('fs');
const { loadDoc, makeAjv, startMock, stopMock } = require('./lib');
const { buildRequest } = require('./req');
const { send, checkResponse } = require('./check');

async function main() {
  const [label, spec, portArg] = process.argv.slice(2);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  const port = Number(portArg || 4711);
  const bin = process.env.MS_BIN;
  const t0 = Date.now();
  const { doc, version } = await loadDoc(spec);
  const ctx = { doc, version };
  ctx.avRes = makeAjv(doc, version, 'response');
  ctx.avReq = makeAjv(doc, version, 'request');
  console.error(`[${label}] loaded ${version} in ${Date.now() - t0}ms`);
  const mock = await startMock(bin, spec, port);
  const base = `http://127.0.0.1:${port}`;
  fs.mkdirSync(process.env.VALIDITY_RESULTS, { recursive: true });
  const out = fs.createWriteStream(`${process.env.VALIDITY_RESULTS}/${label}.jsonl`);
  let i = 0;
  try {
    for (const route of mock.routes) {
      i++;
      if (only && route.operation !== only) continue;
      const rec = { label, i, method: route.method, path: route.path, operation: route.operation, kind: route.kind };
      let req;
      try { req = buildRequest(ctx, route); } catch (e) { req = { skip: 'build error: ' + e.message }; }
      if (req.skip) { rec.skip = req.skip; out.write(JSON.stringify(rec) + '\n'); continue; }
      rec.request = { method: req.method, url: req.url, headers: req.headers, body: typeof req.body === 'string' ? req.body.slice(0, 2000) : (req.body ? '[multipart]' : undefined), security: req.security, bodyNote: req.bodyNote };
      rec.selfProblems = req.problems;
      const res = await send(base, req, `survey-${i}`);
      if (res.error) { rec.error = res.error; out.write(JSON.stringify(rec) + '\n'); continue; }
      Object.assign(rec, { answeredBy: res.operation, status: res.status, ct: res.ct, source: res.source, violations: res.violations, warning: res.warning, example: res.example, ms: res.ms });
      rec.bodyHead = res.text.slice(0, 1500);
      if (res.operation && route.operation && res.operation !== route.operation) rec.check = { verdict: 'skip', reason: 'answered by another operation: ' + res.operation };
      else try { rec.check = checkResponse(ctx, req, res); } catch (e) { rec.check = { verdict: 'skip', reason: 'check error: ' + e.message }; }
      out.write(JSON.stringify(rec) + '\n');
      if (i % 100 === 0) console.error(`[${label}] ${i}/${mock.routes.length}`);
    }
  } finally {
    stopMock(mock);
    out.end();
    fs.writeFileSync(`${process.env.VALIDITY_RESULTS}/${label}.stderr.log`, mock.stderr().slice(-100000));
  }
  console.error(`[${label}] done in ${Date.now() - t0}ms`);
}
main().catch((e) => { console.error(e); process.exit(1); });
