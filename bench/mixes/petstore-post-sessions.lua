-- petstore-post-sessions: petstore-post, each request in one of 500 X-Mock-Session sessions and
-- under a new pet id, so that every request is a real create (mockserver creates a record under
-- the id the client sends; petstore-post, which always sends 7, replaces one record). The ids
-- start at a random base per wrk thread (threads do not share a Lua state, and the warm-up run
-- comes first). Prism ignores the header. The request() hook costs wrk a little CPU, the same
-- for every server.
wrk.method = "POST"
wrk.path   = "/pets"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local n = 0
local base

function request()
  if not base then
    local addr = tonumber((tostring({}):match("0x(%x+)")) or "0", 16) or 0
    math.randomseed(os.time() + addr % 1000003)
    base = math.random(1, 9999999) * 1000000
  end
  n = n + 1
  wrk.headers["X-Mock-Session"] = "bench-" .. (n % 500)
  return wrk.format(nil, nil, nil, '{"id":' .. (base + n) .. ',"name":"Rex","tag":"dog"}')
end
