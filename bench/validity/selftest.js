// Negative controls: the validator must reject obviously broken bodies.
const { loadDoc, makeAjv, validate } = require('./lib');
(async () => {
  const C = process.env.MOCKSERVER_CORPUS;
  let { doc, version } = await loadDoc(C + '/petstore.yaml');
  let av = makeAjv(doc, version);
  const p = '/paths/~1pets/get/responses/200/content/application~1json/schema';
  console.log('petstore ok', validate(av, p, [{ id: 1, name: 'a' }]).ok, 'bad', validate(av, p, [{ id: 'x', name: 'a' }]).ok, validate(av, p, [{ name: 'a' }]).ok);
  ({ doc, version } = await loadDoc(C + '/stripe-spec3.json'));
  av = makeAjv(doc, version);
  const d = '/paths/~1v1~1customers~1%7Bcustomer%7D/delete/responses/200/content/application~1json/schema'.replace('%7B', '{').replace('%7D', '}');
  console.log('stripe deleted_customer ok', validate(av, d, { id: 'cus_1', object: 'customer', deleted: true }).ok, 'bad', validate(av, d, { id: 'cus_1', object: 'customer' }).ok);
  ({ doc, version } = await loadDoc(C + '/real/openai/openapi.yaml'));
  av = makeAjv(doc, version);
  console.log('openai 3.1 AssistantObject bad', validate(av, '/components/schemas/AssistantObject', { id: 'a', model: 'x' }).ok);
})();
