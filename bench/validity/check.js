// Response checking: find the documented response for a status and media type, validate the body.
'use strict';
const { deref, esc, validate, mainError, errKey } = require('./lib');

function mediaBase(ct) { return (ct || '').split(';')[0].trim().toLowerCase(); }
function isJSONType(mt) { return mt === 'application/json' || /\+json$/.test(mt) || /\/json$/.test(mt) || mt === 'application/x-ndjson' && false; }

async function send(base, req, session) {
  const headers = { Accept: 'application/json, */*;q=0.5', ...req.headers };
  if (session) headers['X-Mock-Session'] = session;
  const t0 = Date.now();
  let res;
  try {
    res = await fetch(base + req.url, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body, redirect: 'manual', signal: AbortSignal.timeout(30000) });
  } catch (e) { return { error: String(e.message || e), ms: Date.now() - t0 }; }
  const text = req.method === 'HEAD' ? '' : await res.text();
  const h = (n) => res.headers.get(n);
  return { status: res.status, ct: h('content-type'), source: h('x-mock-source'), violations: h('x-mock-violations'), warning: h('x-mock-warning'), example: h('x-mock-example'), operation: h('x-mock-operation'), text, ms: Date.now() - t0 };
}

// returns {verdict: 'valid'|'invalid'|'skip', reason, errors, key}
function checkResponse(ctx, req, res) {
  const { doc, version, avRes } = ctx;
  const op = req.op; const opPtr = req.opPtr;
  const responses = op.responses || {};
  const code = String(res.status);
  let key = Object.keys(responses).find((k) => k === code) || Object.keys(responses).find((k) => k.toUpperCase() === code[0] + 'XX') || (responses.default ? 'default' : null);
  if (!key) return { verdict: 'invalid', cause: `undocumented status ${code} (documented: ${Object.keys(responses).join(',')})` };
  const { node: resp, ptr: rptr } = deref(doc, responses[key], opPtr + '/responses/' + esc(key));
  const mt = mediaBase(res.ct);
  const body = res.text;
  if (version === '2.0') {
    if (!resp.schema) {
      if (body && body.length && res.status < 300) return { verdict: 'note', cause: 'body where the description documents none' };
      return { verdict: 'skip', reason: 'no schema' };
    }
    const produces = op.produces || doc.produces || [];
    if (produces.length && mt && !produces.some((p) => mediaBase(p) === mt || p === '*/*')) {
      return { verdict: 'invalid', cause: `Content-Type ${mt} not in produces [${produces.join(',')}]` };
    }
    if (!isJSONType(mt)) return { verdict: 'skip', reason: 'non-JSON ' + mt };
    return validateJSON(avRes, rptr + '/schema', body);
  }
  const content = resp.content || {};
  const keys = Object.keys(content);
  if (!keys.length) {
    if (body && body.length && res.status < 300 && res.status !== 204) return { verdict: 'note', cause: 'body where the description documents none (' + mt + ')' };
    return { verdict: 'skip', reason: 'no content documented' };
  }
  if (!body.length) {
    if (res.status === 204 || res.status === 304) return { verdict: 'skip', reason: 'empty' };
    // empty body where content documented: only an error if a schema requires something
    return { verdict: 'invalid', cause: `empty body where ${keys.join(',')} is documented` };
  }
  let mk = keys.find((k) => mediaBase(k) === mt) || keys.find((k) => { const b = mediaBase(k); return b.endsWith('/*') && mt.startsWith(b.slice(0, -1)); }) || keys.find((k) => k === '*/*');
  if (!mk) return { verdict: 'invalid', cause: `Content-Type ${mt} not documented for ${code} (${keys.join(',')})` };
  const media = content[mk] || {};
  if (!media.schema) return { verdict: 'skip', reason: 'no schema' };
  if (!isJSONType(mt)) {
    return { verdict: 'skip', reason: 'non-JSON ' + mt };
  }
  return validateJSON(avRes, rptr + '/content/' + esc(mk) + '/schema', body);
}

function validateJSON(av, ptr, body) {
  let v;
  try { v = JSON.parse(body); } catch (e) { return { verdict: 'invalid', cause: 'body is not JSON: ' + body.slice(0, 60) }; }
  const r = validate(av, ptr, v);
  if (r.ok === null) return { verdict: 'skip', reason: r.error };
  if (r.ok) return { verdict: 'valid' };
  const e = mainError(r.errors);
  return { verdict: 'invalid', cause: errKey(e), errors: r.errors.slice(0, 8), schemaPtr: ptr };
}

module.exports = { send, checkResponse, mediaBase };
