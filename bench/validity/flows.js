#!/usr/bin/env node
// Usage: node flows.js [LABEL...]  create → get → list → update → get → delete → get on two resources per description
'use strict';
const fs = require('fs');
const { loadDoc, makeAjv, startMock, stopMock } = require('./lib');
const { buildRequest } = require('./req');
const { send, checkResponse } = require('./check');
const C = process.env.MOCKSERVER_CORPUS;

const FLOWS = {
  petstore: { spec: `${C}/petstore.yaml`, resources: [
    { name: 'pets', create: 'POST /pets', get: 'GET /pets/{petId}', list: 'GET /pets', idParam: 'petId', createFields: { id: 4242, name: 'Survey Rex', tag: 'dog' } },
  ] },
  'petstore-v3': { spec: `${C}/real/swagger-petstore/v3-openapi.yaml`, resources: [
    { name: 'pet', create: 'POST /pet', get: 'GET /pet/{petId}', list: 'GET /pet/findByStatus', update: 'PUT /pet', del: 'DELETE /pet/{petId}', idParam: 'petId', createFields: { name: 'Survey Rex', status: 'available', photoUrls: ['https://example.com/rex.png'] }, updateFields: { name: 'Survey Max', status: 'available', photoUrls: [] }, updateIdInBody: true },
    { name: 'user', create: 'POST /user', get: 'GET /user/{username}', update: 'PUT /user/{username}', del: 'DELETE /user/{username}', idParam: 'username', idField: 'username', createFields: { username: 'surveyuser', firstName: 'Ada', email: 'ada@example.com' }, updateFields: { username: 'surveyuser', firstName: 'Grace' } },
  ] },
  stripe: { spec: `${C}/stripe-spec3.json`, resources: [
    { name: 'customers', create: 'POST /v1/customers', get: 'GET /v1/customers/{customer}', list: 'GET /v1/customers', update: 'POST /v1/customers/{customer}', del: 'DELETE /v1/customers/{customer}', idParam: 'customer', listItems: 'data', createFields: { name: 'Survey Ltd', email: 'billing@example.com' }, updateFields: { name: 'Survey Renamed' } },
    { name: 'products', create: 'POST /v1/products', get: 'GET /v1/products/{id}', list: 'GET /v1/products', update: 'POST /v1/products/{id}', del: 'DELETE /v1/products/{id}', idParam: 'id', listItems: 'data', createFields: { name: 'Survey Widget', description: 'A widget' }, updateFields: { name: 'Survey Widget 2' } },
  ] },
  github: { spec: `${C}/github-api.github.com.json`, resources: [
    { name: 'issues', create: 'POST /repos/{owner}/{repo}/issues', get: 'GET /repos/{owner}/{repo}/issues/{issue_number}', list: 'GET /repos/{owner}/{repo}/issues', update: 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', idParam: 'issue_number', idField: 'number', createFields: { title: 'Survey bug', body: 'It breaks' }, updateFields: { title: 'Survey bug (renamed)', state: 'closed' } },
    { name: 'gists', create: 'POST /gists', get: 'GET /gists/{gist_id}', list: 'GET /gists', update: 'PATCH /gists/{gist_id}', del: 'DELETE /gists/{gist_id}', idParam: 'gist_id', createFields: { description: 'Survey gist', public: true, files: { 'a.txt': { content: 'hello' } } }, updateFields: { description: 'Survey gist 2' } },
  ] },
  openai: { spec: `${C}/real/openai/openapi.yaml`, resources: [
    { name: 'assistants', create: 'POST /assistants', get: 'GET /assistants/{assistant_id}', list: 'GET /assistants', update: 'POST /assistants/{assistant_id}', del: 'DELETE /assistants/{assistant_id}', idParam: 'assistant_id', listItems: 'data', createFields: { model: 'gpt-4o', name: 'Survey bot' }, updateFields: { name: 'Survey bot 2' } },
    { name: 'vector_stores', create: 'POST /vector_stores', get: 'GET /vector_stores/{vector_store_id}', list: 'GET /vector_stores', update: 'POST /vector_stores/{vector_store_id}', del: 'DELETE /vector_stores/{vector_store_id}', idParam: 'vector_store_id', listItems: 'data', createFields: { name: 'Survey store' }, updateFields: { name: 'Survey store 2' } },
  ] },
  museum: { spec: `${C}/real/redocly-museum/openapi.yaml`, resources: [
    { name: 'special-events', create: 'POST /special-events', get: 'GET /special-events/{eventId}', list: 'GET /special-events', update: 'PATCH /special-events/{eventId}', del: 'DELETE /special-events/{eventId}', idParam: 'eventId', idField: 'eventId', createFields: { name: 'Survey Night', location: 'Hall 1', eventDescription: 'x', dates: ['2024-01-02'], price: 10 }, updateFields: { name: 'Survey Night 2' } },
  ] },
  gitea: { spec: `${C}/real/gitea/gitea.json`, resources: [
    { name: 'labels', create: 'POST /repos/{owner}/{repo}/labels', get: 'GET /repos/{owner}/{repo}/labels/{id}', list: 'GET /repos/{owner}/{repo}/labels', update: 'PATCH /repos/{owner}/{repo}/labels/{id}', del: 'DELETE /repos/{owner}/{repo}/labels/{id}', idParam: 'id', createFields: { name: 'survey', color: '#00aabb' }, updateFields: { name: 'survey2' } },
    { name: 'milestones', create: 'POST /repos/{owner}/{repo}/milestones', get: 'GET /repos/{owner}/{repo}/milestones/{id}', list: 'GET /repos/{owner}/{repo}/milestones', update: 'PATCH /repos/{owner}/{repo}/milestones/{id}', del: 'DELETE /repos/{owner}/{repo}/milestones/{id}', idParam: 'id', createFields: { title: 'v1', description: 'first' }, updateFields: { title: 'v1.1' } },
  ] },
  box: { spec: `${C}/real/box/openapi.json`, resources: [
    { name: 'webhooks', create: 'POST /webhooks', get: 'GET /webhooks/{webhook_id}', list: 'GET /webhooks', update: 'PUT /webhooks/{webhook_id}', del: 'DELETE /webhooks/{webhook_id}', idParam: 'webhook_id', listItems: 'entries', createFields: { target: { id: '21322', type: 'file' }, address: 'https://example.com/hook', triggers: ['FILE.UPLOADED'] }, updateFields: { address: 'https://example.com/hook2' } },
    { name: 'folders', create: 'POST /folders', get: 'GET /folders/{folder_id}', update: 'PUT /folders/{folder_id}', del: 'DELETE /folders/{folder_id}', idParam: 'folder_id', createFields: { name: 'Survey folder', parent: { id: '0' } }, updateFields: { name: 'Survey folder 2' } },
  ] },
  twilio: { spec: `${C}/real/twilio/twilio_api_v2010.yaml`, resources: [
    { name: 'queues', create: 'POST /2010-04-01/Accounts/{AccountSid}/Queues.json', get: 'GET /2010-04-01/Accounts/{AccountSid}/Queues/{Sid}.json', list: 'GET /2010-04-01/Accounts/{AccountSid}/Queues.json', update: 'POST /2010-04-01/Accounts/{AccountSid}/Queues/{Sid}.json', del: 'DELETE /2010-04-01/Accounts/{AccountSid}/Queues/{Sid}.json', idParam: 'Sid', idField: 'sid', listItems: 'queues', createFields: { FriendlyName: 'survey-queue' }, updateFields: { FriendlyName: 'survey-queue-2' }, fieldMap: { FriendlyName: 'friendly_name' } },
  ] },
};

function routeOf(routes, spec) { const [m, p] = spec.split(' '); return routes.find((r) => r.method === m && r.path === p) || { method: m, path: p }; }
function parseJSON(t) { try { return JSON.parse(t); } catch (e) { return undefined; } }
function idFromLocation(res) { return undefined; }

async function step(ctx, base, session, routes, spec, pathParams, fields, log, what, idInBody) {
  const route = routeOf(routes, spec);
  let req = buildRequest(ctx, route, { pathParams, withBody: !!fields });
  if (req.skip) { log.push({ what, skip: req.skip }); return null; }
  let sentFields = null;
  if (fields) {
    const baseBody = ctx.lastBody && typeof ctx.lastBody === 'object' ? ctx.lastBody : {};
    const body = { ...baseBody, ...fields, ...(idInBody || {}) };
    req = buildRequest(ctx, route, { pathParams, withBody: true, body });
    sentFields = ctx.lastBody;
  }
  const res = await send(base, req, session);
  const rec = { what, request: `${req.method} ${req.url}${typeof req.body === 'string' ? ' ' + req.body.slice(0, 300) : ''}`, selfProblems: req.problems, status: res.status, source: res.source, answeredBy: res.operation, violations: res.violations, warning: res.warning };
  rec.check = res.error ? { verdict: 'error', cause: res.error } : checkResponse(ctx, req, res);
  rec.body = (res.text || '').slice(0, 600);
  rec.json = parseJSON(res.text || '');
  rec.sent = sentFields;
  log.push(rec);
  return rec;
}

function compare(sent, got, fieldMap = {}) {
  const diffs = [];
  if (!sent || !got || typeof got !== 'object') return ['no object to compare'];
  for (const [k, v] of Object.entries(sent)) {
    const gk = fieldMap[k] || k;
    if (!(gk in got)) { diffs.push(`${gk} missing`); continue; }
    if (JSON.stringify(got[gk]) !== JSON.stringify(v) && String(got[gk]) !== String(v)) diffs.push(`${gk}: sent ${JSON.stringify(v).slice(0, 60)} got ${JSON.stringify(got[gk]).slice(0, 60)}`);
  }
  return diffs;
}

async function runFlows(label, port) {
  const f = FLOWS[label];
  const { doc, version } = await loadDoc(f.spec);
  const ctx = { doc, version, avRes: makeAjv(doc, version, 'response'), avReq: makeAjv(doc, version, 'request') };
  const mock = await startMock(process.env.MS_BIN, f.spec, port);
  const base = `http://127.0.0.1:${port}`;
  const results = [];
  try {
    for (const r of f.resources) {
      const session = `flow-${label}-${r.name}-${Date.now()}`;
      const log = [];
      const idField = r.idField || 'id';
      // fixed path params (owner/repo, AccountSid…): the values the generator picks for the create route
      const pre = buildRequest(ctx, routeOf(mock.routes, r.create), {});
      const fixed = { ...(pre.pathValues || {}) };
      const created = await step(ctx, base, session, mock.routes, r.create, fixed, r.createFields, log, 'create');
      let id = created && created.json && typeof created.json === 'object' ? created.json[idField] : undefined;
      const notes = [];
      if (id === undefined) { notes.push(`create answered no ${idField}; using the ${idField} sent`); id = (created && created.sent && created.sent[idField]) ?? r.createFields[idField] ?? (created && created.json && created.json.id); }
      const pp = { ...fixed, [r.idParam]: id ?? 'missing' };
      if (created) { const d = compare(r.createFields, created.json, r.fieldMap); if (d.length) notes.push('create answer vs sent: ' + d.join('; ')); }
      const got = await step(ctx, base, session, mock.routes, r.get, pp, null, log, 'get');
      if (got && created) { const d = compare(r.createFields, got.json, r.fieldMap); if (d.length) notes.push('get vs created: ' + d.join('; ')); if (got.json && got.json[idField] !== id) notes.push(`get ${idField}=${JSON.stringify(got.json && got.json[idField])} ≠ created ${JSON.stringify(id)}`); }
      if (r.list) {
        const li = await step(ctx, base, session, mock.routes, r.list, fixed, null, log, 'list');
        if (li && li.json) {
          const arr = r.listItems ? li.json[r.listItems] : li.json;
          if (!Array.isArray(arr)) notes.push('list: no array at ' + (r.listItems || 'root'));
          else if (!arr.some((x) => x && (x[idField] === id || x.id === id))) notes.push(`list: created ${idField} ${JSON.stringify(id)} not among ${arr.length} items (${JSON.stringify(arr.map((x) => x && x[idField])).slice(0, 100)})`);
        }
      }
      if (r.update) {
        const up = await step(ctx, base, session, mock.routes, r.update, pp, r.updateFields, log, 'update', r.updateIdInBody ? { id } : null);
        if (up) { const d = compare(r.updateFields, up.json, r.fieldMap); if (d.length) notes.push('update answer vs sent: ' + d.join('; ')); }
        const g2 = await step(ctx, base, session, mock.routes, r.get, pp, null, log, 'get-after-update');
        if (g2) { const d = compare(r.updateFields, g2.json, r.fieldMap); if (d.length) notes.push('get after update: ' + d.join('; ')); }
      }
      if (r.del) {
        await step(ctx, base, session, mock.routes, r.del, pp, null, log, 'delete');
        const g3 = await step(ctx, base, session, mock.routes, r.get, pp, null, log, 'get-after-delete');
        if (g3 && g3.status < 400) notes.push(`get after delete answered ${g3.status}`);
      }
      results.push({ label, resource: r.name, notes, log });
    }
  } finally { stopMock(mock); }
  return results;
}

async function main() {
  const labels = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(FLOWS);
  const all = [];
  let port = 4790;
  for (const l of labels) {
    const res = await runFlows(l, port++);
    all.push(...res);
    for (const r of res) {
      console.log(`\n### ${l} / ${r.resource}`);
      for (const s of r.log) {
        if (s.skip) { console.log(`  ${s.what}: SKIP ${s.skip}`); continue; }
        const v = s.check.verdict === 'invalid' ? 'INVALID ' + s.check.cause : s.check.verdict;
        console.log(`  ${s.what.padEnd(17)} ${s.request.slice(0, 150)}\n      → ${s.status} src=${s.source}${s.answeredBy ? ' op=' + s.answeredBy : ''} ${v}${s.violations ? ' VIOLATIONS ' + s.violations.slice(0, 300) : ''}${s.selfProblems && s.selfProblems.length ? ' SELF ' + s.selfProblems.join(';').slice(0, 200) : ''}\n      body ${s.body.slice(0, 200)}`);
      }
      console.log('  consistency: ' + (r.notes.length ? r.notes.join('\n               ') : 'ok'));
    }
  }
  fs.mkdirSync(process.env.VALIDITY_RESULTS, { recursive: true });
  fs.writeFileSync(`${process.env.VALIDITY_RESULTS}/flows.json`, JSON.stringify(all, null, 1));
}
main().catch((e) => { console.error(e); process.exit(1); });
