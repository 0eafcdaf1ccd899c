-- petstore-post: POST /pets with a valid Pet body; the body is validated against the schema (→ 201).
wrk.method = "POST"
wrk.path   = "/pets"
wrk.body   = '{"id":7,"name":"Rex","tag":"dog"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
