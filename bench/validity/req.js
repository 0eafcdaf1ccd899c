// Request building: parameters, bodies and credentials valid for an operation.
'use strict';
const { deref, esc, Gen, validate } = require('./lib');
const Ajv07 = require('ajv').default;
const addFormats = require('ajv-formats').default;

const inlineAjv = new Ajv07({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false, logger: false });
addFormats(inlineAjv);
for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']) inlineAjv.addFormat(f, true);

const PARAM_SCHEMA_KEYS = ['type', 'format', 'items', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf', 'default'];
function v2ParamSchema(p) {
  const s = {};
  for (const k of PARAM_SCHEMA_KEYS) if (p[k] !== undefined) s[k] = p[k];
  if (s.type === 'file') delete s.type;
  for (const [kw, b] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']]) if (s[kw] === true) { s[kw] = s[b]; delete s[b]; } else if (s[kw] === false) delete s[kw];
  return s;
}
function inlineValid(schema, value) {
  try { const v = inlineAjv.compile(schema); const ok = v(value); return { ok, errors: v.errors || [] }; } catch (e) { return { ok: null, errors: [{ message: 'compile: ' + e.message }] }; }
}

function collectParams(doc, pathItem, op, pathPtr, opPtr) {
  const m = new Map();
  const add = (list, base) => (list || []).forEach((p, i) => {
    const { node, ptr } = deref(doc, p, base + '/parameters/' + i);
    if (node && node.name) m.set(node.in + ':' + node.name, { p: node, ptr });
  });
  add(pathItem.parameters, pathPtr);
  add(op.parameters, opPtr);
  return [...m.values()];
}

function serializeSimple(v) {
  if (Array.isArray(v)) return v.map(String).join(',');
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => k + ',' + x).join(',');
  return String(v);
}

// value for a parameter, checked against its schema; tries examples first, then generated values
function paramValue(ctx, p, ptr) {
  const { doc, version, avReq } = ctx;
  const cands = [];
  if (version === '2.0') {
    const s = v2ParamSchema(p);
    if (p['x-example'] !== undefined) cands.push(p['x-example']);
    for (let variant = 0; variant < 3; variant++) cands.push(new Gen(doc, version, { variant, minOne: true }).gen(s));
    cands.push(new Gen(doc, version, { useExamples: false, minOne: true }).gen(s));
    for (const c of cands) { const r = inlineValid(s, c); if (r.ok !== false) return { value: c, ok: true }; }
    return { value: cands[0], ok: false, err: 'no valid value for param ' + p.name };
  }
  let sptr = ptr + '/schema';
  let schema = p.schema;
  let contentMT = null;
  if (!schema && p.content) { contentMT = Object.keys(p.content)[0]; schema = p.content[contentMT].schema; sptr = ptr + '/content/' + esc(contentMT) + '/schema'; }
  if (p.example !== undefined) cands.push(p.example);
  if (p.examples) for (const e of Object.values(p.examples)) { const ev = deref(doc, e, '').node; if (ev && ev.value !== undefined) cands.push(ev.value); }
  for (let variant = 0; variant < 3; variant++) cands.push(new Gen(doc, version, { variant, minOne: true }).gen(schema || { type: 'string' }));
  cands.push(new Gen(doc, version, { useExamples: false, minOne: true }).gen(schema || { type: 'string' }));
  if (!schema) return { value: cands[0] ?? 'x', ok: true, contentMT };
  for (const c of cands) { const r = validate(avReq, sptr, c); if (r.ok !== false) return { value: c, ok: true, contentMT }; }
  return { value: cands[0], ok: false, err: 'no valid value for param ' + p.name, contentMT };
}

function bodyValue(ctx, schemaPtr, schema, mediaObj, extra = {}, form = false) {
  const { doc, version, avReq } = ctx;
  const cands = [];
  if (extra.body !== undefined) cands.push(extra.body);
  if (form) for (let variant = 0; variant < 3; variant++) cands.push(new Gen(doc, version, { variant, nonEmpty: true, extraProps: extra.extraProps || 0 }).gen(schema));
  if (mediaObj) {
    if (mediaObj.example !== undefined) cands.push(mediaObj.example);
    if (mediaObj.examples) for (const e of Object.values(mediaObj.examples)) { const ev = deref(doc, e, '').node; if (ev && ev.value !== undefined) cands.push(ev.value); }
  }
  for (let variant = 0; variant < 4; variant++) cands.push(new Gen(doc, version, { variant, extraProps: extra.extraProps || 0 }).gen(schema));
  for (let variant = 0; variant < 4; variant++) cands.push(new Gen(doc, version, { variant, useExamples: false, extraProps: extra.extraProps || 0 }).gen(schema));
  let firstErr = null;
  for (const c of cands) {
    if (c === undefined) continue;
    const r = validate(avReq, schemaPtr, c);
    if (r.ok !== false) return { value: c, ok: true };
    if (!firstErr) firstErr = r.errors;
  }
  return { value: cands.find((c) => c !== undefined), ok: false, err: JSON.stringify((firstErr || []).slice(0, 2)) };
}

// form encoding (deepObject brackets for nested objects/arrays of objects, repeated keys for arrays of primitives)
function formEncode(obj) {
  const parts = [];
  const enc = encodeURIComponent;
  const walk = (prefix, v) => {
    if (v === null || v === undefined) { parts.push(enc(prefix) + '='); return; }
    if (Array.isArray(v)) {
      if (v.every((x) => x === null || typeof x !== 'object')) { if (!v.length) parts.push(enc(prefix) + '='); v.forEach((x) => parts.push(enc(prefix) + '=' + enc(String(x)))); }
      else v.forEach((x, i) => walk(`${prefix}[${i}]`, x));
      return;
    }
    if (typeof v === 'object') { const e = Object.entries(v); if (!e.length) parts.push(enc(prefix) + '='); e.forEach(([k, x]) => walk(`${prefix}[${k}]`, x)); return; }
    parts.push(enc(prefix) + '=' + enc(String(v)));
  };
  for (const [k, v] of Object.entries(obj || {})) walk(k, v);
  return parts.join('&');
}
function multipartEncode(obj, schema, doc) {
  const fd = new FormData();
  const props = (schema && deref(doc, schema, '').node || {}).properties || {};
  for (const [k, v] of Object.entries(obj || {})) {
    const ps = props[k] ? deref(doc, props[k], '').node || {} : {};
    if (ps.format === 'binary' || ps.type === 'file' || ps.contentMediaType || ps.contentEncoding) fd.append(k, new Blob([String(v ?? 'x')], { type: 'application/octet-stream' }), 'survey.bin');
    else if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) v.forEach((x) => fd.append(k, String(x)));
    else if (v && typeof v === 'object') fd.append(k, new Blob([JSON.stringify(v)], { type: 'application/json' }));
    else fd.append(k, String(v));
  }
  return fd;
}

function pickMedia(keys) {
  const order = [
    (k) => k === 'application/json',
    (k) => /^application\/json\s*;/.test(k),
    (k) => /\+json/.test(k) || /\/json/.test(k),
    (k) => k === 'application/x-www-form-urlencoded',
    (k) => k === 'multipart/form-data',
    (k) => k === '*/*' || k === 'application/*',
    (k) => k.startsWith('text/'),
    (k) => k === 'application/octet-stream',
    () => true,
  ];
  for (const f of order) { const k = keys.find((x) => f(x.toLowerCase())); if (k) return k; }
  return null;
}

function applySecurity(ctx, op, headers, query, cookies) {
  const { doc, version } = ctx;
  const reqs = op.security !== undefined ? op.security : doc.security;
  if (!reqs || !reqs.length) return 'none';
  if (reqs.some((r) => Object.keys(r).length === 0)) return 'optional';
  const schemes = version === '2.0' ? (doc.securityDefinitions || {}) : ((doc.components || {}).securitySchemes || {});
  const req = reqs[0];
  const used = [];
  for (const name of Object.keys(req)) {
    const s = deref(doc, schemes[name], '').node;
    if (!s) { used.push(name + '?'); continue; }
    const t = (s.type || '').toLowerCase();
    if (t === 'basic' || (t === 'http' && (s.scheme || '').toLowerCase() === 'basic')) headers['Authorization'] = 'Basic ' + Buffer.from('survey:secret').toString('base64');
    else if (t === 'http') headers['Authorization'] = ((s.scheme || 'bearer').toLowerCase() === 'bearer' ? 'Bearer' : s.scheme) + ' survey-token';
    else if (t === 'apikey') {
      if (s.in === 'header') headers[s.name] = 'survey-key';
      else if (s.in === 'query') query.push([s.name, 'survey-key']);
      else if (s.in === 'cookie') cookies.push([s.name, 'survey-key']);
    } else headers['Authorization'] = 'Bearer survey-token';
    used.push(name);
  }
  return used.join('+');
}

// Build a valid request for route {method, path}. overrides: {pathParams:{}, body:any, extraProps, withBody}
function buildRequest(ctx, route, overrides = {}) {
  const { doc, version } = ctx;
  const pathItem = doc.paths[route.path];
  if (!pathItem) return { skip: 'path not in description' };
  const method = route.method.toLowerCase();
  const op = pathItem[method];
  if (!op) return { skip: 'method not in description' };
  const pathPtr = '/paths/' + esc(route.path);
  const opPtr = pathPtr + '/' + method;
  const params = collectParams(doc, pathItem, op, pathPtr, opPtr);
  const problems = [];
  let url = route.path;
  const query = []; const headers = {}; const cookies = [];
  let formData = null;
  const pathValues = {};
  for (const { p, ptr } of params) {
    if (p.in === 'body') continue;
    const isPath = p.in === 'path';
    if (!isPath && !p.required) continue;
    if (p.in === 'formData') { (formData = formData || []).push({ p, ptr }); continue; }
    let pv;
    if (isPath && overrides.pathParams && overrides.pathParams[p.name] !== undefined) pv = { value: overrides.pathParams[p.name], ok: true };
    else pv = paramValue(ctx, p, ptr);
    if (!pv.ok) problems.push(pv.err);
    let v = pv.value;
    if (pv.contentMT) v = JSON.stringify(v);
    if (isPath) {
      pathValues[p.name] = v;
      url = url.split('{' + p.name + '}').join(encodeURIComponent(serializeSimple(v)));
    } else if (p.in === 'query') {
      const style = p.style || (version === '2.0' ? null : 'form');
      const explode = p.explode !== undefined ? p.explode : style === 'form';
      if (Array.isArray(v)) {
        if (version === '2.0') {
          const cf = p.collectionFormat || 'csv';
          if (cf === 'multi') v.forEach((x) => query.push([p.name, String(x)]));
          else query.push([p.name, v.join({ csv: ',', ssv: ' ', tsv: '\t', pipes: '|' }[cf] || ',')]);
        } else if (explode && style === 'form') v.forEach((x) => query.push([p.name, String(x)]));
        else query.push([p.name, v.join(style === 'pipeDelimited' ? '|' : style === 'spaceDelimited' ? ' ' : ',')]);
      } else if (v && typeof v === 'object') {
        if (style === 'deepObject') Object.entries(v).forEach(([k, x]) => query.push([`${p.name}[${k}]`, String(x)]));
        else if (explode) Object.entries(v).forEach(([k, x]) => query.push([k, String(x)]));
        else query.push([p.name, serializeSimple(v)]);
      } else query.push([p.name, String(v)]);
    } else if (p.in === 'header') headers[p.name] = serializeSimple(v);
    else if (p.in === 'cookie') cookies.push([p.name, serializeSimple(v)]);
  }
  if (/\{[^}]+\}/.test(url)) problems.push('unfilled path params ' + url);
  const security = applySecurity(ctx, op, headers, query, cookies);
  let body; let bodyNote = null;
  const wantBody = overrides.withBody;
  if (version === '2.0') {
    const bp = params.find((x) => x.p.in === 'body');
    const consumes = op.consumes || doc.consumes || ['application/json'];
    if (bp && (bp.p.required || wantBody)) {
      const mt = pickMedia(consumes) || 'application/json';
      const bv = bodyValue(ctx, bp.ptr + '/schema', bp.p.schema, null, overrides);
      if (!bv.ok) problems.push('body: ' + bv.err);
      if (/json|\*\/\*/.test(mt)) { headers['Content-Type'] = /\*/.test(mt) ? 'application/json' : mt; body = JSON.stringify(bv.value); }
      else { headers['Content-Type'] = mt; body = typeof bv.value === 'string' ? bv.value : JSON.stringify(bv.value); bodyNote = 'non-json body ' + mt; }
      ctx.lastBody = bv.value;
    } else if (formData && formData.length) {
      const obj = {};
      for (const { p } of formData) {
        if (!p.required && !(overrides.body && overrides.body[p.name] !== undefined)) continue;
        obj[p.name] = overrides.body && overrides.body[p.name] !== undefined ? overrides.body[p.name] : (p.type === 'file' ? 'filecontent' : paramValue(ctx, p, '').value);
      }
      const multipart = formData.some((x) => x.p.type === 'file') || (consumes.includes('multipart/form-data') && !consumes.includes('application/x-www-form-urlencoded'));
      if (multipart) {
        const fd = new FormData();
        for (const { p } of formData) if (obj[p.name] !== undefined) {
          if (p.type === 'file') fd.append(p.name, new Blob(['x'], { type: 'application/octet-stream' }), 'survey.bin');
          else if (Array.isArray(obj[p.name])) obj[p.name].forEach((x) => fd.append(p.name, String(x)));
          else fd.append(p.name, String(obj[p.name]));
        }
        body = fd;
      } else {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        body = Object.entries(obj).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => encodeURIComponent(k) + '=' + encodeURIComponent(x)) : [encodeURIComponent(k) + '=' + encodeURIComponent(v)])).join('&');
      }
      ctx.lastBody = obj;
    }
  } else if (op.requestBody) {
    const { node: rb, ptr: rbPtr0 } = deref(doc, op.requestBody, opPtr + '/requestBody');
    if (rb && rb.content && (rb.required || wantBody)) {
      const mt = pickMedia(Object.keys(rb.content));
      const media = rb.content[mt] || {};
      const sptr = rbPtr0 + '/content/' + esc(mt) + '/schema';
      const lmt = mt.toLowerCase();
      if (!media.schema && !/json/.test(lmt)) {
        headers['Content-Type'] = lmt.includes('*') ? 'application/octet-stream' : mt;
        body = 'x'; bodyNote = 'opaque body ' + mt;
      } else {
        const bv = media.schema ? bodyValue(ctx, sptr, media.schema, media, overrides, /x-www-form-urlencoded|multipart/.test(lmt)) : { value: media.example ?? {}, ok: true };
        if (!bv.ok) problems.push('body: ' + bv.err);
        ctx.lastBody = bv.value;
        if (/json/.test(lmt) || lmt === '*/*' || lmt === 'application/*') { headers['Content-Type'] = /\*/.test(lmt) ? 'application/json' : mt; body = JSON.stringify(bv.value); }
        else if (lmt === 'application/x-www-form-urlencoded') { headers['Content-Type'] = mt; body = formEncode(bv.value); }
        else if (lmt.startsWith('multipart/')) { body = multipartEncode(bv.value, media.schema, doc); bodyNote = 'multipart'; }
        else { headers['Content-Type'] = mt; body = typeof bv.value === 'string' ? bv.value : (bv.value === undefined ? 'x' : JSON.stringify(bv.value)); bodyNote = 'non-json body ' + mt; }
      }
    }
  }
  if (cookies.length) headers['Cookie'] = cookies.map(([k, v]) => k + '=' + encodeURIComponent(v)).join('; ');
  const qs = query.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
  url = url.replace(/#/g, '%23');
  return { pathValues, method: route.method.toUpperCase(), url: url + (qs ? '?' + qs : ''), headers, body, problems, security, bodyNote, op, opPtr };
}

module.exports = { buildRequest, pickMedia };
