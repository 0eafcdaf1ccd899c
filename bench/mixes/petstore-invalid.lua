-- petstore-invalid: POST /pets with a body that breaks the Pet schema twice (→ 422 with the violations).
wrk.method = "POST"
wrk.path   = "/pets"
wrk.body   = '{"id":"seven","name":5}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
