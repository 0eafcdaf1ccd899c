#!/usr/bin/env node
// Usage: node report.js [LABEL...]   summarises results/LABEL.jsonl (all when none given)
'use strict';
const fs = require('fs');
const labels = process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(process.env.VALIDITY_RESULTS).filter((f) => f.endsWith('.jsonl')).map((f) => f.replace(/\.jsonl$/, ''));
const verbose = process.env.V === '1';
for (const label of labels) {
  const recs = fs.readFileSync(`${process.env.VALIDITY_RESULTS}/${label}.jsonl`, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const c = { ops: recs.length, skipped: 0, errors: 0, selfBad: 0, refused: 0, refusedSelfBad: 0, ok2xx3xx: 0, valid: 0, invalid: 0, noted: 0, notChecked: 0, other: 0 };
  const refusedGroups = new Map(); const otherGroups = new Map(); const invalidGroups = new Map(); const statusCount = {}; const sources = {}; const skipReasons = {};
  for (const r of recs) {
    if (r.skip) { c.skipped++; skipReasons[r.skip] = (skipReasons[r.skip] || 0) + 1; continue; }
    if (r.error) { c.errors++; continue; }
    statusCount[r.status] = (statusCount[r.status] || 0) + 1;
    const self = r.selfProblems && r.selfProblems.length;
    if (self) c.selfBad++;
    if (r.status >= 400 && r.status < 500 && r.violations) {
      c.refused++; if (self) c.refusedSelfBad++;
      let v; try { v = JSON.parse(r.violations); } catch (e) { v = [{ message: r.violations }]; }
      const k = (self ? '[my request flagged by self-check] ' : '') + v.map((x) => `${x.code || ''} ${(x.location || []).slice(0, 1).join('.')}: ${(x.message || '').replace(/"[^"]{0,80}"/g, '"…"').slice(0, 140)}`).slice(0, 2).join(' | ');
      if (!refusedGroups.has(k)) refusedGroups.set(k, []);
      refusedGroups.get(k).push(r);
      continue;
    }
    if (r.status >= 200 && r.status < 400) {
      c.ok2xx3xx++;
      sources[r.source] = (sources[r.source] || 0) + 1;
      const ch = r.check || {};
      if (ch.verdict === 'valid') c.valid++;
      else if (ch.verdict === 'invalid' || ch.verdict === 'note') {
        if (ch.verdict === 'invalid') c.invalid++; else c.noted++;
        const cls = r.source === 'example' && r.warning ? 'description-example(warned)' : (r.source || 'none');
        const k = `${cls} :: ${(ch.cause || '').replace(/ \[#\/required\]$/, '').replace(/ \[#\/paths[^\]]*\]$/, ' [inline]')}`;
        if (!invalidGroups.has(k)) invalidGroups.set(k, []);
        invalidGroups.get(k).push(r);
      } else { c.notChecked++; skipReasons['check: ' + (ch.reason || '').slice(0, 60)] = (skipReasons['check: ' + (ch.reason || '').slice(0, 60)] || 0) + 1; }
    } else {
      c.other++;
      const ch = r.check || {};
      const k = `[${r.status}] ${ch.verdict === 'invalid' || ch.verdict === 'note' ? 'INVALID ' + r.source + ' :: ' + ch.cause : ch.verdict + ' ' + r.source}`;
      if (!otherGroups.has(k)) otherGroups.set(k, []);
      otherGroups.get(k).push(r);
    }
  }
  console.log(`\n===== ${label} =====`);
  console.log(JSON.stringify(c));
  console.log('statuses', JSON.stringify(statusCount), 'sources(2xx/3xx)', JSON.stringify(sources));
  console.log('skips', JSON.stringify(skipReasons));
  console.log(`-- refused (4xx with X-Mock-Violations): ${c.refused}`);
  for (const [k, rs] of [...refusedGroups].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${rs.length}× ${k}`);
    for (const r of rs.slice(0, verbose ? 5 : 1)) console.log(`      e.g. ${r.request.method} ${r.request.url.slice(0, 200)} ${r.request.body ? 'body=' + r.request.body.slice(0, 200) : ''} → ${r.status} ${verbose ? r.violations.slice(0, 600) : ''}`);
  }
  console.log(`-- other non-2xx/3xx answers without violations: ${c.other}`);
  for (const [k, rs] of [...otherGroups].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${rs.length}× ${k.slice(0, 300)}`);
    for (const r of rs.slice(0, verbose ? 3 : 1)) console.log(`      e.g. ${r.request.method} ${r.request.url.slice(0, 160)} ${r.request.body ? 'body=' + r.request.body.slice(0, 120) : ''} → ${r.status} ${r.ct} body=${(r.bodyHead || '').slice(0, 160)}`);
  }
  console.log(`-- invalid 2xx/3xx answers: ${c.invalid} (+${c.noted} notes)`);
  for (const [k, rs] of [...invalidGroups].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${rs.length}× ${k.slice(0, 400)}`);
    for (const r of rs.slice(0, verbose ? 3 : 1)) console.log(`      e.g. ${r.request.method} ${r.request.url.slice(0, 160)} → ${r.status} ${r.ct} src=${r.source}${r.warning ? ' warn=' + r.warning.slice(0, 100) : ''} body=${(r.bodyHead || '').slice(0, verbose ? 400 : 160)}`);
  }
}
