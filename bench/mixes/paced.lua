-- paced.lua is appended to a mix's script for the paced run: every connection waits between its
-- requests so that all of them together send about RATE requests a second
-- (wrk -cCONNECTIONS ... -- RATE CONNECTIONS),
-- and wrk's latencies are then those of a server that is busy but not saturated. (At saturation
-- a closed-loop client measures its own queue: with 50 connections on 2 shared cores even the
-- hello-world's p99 is about 7 ms.)
local pause = 0

function init(args)
  local rate, connections = tonumber(args[1]) or 0, tonumber(args[2]) or 0
  if rate > 0 and connections > 0 then
    pause = connections / rate * 1000 -- every connection paces itself
  end
end

function delay()
  return pause
end
