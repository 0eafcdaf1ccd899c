-- petstore-post-sessions: petstore-post, each request in one of 500 X-Mock-Session sessions.
-- mockserver keeps at most 10,000 records per session and answers 507 past that, so a plain
-- petstore-post run measures mostly refused writes after its first 10,000 creates; spread over
-- sessions, every request is a real create. (Prism ignores the header.) The request() hook costs
-- wrk a little CPU, the same for every server.
wrk.method = "POST"
wrk.path   = "/pets"
wrk.body   = '{"id":7,"name":"Rex","tag":"dog"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local n = 0

function request()
  n = n + 1
  wrk.headers["X-Mock-Session"] = "bench-" .. (n % 500)
  return wrk.format()
end
