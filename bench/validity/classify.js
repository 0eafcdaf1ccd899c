#!/usr/bin/env node
// Usage: node classify.js [LABEL...]  — buckets every answer of results/LABEL.jsonl by cause, with counts per description
'use strict';
const fs = require('fs');
const labels = process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(process.env.VALIDITY_RESULTS).filter((f) => f.endsWith('.jsonl')).map((f) => f.replace(/\.jsonl$/, ''));

function bucket(r) {
  if (r.skip) return 'x: request not built (' + r.skip + ')';
  if (r.error) return 'M: no answer (' + r.error + ')';
  const ch = r.check || {};
  const cause = ch.cause || '';
  if (r.status >= 400 && r.status < 500 && r.violations) return (r.selfProblems && r.selfProblems.length ? 'x: refused, my request was invalid' : 'R: refused a valid request (false positive?)');
  if (ch.verdict === 'skip' && /answered by another/.test(ch.reason || '')) return 'x: answered by another operation';
  const src = r.source || '';
  const m = r.method;
  if (ch.verdict !== 'invalid' && ch.verdict !== 'note') {
    if (r.status === 404 && m === 'DELETE') return 'D2: DELETE of an id never seen → 404 (documented, so valid)';
    if (r.status === 404 && m === 'GET') return 'E2: item GET → 404 (documented, so valid)';
    if (r.status >= 400) return `ok: ${r.status} other`;
    return 'ok: valid or not checkable';
  }
  if (/^undocumented status 404/.test(cause)) return m === 'GET' ? 'E: item GET → undocumented 404 (answer of the operation is an array / unknown singleton)' : `D: ${m} of an id never seen → undocumented 404 problem`;
  if (/^undocumented status 2/.test(cause)) return 'I: undocumented 2xx where only errors are documented';
  if (/^undocumented status/.test(cause)) return 'I2: other undocumented status';
  if (src === 'example' && r.warning) return 'W: description example breaks its schema (served with X-Mock-Warning)';
  if (src.startsWith('example')) return 'X: example served without warning but invalid';
  if (src.startsWith('state')) {
    if (m === 'DELETE') return 'C: DELETE answers the stored record, not the documented delete schema';
    if (/^type \/ must be object/.test(cause) && m === 'GET') return 'F: state list answered as a bare array where an object envelope is documented';
    if (/^type \/ must be array/.test(cause)) return 'G: write whose documented answer is an array answered with one record';
    if (/additionalProperties .*\((created_at|updated_at|createdAt|updatedAt|created|updated|id)\)/.test(cause)) return 'H: timestamps/id added to a record whose schema forbids them';
    if (m === 'GET') return 'A2: GET of a state record fails its schema';
    return 'A: state write answers the request body (+id/timestamps), not a full resource';
  }
  if (src.startsWith('generated')) return 'B: generated data breaks its schema';
  if (/Content-Type/.test(cause)) return 'T: Content-Type not documented';
  return 'O: other (' + src + ')';
}

const totals = new Map();
const per = {};
for (const label of labels) {
  const recs = fs.readFileSync(`${process.env.VALIDITY_RESULTS}/${label}.jsonl`, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  per[label] = {};
  for (const r of recs) {
    const b = bucket(r);
    per[label][b] = (per[label][b] || 0) + 1;
    if (!totals.has(b)) totals.set(b, []);
    totals.get(b).push(r);
  }
}
const keys = [...totals.keys()].sort();
console.log('bucket'.padEnd(100) + labels.map((l) => l.slice(0, 11).padStart(12)).join('') + '    total');
for (const k of keys) console.log(k.slice(0, 99).padEnd(100) + labels.map((l) => String(per[l][k] || '').padStart(12)).join('') + String(totals.get(k).length).padStart(9));
if (process.env.EX) {
  for (const k of keys) {
    if (k.startsWith('ok') || k.startsWith('x:')) continue;
    console.log('\n## ' + k);
    const seen = new Set();
    for (const r of totals.get(k)) {
      if (seen.has(r.label) && seen.size < 6) continue;
      if (seen.size >= 6) break;
      seen.add(r.label);
      console.log(`  [${r.label}] ${r.request ? r.request.method + ' ' + r.request.url.slice(0, 140) : r.method + ' ' + r.path} ${r.request && r.request.body ? 'body=' + r.request.body.slice(0, 140) : ''}`);
      console.log(`     → ${r.status} ${r.ct || ''} src=${r.source} ${(r.check && r.check.cause) || ''}`.slice(0, 400));
      console.log(`     body ${(r.bodyHead || '').slice(0, 260)}`);
    }
  }
}
