-- wrk script for bench/m1-accept.sh: POST /api/v1/jobs with a JSON body, the tenant's key and the model from the
-- environment (wrk passes no arguments to a script's init otherwise).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("M1_KEY")
local model = os.getenv("M1_MODEL")
local counter = 0

request = function()
  counter = counter + 1
  local body = '{"model":"' .. model .. '","prompt":"a lighthouse at dusk, slow pan, take ' .. counter
      .. '","duration_seconds":4,"aspect_ratio":"16:9","resolution":"720p"}'
  return wrk.format(nil, nil, nil, body)
end

local non2xx = 0
response = function(status, headers, body)
  if status ~= 201 and status ~= 200 and status ~= 202 then
    non2xx = non2xx + 1
    if non2xx <= 3 then
      io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
    end
  end
end
