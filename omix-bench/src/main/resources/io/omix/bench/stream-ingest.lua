-- wrk script for StreamIngestWrk: replays pre-signed batch_write_stream requests, each once.
-- Requests file (path in OMIX_REQUESTS): one per line, "thread<TAB>timestamp<TAB>nonce<TAB>signature<TAB>body".
-- Each wrk thread sends only the lines of its own number, in order; when they run out it stops.
local app_key = os.getenv("OMIX_APP_KEY")
local file = os.getenv("OMIX_REQUESTS")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  failures = 0
  sent = 0
  for line in io.lines(file) do
    local t, ts, nonce, sig, body = line:match("^(%d+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    if tonumber(t) == id then
      table.insert(requests, wrk.format("POST", "/private/stream/batch_write", {
        ["Content-Type"] = "application/json",
        ["X-Omix-App-Key"] = app_key,
        ["X-Omix-Timestamp"] = ts,
        ["X-Omix-Nonce"] = nonce,
        ["X-Omix-Signature"] = sig,
      }, body))
    end
  end
end

function request()
  sent = sent + 1
  if sent > #requests then
    wrk.thread:stop()
    return requests[#requests]
  end
  return requests[sent]
end

function response(status, headers, body)
  -- every item of every answer must be written: any refusal counts as a failure
  if status ~= 200 or not body:find('"code":0', 1, true) or body:find('"is_succeed":false', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("failures") end
  io.write(string.format("omix-failures %d\n", total))
end
