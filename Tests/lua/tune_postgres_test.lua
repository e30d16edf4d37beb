-- The whole tune suite (tune_test.lua) again, every sweep on a real PostgreSQL server: the
-- one scripts/test starts (MOONLAB_TEST_POSTGRES). Without a server it says so and skips.
local C = require "cli_support"
if not C.postgres() then
  print("SKIPPED: tune_postgres_test.lua needs a PostgreSQL server (MOONLAB_TEST_POSTGRES; scripts/test starts one)")
  return
end
C.server_test_ran("tune_postgres_test.lua")
TUNE_STORAGE = "postgres"
dofile(C.here() .. "/tune_test.lua")
