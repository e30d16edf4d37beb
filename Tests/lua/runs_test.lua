-- Every fit is remembered: moonlab.runs prints them, moonlab.run returns one.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

describe("the run log", function()
  it("records a fit with its model, settings, history and time, and finds it again", function()
    moonlab.seed(3)
    local m = nn.Sequential{input={3}, nn.Dense(8, {activation="relu"}), nn.Dense(3)}
    m:compile{optimizer=optim.Adam{lr=0.01}, loss="sparse_categorical_crossentropy", metrics={"accuracy"}}
    local x = tensor.rand{64, 3}
    local y = x:argmax(2) - 1
    local before = moonlab.run(-1)
    local h = m:fit(x, y, {epochs=3, batch=16, verbose=0, validation_split=0.25})
    local run = moonlab.run(-1)
    expect(run ~= nil):to_be(true)
    expect(before == nil or before.id ~= run.id):to_be(true)
    expect(run.status):to_be("done")
    expect(run.model.kind):to_be("Sequential")
    expect(run.model.parameters):to_be(m:count_params())
    expect(run.fit.epochs):to_be(3)
    expect(run.fit.batch):to_be(16)
    expect(run.compile.optimizer.name):to_be("Adam")
    expect(#run.history.loss):to_be(3)
    expect(run.history.val_accuracy[3]):to_be(h.val_accuracy[3])
    expect(run.seconds > 0):to_be(true)
    expect(run.source:match("runs_test%.lua$") ~= nil):to_be(true)
    -- By a prefix of its id, as moonlab.runs prints it.
    expect(moonlab.run(run.id:sub(1, 19)).id):to_be(run.id)
    local lines = {}
    local saved = print
    print = function(text) lines[#lines + 1] = text end
    moonlab.runs(2)
    print = saved
    expect(lines[1]):to_contain(run.id)
    expect(lines[1]):to_contain("Sequential")
  end)
end)
