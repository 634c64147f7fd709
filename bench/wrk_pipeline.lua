-- wrk script: pipelines 4 requests per write (wrk's standard scripts/pipeline.lua shape).
--
--   wrk -t2 -c64 -d5s --latency -s bench/wrk_pipeline.lua http://127.0.0.1:PORT/
--
-- wrk counts every response in Requests/sec, but records one latency sample per batch of 4
-- (from the write to the last of the 4 responses).

init = function(args)
   local r = {}
   for i = 1, 4 do
      r[i] = wrk.format()
   end
   req = table.concat(r)
end

request = function()
   return req
end
