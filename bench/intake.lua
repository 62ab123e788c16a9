-- intake.lua - wrk script for POST /api/v1/appeals: a realistic appeal (about
-- 300 Cyrillic characters, Almaty, topic water, a contact name, consent) with a
-- unique Idempotency-Key per request (run id, thread id, counter), so every
-- request is a new appeal. Counts statuses per thread in response() and prints
-- them in done():
--   status 201 N
--   status non201 N
--   status <code> N        (one line per other status seen)
-- Environment: BENCH_RUN (key prefix; default: the time).
-- The same script serves the nginx reference, which ignores the body.

local run = os.getenv("BENCH_RUN") or tostring(os.time())
local threads = {}
-- Per-thread globals (thread:get() reads globals only).
counter = 0
id = 0
ok201 = 0
other = 0
codes = {}

local text = "Здравствуйте! В нашем доме по улице Абая уже третий день нет холодной воды, "
    .. "а горячая идёт только ночью. Жильцы несколько раз звонили "
    .. "в аварийную службу водоканала, но нам отвечают, что бригада выехала, и никто не "
    .. "приходит. Просим срочно устранить "
    .. "аварию и сообщить сроки восстановления водоснабжения."

function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    math.randomseed(os.time() + id)
end

function request()
    counter = counter + 1
    local key = run .. "-" .. id .. "-" .. counter
    local body = '{"kind":"complaint","channel":"web","language":"ru","region":"750000000",'
        .. '"topic":"water","text":"' .. text .. ' Обращение ' .. key .. '.",'
        .. '"address":"г. Алматы, ул. Абая, 10","contact":{"name":"Айгерим Сапарова",'
        .. '"phone":"+7 701 123 45 67"},"consent":true}'
    return wrk.format("POST", "/api/v1/appeals", {
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = key,
    }, body)
end

function response(status, headers, body)
    if status == 201 then
        ok201 = ok201 + 1
    else
        other = other + 1
        codes[status] = (codes[status] or 0) + 1
    end
end

function done(summary, latency, requests)
    local n201, nother, all = 0, 0, {}
    for _, t in ipairs(threads) do
        n201 = n201 + t:get("ok201")
        nother = nother + t:get("other")
        local c = t:get("codes")
        for k, v in pairs(c) do
            all[k] = (all[k] or 0) + v
        end
    end
    io.write(string.format("status 201 %d\n", n201))
    io.write(string.format("status non201 %d\n", nother))
    for k, v in pairs(all) do
        io.write(string.format("status %d %d\n", k, v))
    end
    io.write(string.format("errors connect %d read %d write %d timeout %d status %d\n",
        summary.errors.connect, summary.errors.read, summary.errors.write,
        summary.errors.timeout, summary.errors.status))
    io.write(string.format("latency p50_us %d p90_us %d p99_us %d max_us %d\n",
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
    io.write(string.format("total requests %d duration_us %d\n", summary.requests,
        summary.duration))
end
