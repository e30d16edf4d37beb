--- Helpers for Lua tests that run the moonlab command itself.
local M = {}

--- `path` made absolute against the current folder.
function M.absolute(path)
  if path:sub(1, 1) == "/" then return path end
  local pwd = os.getenv("PWD")
  if not pwd then
    local p = io.popen("pwd")
    pwd = p:read("l")
    p:close()
  end
  return pwd .. "/" .. path
end

--- The moonlab binary running this test: the program name, the most negative `arg` entry.
function M.binary()
  local i = -1
  while arg[i - 1] ~= nil do i = i - 1 end
  local program = arg[i]
  return program:find("/", 1, true) and M.absolute(program) or program
end

--- This test file's folder (absolute when the test was given an absolute path).
function M.here()
  return (arg[0]:match("^(.*)/[^/]*$")) or "."
end

--- The repository's root, absolute, ending in "/" (the test files live in Tests/lua/).
function M.root()
  return M.absolute(M.here() .. "/../../")
end

function M.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

--- Runs moonlab with `args` (a list of words); options: stdin (text), cwd, env (a table of
--- variables to set; a value of false unsets one). Returns stdout, stderr, exit status.
function M.run(args, options)
  options = options or {}
  local out, err, input = os.tmpname(), os.tmpname(), os.tmpname()
  local f = assert(io.open(input, "wb"))
  f:write(options.stdin or "")
  f:close()
  local words = {}
  if options.cwd then words[#words + 1] = "cd " .. M.quote(options.cwd) .. " &&" end
  words[#words + 1] = "env"
  local sets = {}
  for k, v in pairs(options.env or {}) do
    if v == false then words[#words + 1] = "-u " .. k else sets[#sets + 1] = k .. "=" .. M.quote(v) end
  end
  table.move(sets, 1, #sets, #words + 1, words)
  words[#words + 1] = M.quote(M.binary())
  for _, a in ipairs(args) do words[#words + 1] = M.quote(a) end
  local command = table.concat(words, " ") .. " <" .. M.quote(input) .. " >" .. M.quote(out) .. " 2>" .. M.quote(err)
  local ok, how, code = os.execute(command)
  local stdout, stderr = slurp(out), slurp(err)
  os.remove(out); os.remove(err); os.remove(input)
  if how == "signal" then code = 128 + code end
  return stdout, stderr, code
end

--- A new empty folder in the temporary folder (readable by every user, for servers that run
--- as their own user); remove it with os.execute("rm -rf " .. M.quote(dir)).
function M.tempdir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. M.quote(dir) .. " && chmod 755 " .. M.quote(dir)))
  return dir
end

--- Writes `text` to a file.
function M.write(path, text)
  local f = assert(io.open(path, "w")); f:write(text); f:close()
end

--- A file's contents, or nil when it does not exist.
function M.read(path)
  local f = io.open(path); if not f then return nil end
  local s = f:read("a"); f:close(); return s
end

--- CRC-32 (zlib's) of a string, in Lua.
function M.crc32(s)
  local crc = 0xFFFFFFFF
  for i = 1, #s do
    crc = crc ~ s:byte(i)
    for _ = 1, 8 do crc = (crc >> 1) ~ (0xEDB88320 & -(crc & 1)) end
  end
  return crc ~ 0xFFFFFFFF
end

--- A stored (uncompressed) zip archive of {name, bytes} entries, as numpy's savez writes.
function M.zip(entries)
  local out, dir = {}, {}
  local offset = 0
  for _, e in ipairs(entries) do
    local common = string.pack("<I2I2I2I2I2I4I4I4I2", 20, 0, 0, 0, 0x21, M.crc32(e[2]), #e[2], #e[2], #e[1])
    local localHeader = string.pack("<I4", 0x04034b50) .. common .. string.pack("<I2", 0) .. e[1] .. e[2]
    dir[#dir + 1] = string.pack("<I4I2", 0x02014b50, 20) .. common .. string.pack("<I2I2I2I2I4I4", 0, 0, 0, 0, 0, offset) .. e[1]
    out[#out + 1] = localHeader
    offset = offset + #localHeader
  end
  local d = table.concat(dir)
  return table.concat(out) .. d .. string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, #entries, #entries, #d, offset, 0)
end

--- The test server's PostgreSQL URL (scripts/test starts one), or nil.
function M.postgres()
  local url = os.getenv("MOONLAB_TEST_POSTGRES")
  if url == nil or url == "" then return nil end
  return url
end

--- A fresh, empty PostgreSQL database on the test server, as a URL (dropped by `drop_databases`).
local created = {}
function M.new_database(prefix)
  local base = assert(M.postgres(), "no test PostgreSQL server (MOONLAB_TEST_POSTGRES)")
  local name = ("%s_%d_%d"):format(prefix or "t", os.time(), math.random(1, 1e9))
  assert(os.execute("psql -q " .. M.quote(base) .. " -c " .. M.quote("CREATE DATABASE " .. name) .. " >/dev/null"),
    "cannot create database " .. name)
  created[#created + 1] = name
  local head, query = base:match("^(postgres[^:]*://[^/]+)/[^?]*(.*)$")
  return head .. "/" .. name .. query
end

function M.drop_databases()
  local base = M.postgres()
  for _, name in ipairs(created) do
    os.execute("psql -q " .. M.quote(base) .. " -c " .. M.quote("DROP DATABASE IF EXISTS " .. name .. " WITH (FORCE)") .. " >/dev/null 2>&1")
  end
  created = {}
end

--- Notes one test that needed a real server, for scripts/test's count of server tests.
function M.server_test_ran(what)
  local log = os.getenv("MOONLAB_SERVER_TEST_LOG")
  if log and log ~= "" then
    local f = io.open(log, "a")
    if f then f:write(what, "\n"); f:close() end
  end
end

return M
