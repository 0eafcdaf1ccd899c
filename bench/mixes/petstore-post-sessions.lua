-- petstore-post-sessions: petstore-post, each request in one of 500 X-Mock-Session sessions: a
-- write in 500 copy-on-write views rather than one. (Both mixes send the id 7, so mockserver
-- creates pet 7 once per session and replaces it after; Prism ignores the header.) The request()
-- hook costs wrk a little CPU, the same for every server.
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
