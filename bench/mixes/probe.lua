-- probe.lua is appended to a mix's script for the warm-up run: it counts the answers' statuses,
-- so the table says what the measured requests actually got (a 404 at 50,000 req/s is no result),
-- and finds the largest body, which hello-sized then answers.
-- The measured run itself has no response() hook: it would cost wrk CPU on a 2-core machine.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

statuses = {}
bodybytes = 0

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  -- Content-Length first: wrk hands no body to a script that builds its own requests.
  local size = tonumber(headers["Content-Length"] or "") or (body and #body) or 0
  if size > bodybytes then
    bodybytes = size
  end
end

function done(summary, latency, requests)
  local total = {}
  local largest = 0
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
    largest = math.max(largest, t:get("bodybytes"))
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format("%d×%d", status, n))
  end
  table.sort(parts)
  io.write("STATUSES ", table.concat(parts, ","), "\n")
  io.write("BODYBYTES ", largest, "\n")
end
