-- wrk script: cycles through the request paths in the file named by the PATHS environment
-- variable (one path per line), one per request, each thread starting at its own offset.
local paths = {}
local n = 0
local i = 0

function setup(thread)
  thread:set("offset", n)
end

function init(args)
  for line in io.lines(os.getenv("PATHS")) do
    paths[#paths + 1] = line
  end
  i = (offset or 0) * 7919 % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  io.write(string.format("RESULT\t%.1f\t%.3f\t%.3f\t%d\t%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
