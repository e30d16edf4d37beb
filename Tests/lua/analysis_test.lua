-- The analysis module as API.md writes it: correlation matrices, summaries, CKA, RSA.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

moonlab.seed(3)
local acts = tensor.randn{500, 6}

describe("analysis.correlation", function()
  it("gives a units x units matrix with ones on the diagonal", function()
    local c = analysis.correlation(acts)
    expect(c:shape()):to_equal({6, 6})
    for i = 1, 6 do expect(c[i][i]):to_be_close(1, 1e-6) end
    expect((c - c:t()):abs():max():item()):to_be_close(0, 1e-6)
    expect(require("moonlab.analysis")):to_be(analysis)
  end)

  it("matches a direct computation", function()
    local a, b = acts:narrow(2, 1, 1):view{-1}, acts:narrow(2, 2, 1):view{-1}
    local da, db = a - a:mean(), b - b:mean()
    local r = (da * db):sum():item() / math.sqrt((da * da):sum():item() * (db * db):sum():item())
    expect(analysis.correlation(acts)[1][2]):to_be_close(r, 1e-5)
  end)

  it("gives units with zero variance zeros and a one, never NaN", function()
    local x = tensor.cat({acts:narrow(2, 1, 2), tensor.zeros{500, 1}, tensor.full({500, 1}, 0.1)}, 2)
    local c = analysis.correlation(x):totable()
    for i = 1, 4 do
      for j = 1, 4 do expect(c[i][j] == c[i][j]):to_be(true) end
    end
    expect(c[3]):to_equal({0, 0, 1, 0})
    expect(c[4]):to_equal({0, 0, 0, 1})
  end)

  it("rejects a single sample and a vector", function()
    expect(function() analysis.correlation(tensor.zeros{1, 4}) end):to_fail_with("need at least 2 samples")
    expect(function() analysis.correlation(tensor.zeros{4}) end):to_fail_with("must be {N, units}")
  end)
end)

describe("analysis.summary", function()
  it("summarises the off-diagonal entries, optionally absolute or with the diagonal", function()
    local c = tensor.from{{1, 0.5, -0.1}, {0.5, 1, 0.2}, {-0.1, 0.2, 1}}
    local s = analysis.summary(c)
    expect(s.mean):to_be_close(0.2, 1e-6)
    expect(s.std):to_be_close(math.sqrt(0.06), 1e-6)
    expect(s.count):to_be(6)
    expect(analysis.summary(c, {absolute=true}).mean):to_be_close(0.8 / 3, 1e-6)
    expect(analysis.summary(c, {diagonal=true}).mean):to_be_close(4.2 / 9, 1e-6)
    expect(function() analysis.summary(c, {absolut=true}) end):to_fail_with("unknown option 'absolut' (did you mean 'absolute'?)")
  end)
end)

describe("analysis.cka", function()
  it("is 1 for a representation with itself, a rotation and a rescaling of it", function()
    expect(analysis.cka(acts, acts)):to_be_close(1, 1e-9)
    local c, s = math.cos(0.7), math.sin(0.7)
    local rot = tensor.from{{c, -s, 0, 0, 0, 0}, {s, c, 0, 0, 0, 0}, {0, 0, 1, 0, 0, 0},
                      {0, 0, 0, c, s, 0}, {0, 0, 0, -s, c, 0}, {0, 0, 0, 0, 0, 1}}
    expect(analysis.cka(acts, acts:matmul(rot))):to_be_close(1, 1e-5)
    expect(analysis.cka(acts, acts * 3)):to_be_close(1, 1e-6)
  end)

  it("is low for unrelated representations and checks sample counts", function()
    expect(analysis.cka(acts, tensor.randn{500, 4}) < 0.1):to_be(true)
    expect(function() analysis.cka(acts, tensor.randn{400, 6}) end)
      :to_fail_with("analysis.cka: a has 500 samples but b has 400")
  end)
end)

describe("analysis.rsa", function()
  it("is 1 for the same representation and near 0 for unrelated ones", function()
    expect(analysis.rsa(acts, acts)):to_be_close(1, 1e-9)
    expect(analysis.rsa(acts, acts * 2 + 1, {method="pearson"})):to_be_close(1, 1e-5)
    expect(math.abs(analysis.rsa(acts, tensor.randn{500, 6})) < 0.1):to_be(true)
  end)

  it("subsamples reproducibly and checks options", function()
    local b = acts + tensor.randn{500, 6}
    local r1 = analysis.rsa(acts, b, {samples=100, seed=4})
    expect(analysis.rsa(acts, b, {samples=100, seed=4})):to_be(r1)
    expect(function() analysis.rsa(acts, b, {method="kendall"}) end)
      :to_fail_with([[option 'method': must be one of spearman, pearson, got "kendall"]])
    expect(function() analysis.rsa(acts, b, {samples=1}) end):to_fail_with("samples must be 3..10000")
  end)
end)

T.finish()
