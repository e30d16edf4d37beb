-- The metrics module as API.md writes it, against hand-computed figures.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

-- y = 0 1 2 2 2 and pred = 0 0 2 2 1: right at positions 1, 3, 4 (scikit-learn's example).
local y = tensor.from{0, 1, 2, 2, 2}
local pred = tensor.from{0, 0, 2, 2, 1}

-- Captures what print shows while fn runs.
local function printed(fn)
  local lines, saved = {}, print
  print = function(...) lines[#lines + 1] = table.concat({...}, "\t") end
  local ok, result = pcall(fn)
  print = saved
  assert(ok, result)
  return table.concat(lines, "\n"), result
end

describe("metrics.accuracy", function()
  it("compares labels, or the argmax of scores, with the targets", function()
    expect(metrics.accuracy(pred, y)):to_be_close(0.6, 1e-12)
    local scores = tensor.from{{5, 1, 0}, {0, 2, 1}, {0, 0, 3}}
    expect(metrics.accuracy(scores, tensor.from{0, 1, 1})):to_be_close(2 / 3, 1e-12)
    expect(metrics.accuracy({1, 2, 3}, {1, 2, 0})):to_be_close(2 / 3, 1e-12)
    expect(require("moonlab.metrics")):to_be(metrics)
  end)

  it("rejects mismatched lengths and bad labels", function()
    expect(function() metrics.accuracy(tensor.from{0, 1}, tensor.from{0}) end)
      :to_fail_with("metrics.accuracy: 2 predictions but 1 labels")
    expect(function() metrics.accuracy(tensor.from{0, 1.5}, tensor.from{0, 1}) end)
      :to_fail_with("predictions must be class labels 0..K-1, found 1.5 at position 2")
    expect(function() metrics.accuracy("x", y) end):to_fail_with("bad argument #1 to 'accuracy' (pred")
  end)
end)

describe("metrics.confusion_matrix", function()
  it("puts true labels in rows and predictions in columns", function()
    local m = metrics.confusion_matrix(pred, y, 3)
    expect(m:totable()):to_equal({{1, 0, 0}, {1, 0, 0}, {0, 1, 2}})
    expect(metrics.confusion_matrix(pred, y):shape()):to_equal({3, 3})
    expect(metrics.confusion_matrix(pred, y, 5):sum():item()):to_be(5)
  end)

  it("rejects labels out of range for k", function()
    expect(function() metrics.confusion_matrix(pred, y, 2) end)
      :to_fail_with("metrics.confusion_matrix: true label 2 at position 3 is out of range for 2 classes")
    expect(function() metrics.confusion_matrix(pred, y, 0) end):to_fail_with("k must be at least 1")
  end)
end)

describe("metrics.report", function()
  it("prints scikit-learn's table and returns the figures", function()
    local text, r = printed(function() return metrics.report(pred, y, {"class 0", "class 1", "class 2"}) end)
    expect(text):to_be(table.concat({
      "              precision    recall  f1-score   support",
      "",
      "     class 0       0.50      1.00      0.67         1",
      "     class 1       0.00      0.00      0.00         1",
      "     class 2       1.00      0.67      0.80         3",
      "",
      "    accuracy                           0.60         5",
      "   macro avg       0.50      0.56      0.49         5",
      "weighted avg       0.70      0.60      0.61         5"}, "\n"))
    expect(r.text):to_be(text)
    expect(r.accuracy):to_be_close(0.6, 1e-12)
    expect(#r.classes):to_be(3)
    expect(r.classes[1]):to_equal({label=0, name="class 0", precision=0.5, recall=1, f1=r.classes[1].f1, support=1})
    expect(r.classes[1].f1):to_be_close(2 / 3, 1e-12)
    expect(r.classes[3].recall):to_be_close(2 / 3, 1e-12)
    expect(r.macro_avg.recall):to_be_close(5 / 9, 1e-12)
    expect(r.weighted_avg.precision):to_be_close(0.7, 1e-12)
    expect(r.weighted_avg.support):to_be(5)
  end)

  it("takes options without class names, and print=false", function()
    local text, r = printed(function() return metrics.report(pred, y, {digits=3, print=false}) end)
    expect(text):to_be("")
    expect(r.text):to_contain("0.667")
    expect(r.classes[2].name):to_be("1")
  end)

  it("rejects labels beyond the class names", function()
    expect(function() metrics.report(pred, y, {"a", "b"}, {print=false}) end)
      :to_fail_with("metrics.report: true label 2 at position 3 is out of range for 2 classes")
    expect(function() metrics.report(pred, y, nil, {digts=3}) end):to_fail_with("unknown option 'digts' (did you mean 'digits'?)")
  end)
end)

describe("metrics.misclassified and metrics.mae", function()
  it("lists the 1-based positions of wrong predictions", function()
    expect(metrics.misclassified(pred, y)):to_equal({2, 5})
    expect(metrics.misclassified(y, y)):to_equal({})
  end)

  it("averages absolute errors", function()
    expect(metrics.mae(tensor.from{1, 2, 3, -1}, tensor.from{0, 4, 3, 1})):to_be_close(1.25, 1e-12)
    expect(metrics.mae(tensor.from{{1}, {2}}, tensor.from{2, 2})):to_be_close(0.5, 1e-12)
    expect(function() metrics.mae(tensor.from{1, 2, 3}, tensor.from{1, 2}) end)
      :to_fail_with("metrics.mae: predictions of shape {3} do not match targets of shape {2}")
  end)
end)

T.finish()
