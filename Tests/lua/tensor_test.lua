-- The tensor module as API.md writes it: constructors, methods, metamethods, autograd.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local function close_all(a, b, tol)
  tol = tol or 1e-5
  local fa, fb = a:view{-1}:totable(), b:view{-1}:totable()
  expect(#fa):to_be(#fb)
  for i = 1, #fa do expect(fa[i]):to_be_close(fb[i], tol) end
end

describe("tensor constructors", function()
  it("zeros, ones, full, arange, eye, from", function()
    expect(tensor.zeros{2, 3}:shape()):to_equal({2, 3})
    expect(tensor.ones{2, 3}:sum():item()):to_be(6)
    expect(tensor.full({2, 2}, 7):totable()):to_equal({{7, 7}, {7, 7}})
    expect(tensor.arange(0, 5):totable()):to_equal({0, 1, 2, 3, 4})
    expect(tensor.arange(1, 2, 0.25):numel()):to_be(4)
    expect(tensor.eye(2):totable()):to_equal({{1, 0}, {0, 1}})
    expect(tensor.from{{1, 2, 3}, {4, 5, 6}}:totable()):to_equal({{1, 2, 3}, {4, 5, 6}})
    expect(tensor.from(3):dim()):to_be(0)
  end)

  it("rand and randn are reproducible under moonlab.seed", function()
    moonlab.seed(7); local a = tensor.randn{50}:totable()
    moonlab.seed(7); local b = tensor.randn{50}:totable()
    moonlab.seed(8); local c = tensor.randn{50}:totable()
    expect(a):to_equal(b)
    expect(a).never:to_equal(c)
    moonlab.seed(1)
    local u = tensor.rand({10000}, -1, 1)
    expect(u:min():item() >= -1):to_be(true)
    expect(u:max():item() < 1):to_be(true)
    expect(u:mean():item()):to_be_close(0, 0.05)
    expect(tensor.randn{20000}:std():item()):to_be_close(1, 0.05)
  end)

  it("rejects ragged tables and bad sizes with clear messages", function()
    expect(function() tensor.from{{1, 2}, {3}} end):to_fail_with("ragged")
    expect(function() tensor.from{1, "x"} end):to_fail_with("expected numbers")
    expect(function() tensor.zeros{-1, 2} end):to_fail_with("non-negative")
    expect(function() tensor.zeros{1e7, 1e7} end):to_fail_with("cannot allocate")
    expect(function() tensor.zeros("a") end):to_fail_with("bad argument #1 to 'zeros'")
  end)
end)

describe("tensor methods", function()
  local x = tensor.from{{1, 2, 3}, {4, 5, 6}}

  it("reports shape, size, dim, numel, #, indexing", function()
    expect(x:shape()):to_equal({2, 3})
    expect(x:size(1)):to_be(2)
    expect(x:size(-1)):to_be(3)
    expect(x:dim()):to_be(2)
    expect(x:numel()):to_be(6)
    expect(#x):to_be(2)
    expect(x[2]:totable()):to_equal({4, 5, 6})
    expect(x[2][3]):to_be(6)
    expect(x[-1][1]):to_be(4)
    expect(function() return x[3] end):to_fail_with("position 3 out of range")
  end)

  it("assigns rows with t[i] = v", function()
    local y = tensor.zeros{2, 2}
    y[1] = 5
    y[2] = tensor.from{1, 2}
    expect(y:totable()):to_equal({{5, 5}, {1, 2}})
  end)

  it("broadcasts arithmetic like NumPy, with numbers on either side", function()
    expect((x + tensor.from{10, 20, 30}):totable()):to_equal({{11, 22, 33}, {14, 25, 36}})
    expect((x * tensor.from{{2}, {3}}):totable()):to_equal({{2, 4, 6}, {12, 15, 18}})
    expect((1 - x):totable()):to_equal({{0, -1, -2}, {-3, -4, -5}})
    expect((2 * x):totable()[1]):to_equal({2, 4, 6})
    expect((x / 2):totable()[1]):to_equal({0.5, 1, 1.5})
    expect((-x):totable()[2]):to_equal({-4, -5, -6})
    expect((x ^ 2):totable()[1]):to_equal({1, 4, 9})
    expect(function() return x + tensor.zeros{4} end):to_fail_with("{2,3}")
  end)

  it("views share storage: reshape, view, permute, narrow, t", function()
    local a = tensor.arange(0, 6)
    local v = a:view{2, 3}
    v[1] = 9
    expect(a:totable()):to_equal({9, 9, 9, 3, 4, 5})
    expect(x:t():totable()):to_equal({{1, 4}, {2, 5}, {3, 6}})
    expect(x:permute{2, 1}:shape()):to_equal({3, 2})
    expect(x:narrow(2, 2, 2):totable()):to_equal({{2, 3}, {5, 6}})
    expect(x:reshape{3, 2}:totable()):to_equal({{1, 2}, {3, 4}, {5, 6}})
    expect(x:t():is_contiguous()):to_be(false)
    expect(x:t():contiguous():is_contiguous()):to_be(true)
    expect(function() x:t():view{6} end):to_fail_with("view")
  end)

  it("reduces over all entries or one dim, positions 1-based", function()
    expect(x:sum():item()):to_be(21)
    expect(x:sum():dim()):to_be(0)
    expect(x:sum(2):totable()):to_equal({6, 15})
    expect(x:mean(1):totable()):to_equal({2.5, 3.5, 4.5})
    local values, positions = x:max(2)
    expect(values:totable()):to_equal({3, 6})
    expect(positions:totable()):to_equal({3, 3})
    expect(tensor.from{{5, 1}, {0, 7}}:argmax(2):totable()):to_equal({1, 2})
    expect(tensor.from{1, 2, 3, 4}:var():item()):to_be_close(5 / 3, 1e-6)
  end)

  it("computes maths and activations", function()
    close_all(tensor.from{0, 1}:exp(), tensor.from{1, math.exp(1)})
    close_all(tensor.from{-1, 2}:relu(), tensor.from{0, 2})
    close_all(tensor.from{0}:sigmoid(), tensor.from{0.5})
    local s = tensor.from{{1, 2, 3}, {1000, 1000, 1000}}:softmax(2)
    close_all(s:sum(2), tensor.from{1, 1})
    close_all(s[2], tensor.from{1 / 3, 1 / 3, 1 / 3})
    close_all(tensor.from{{1e4, 0}}:log_softmax(2), tensor.from{{0, -1e4}}, 1e-2)
  end)

  it("multiplies matrices through BLAS", function()
    local a = tensor.from{{1, 2}, {3, 4}}
    expect(a:matmul(a):totable()):to_equal({{7, 10}, {15, 22}})
    expect(a:matmul(tensor.from{1, 1}):totable()):to_equal({3, 7})
    expect(function() x:matmul(tensor.zeros{4, 5}) end):to_fail_with("matmul: shapes {2,3} and {4,5} do not fit")
  end)

  it("cat, stack, where, index_select, gather", function()
    local a, b = tensor.from{{1, 2}}, tensor.from{{3, 4}}
    expect(tensor.cat({a, b}, 1):totable()):to_equal({{1, 2}, {3, 4}})
    expect(tensor.cat({a, b}, 2):totable()):to_equal({{1, 2, 3, 4}})
    expect(tensor.stack({tensor.from{1, 2}, tensor.from{3, 4}}, 1):shape()):to_equal({2, 2})
    expect(tensor.where(tensor.from{1, 0, 1}, tensor.from{1, 2, 3}, 0):totable()):to_equal({1, 0, 3})
    expect(x:index_select(1, {2, 1}):totable()):to_equal({{4, 5, 6}, {1, 2, 3}})
    expect(x:gather(2, tensor.from{{3}, {1}}):totable()):to_equal({{3}, {4}})
  end)

  it("prints values with a Torch-style footer", function()
    local s = tostring(x)
    expect(s):to_contain("[tensor float32 of shape 2x3]")
    expect(s):to_contain("6")
    local long = tostring(tensor.zeros{100000})
    expect(#long < 5000):to_be(true)
  end)
end)

describe("autograd", function()
  it("fills .grad through matmul and relu (API.md example)", function()
    local x = tensor.from{{1, 2, 3}, {4, 5, 6}}
    local w = tensor.from{{1, 0, 0}, {0, -1, 0}, {0, 0, 1}}:requires_grad()
    local loss = (w:matmul(x:t())):relu():sum()
    loss:backward()
    -- d/dw_ij sum(relu(w x^T)) = sum_n [ (w x^T)_in > 0 ] * x_nj
    expect(w.grad:totable()):to_equal({{5, 7, 9}, {0, 0, 0}, {5, 7, 9}})
  end)

  it("accumulates, zeroes, detaches; no_grad records nothing", function()
    local w = tensor.from{1, 2}:requires_grad()
    ;(w * 3):sum():backward()
    ;(w * 3):sum():backward()
    expect(w.grad:totable()):to_equal({6, 6})
    w:zero_grad()
    expect(w.grad):to_be_nil()
    local y = tensor.no_grad(function() return w * 2 end)
    expect(y:is_requires_grad()):to_be(false)
    expect(w:detach():is_requires_grad()):to_be(false)
  end)

  it("undoes broadcasting in the backward pass", function()
    local b = tensor.from{1, 2, 3}:requires_grad()
    local x = tensor.ones{4, 3}
    ;(x + b):sum():backward()
    expect(b.grad:totable()):to_equal({4, 4, 4})
  end)

  it("matches finite differences for cross_entropy", function()
    local logits = tensor.from{{0.2, -1, 0.5}, {1.5, 0.3, -0.2}}:requires_grad()
    local labels = tensor.from{2, 0}
    logits:cross_entropy(labels):backward()
    local g = logits.grad:totable()
    local base = logits:detach():clone()
    local eps = 1e-2
    for i = 1, 2 do for j = 1, 3 do
      local p, m = base:clone(), base:clone()
      local step = tensor.from{j - 1}:one_hot(3)[1] * eps
      p[i] = p[i] + step
      m[i] = m[i] - step
      local numeric = (p:cross_entropy(labels):item() - m:cross_entropy(labels):item()) / (2 * eps)
      expect(g[i][j]):to_be_close(numeric, 2e-3)
    end end
  end)

  it("refuses backward from a non-scalar and through a freed graph", function()
    local w = tensor.from{1, 2}:requires_grad()
    expect(function() (w * 2):backward() end):to_fail_with("non-scalar")
    local loss = (w * w):sum()
    loss:backward()
    expect(function() loss:backward() end):to_fail_with("freed")
  end)

  it("trains: plain gradient descent lowers a least-squares loss", function()
    moonlab.seed(3)
    local x = tensor.randn{64, 3}
    local y = x:matmul(tensor.from{{1}, {-2}, {0.5}})
    local w = tensor.zeros{3, 1}:requires_grad()
    local first
    for step = 1, 100 do
      w:zero_grad()
      local loss = ((x:matmul(w) - y) ^ 2):mean()
      first = first or loss:item()
      loss:backward()
      tensor.no_grad(function() w:sub_(w.grad, 0.1) end)
    end
    close_all(w, tensor.from{{1}, {-2}, {0.5}}, 1e-3)
  end)
end)

describe("memory", function()
  -- Resident memory in kB.
  local function rss()
    for l in io.lines("/proc/self/status") do
      local v = l:match("^VmRSS:%s+(%d+)")
      if v then return tonumber(v) end
    end
  end

  it("stays flat while a loop makes a million small tensors", function()
    local a = tensor.zeros{1}
    for _ = 1, 100000 do local _ = a + 1 end
    local before = rss()
    for _ = 1, 1000000 do local _ = a + 1 end
    expect(rss() - before < 20000):to_be(true)   -- under 20 MB of growth
  end)

  it("frees big tensors that lived a while before they were dropped", function()
    -- Each 4 MB tensor survives a few collections in a ring of four (old, in the generational
    -- collector's terms) before it is dropped: 1.6 GB made, a few MB alive at a time.
    local ring = {}
    for i = 1, 40 do ring[i % 4 + 1] = tensor.ones{1000, 1000} + i end
    local before = rss()
    for i = 1, 400 do ring[i % 4 + 1] = tensor.ones{1000, 1000} + i end
    expect(rss() - before < 150000):to_be(true)   -- under 150 MB of growth
  end)
end)

T.finish()
