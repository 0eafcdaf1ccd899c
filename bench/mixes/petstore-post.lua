-- petstore-post: POST /pets with a valid Pet body (validated against the schema), each request a
-- real create (→ 201): a new pet id every time, from a random base per wrk thread (threads do not
-- share a Lua state, and the warm-up run comes first). A session holds at most 10,000 records
-- (the mock's default MaxRecords; past it a create is a 507), so each thread moves on to a fresh
-- X-Mock-Session every 5,000 creates; the mock evicts the least recently used sessions once all of
-- them hold 100,000 records. petstore-post-sessions interleaves 500 sessions instead. Prism
-- ignores the header. The request() hook costs wrk a little CPU, the same for every server.
wrk.method = "POST"
wrk.path   = "/pets"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local perSession = 5000
local n = 0
local base

function request()
  if not base then
    local addr = tonumber((tostring({}):match("0x(%x+)")) or "0", 16) or 0
    math.randomseed(os.time() + addr % 1000003)
    base = math.random(1, 9999999) * 1000000
  end
  n = n + 1
  if n % perSession == 1 then
    wrk.headers["X-Mock-Session"] = "post-" .. base .. "-" .. math.floor(n / perSession)
  end
  return wrk.format(nil, nil, nil, '{"id":' .. (base + n) .. ',"name":"Rex","tag":"dog"}')
end
