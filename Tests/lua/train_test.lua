-- Training as API.md writes it: optim, nn.losses, compile/fit/evaluate/predict/classify,
-- callbacks, save/load, checkpoints, and the hand-written loop.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local tmp = os.tmpname()
os.remove(tmp)
local function path(name) return tmp .. "_" .. name end

-- Two separable blobs in 2-d: class 0 around (-1, -1), class 1 around (1, 1).
local function blobs(n, seed)
  moonlab.seed(seed or 1)
  local x = tensor.randn({n, 2}, 0, 0.3)
  local y = tensor.zeros{n}
  for i = 1, n do
    if i % 2 == 0 then x[i] = x[i] + 1; y[i] = 1 else x[i] = x[i] - 1 end
  end
  return data.dataset(x, y)
end

local function mlp(out_activation)
  return nn.Sequential{input = {2}, nn.Dense(8, {activation = "relu"}),
                       nn.Dense(2, out_activation and {activation = out_activation} or nil)}
end

describe("optim", function()
  it("builds every optimizer with Keras' defaults and prints it", function()
    for _, name in ipairs{"SGD", "Adam", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Adamax"} do
      local opt = optim[name]{}
      expect(opt.name):to_be(name)
    end
    expect(optim.SGD{}.lr):to_be_close(0.01, 1e-9)
    expect(tostring(optim.Adam{lr = 0.01})):to_be("Adam{lr=0.01, beta1=0.9, beta2=0.999, eps=1e-07, params=0}")
  end)

  it("steps hand-computed SGD updates with momentum; lr is settable", function()
    local w = tensor.from{1, -2}:requires_grad()
    local opt = optim.SGD{params = {w}, lr = 0.1, momentum = 0.9}
    -- loss = sum(w * g) gives grad g = {0.5, -1}
    local g = tensor.from{0.5, -1}
    opt:zero_grad(); (w * g):sum():backward(); opt:step()
    expect(w:totable()[1]):to_be_close(0.95, 1e-6)        -- 1 - 0.1*0.5
    opt:zero_grad(); (w * g):sum():backward(); opt:step()
    expect(w:totable()[1]):to_be_close(0.855, 1e-6)       -- buf = 0.9*0.5 + 0.5 = 0.95
    opt.lr = 0.5
    expect(opt.lr):to_be(0.5)
    opt:set_lr(0.25)
    expect(opt:get_lr()):to_be(0.25)
    expect(opt.iterations):to_be(2)
  end)

  it("rejects bad options with clear messages", function()
    expect(function() optim.SGD{lr = -1} end):to_fail_with("lr must be a non-negative number")
    expect(function() optim.Adam{beta1 = 1.5} end):to_fail_with("beta1 must be in")
    expect(function() optim.SGD{lr = 0.1, momentun = 0.9} end):to_fail_with("unknown option 'momentun' (did you mean 'momentum'?)")
    expect(function() local o = optim.SGD{}; o.lr = -2 end):to_fail_with("non-negative")
    expect(function() local o = optim.SGD{}; o.momentum = 1 end):to_fail_with("only lr can be set")
  end)
end)

describe("nn.losses", function()
  it("computes cross-entropy from logits, and the others", function()
    local logits = tensor.from{{1, 2, 3}}
    local expected = math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3
    expect(nn.losses.cross_entropy(logits, tensor.from{2}):item()):to_be_close(expected, 1e-5)
    local p = tensor.from{{0.2, 0.3, 0.5}}
    expect(nn.losses.sparse_categorical_crossentropy(p, tensor.from{2}, {from_logits = false}):item())
      :to_be_close(-math.log(0.5), 1e-5)
    expect(nn.losses.mse(tensor.from{1, 2}, tensor.from{0, 4}):item()):to_be_close(2.5, 1e-6)
    expect(nn.losses.mae(tensor.from{1, 2}, tensor.from{0, 4}):item()):to_be_close(1.5, 1e-6)
    expect(nn.losses.binary_crossentropy(tensor.from{0}, tensor.from{1}):item()):to_be_close(math.log(2), 1e-6)
  end)

  it("says which label is out of range", function()
    expect(function() nn.losses.cross_entropy(tensor.zeros{2, 3}, tensor.from{0, 3}) end)
      :to_fail_with("label 3 at position 2 is outside 0..2")
  end)
end)

describe("the hand-written loop", function()
  it("trains with optim.SGD, zero_grad, backward, step", function()
    local train = blobs(64)
    moonlab.seed(2)
    local model = mlp()
    local opt = optim.SGD{params = model:parameters(), lr = 0.1, momentum = 0.9}
    local first, last
    for epoch = 1, 5 do
      for x, y in data.batches(train, 16, {shuffle = true}) do
        opt:zero_grad(); local loss = nn.losses.cross_entropy(model(x), y); loss:backward(); opt:step()
        first = first or loss:item(); last = loss:item()
      end
    end
    expect(last < first):to_be(true)
  end)
end)

describe("compile and fit", function()
  it("trains, returns a history, evaluates, predicts and classifies", function()
    local train, test = blobs(128, 1), blobs(64, 2)
    moonlab.seed(3)
    local model = mlp()
    expect(model:compile{optimizer = optim.Adam{lr = 0.05}, loss = "sparse_categorical_crossentropy",
                         metrics = {"accuracy"}}):to_be(model)
    local h = model:fit(train, {epochs = 4, batch = 16, validation_split = 0.25, verbose = 0})
    expect(#h.loss):to_be(4)
    expect(#h.val_accuracy):to_be(4)
    expect(#h.lr):to_be(4)
    expect(h.loss[4] < h.loss[1]):to_be(true)
    local r = model:evaluate(test)
    expect(r.accuracy > 0.95):to_be(true)
    expect(type(r.loss)):to_be("number")
    local p = model:predict(test)
    expect(p:shape()):to_equal({64, 2})
    local labels = model:classify(test.x)
    expect(labels:shape()):to_equal({64})
    local correct = labels:eq(test.y):sum():item()
    expect(correct / 64):to_be_close(r.accuracy, 1e-6)
  end)

  it("repeats bit for bit with the same seed on two threads (shuffled, conv (im2col and Winograd) and dense)", function()
    local saved = moonlab.threads()
    moonlab.threads(2)
    moonlab.seed(21)
    local labels = tensor.zeros{96}
    for i = 1, 96 do labels[i] = i % 3 end
    local images = data.dataset(tensor.rand({96, 2, 10, 10}), labels)
    local function run()
      moonlab.seed(5)
      -- 2 -> 16 channels runs through im2col, 16 -> 16 through Winograd tiles
      local m = nn.Sequential{input = {2, 10, 10}, nn.Conv2D(16, 3, {activation = "relu", padding = "same"}),
        nn.Conv2D(16, 3, {activation = "relu"}), nn.MaxPool2D(2), nn.Flatten(), nn.Dense(3)}
      m:compile{optimizer = optim.SGD{lr = 0.1, momentum = 0.9}, loss = "sparse_categorical_crossentropy"}
      local h = m:fit(images, {epochs = 3, batch = 32, verbose = 0})
      local sums = {}
      for i, p in ipairs(m:parameters()) do sums[i] = p:abs():sum():item() end
      return h.loss, sums
    end
    local loss1, sums1 = run()
    for _ = 1, 8 do
      local loss2, sums2 = run()
      expect(loss2):to_equal(loss1)   -- exact: the same numbers, not close ones
      expect(sums2):to_equal(sums1)
    end
    moonlab.threads(saved)
  end)

  it("accepts tensors x, y and a softmax output (probabilities, never squashed twice)", function()
    local train = blobs(64, 4)
    moonlab.seed(5)
    local model = mlp("softmax")
    model:compile{optimizer = optim.Adam{lr = 0.05}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    local h = model:fit(train.x, train.y, {epochs = 5, batch = 8, verbose = 0})
    expect(h.accuracy[#h.accuracy] > 0.9):to_be(true)
  end)

  -- Two inputs a {N, 2} and b {N, 3}; the class is whether a[1] + b[1] > 0, so a model sees
  -- only half of what decides it through either input alone.
  local function two_inputs(n, seed)
    moonlab.seed(seed)
    local a, b = tensor.randn({n, 2}), tensor.randn({n, 3})
    local y = tensor.zeros{n}
    for i = 1, n do if a[i][1] + b[i][1] > 0 then y[i] = 1 end end
    return data.dataset({a = a, b = b}, y)
  end
  local function maxdiff(p, q) return (p - q):abs():max():item() end
  local function two_input_model()
    local a, b = nn.Input({2}, {name = "a"}), nn.Input({3}, {name = "b"})
    local ha = nn.Dense(8, {activation = "relu"})(a)
    local hb = nn.Dense(8, {activation = "relu"})(b)
    return nn.Model{inputs = {a = a, b = b}, outputs = nn.Dense(2)(nn.Concatenate()({ha, hb}))}
  end

  it("trains a graph with two named inputs through fit, evaluate, predict and classify", function()
    local train, test = two_inputs(512, 1), two_inputs(256, 2)
    expect(tostring(train)):to_contain("{a={2}, b={3}}")
    expect(train.x.a:shape()):to_equal({512, 2})
    expect(train[3].x.b:shape()):to_equal({3})
    moonlab.seed(4)
    local model = two_input_model()
    model:compile{optimizer = optim.Adam{lr = 0.02}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    local h = model:fit(train, {epochs = 15, batch = 32, validation = test, verbose = 0})
    expect(h.val_accuracy[15] > 0.93):to_be(true)   -- either input alone gives about 0.75
    local r = model:evaluate(test)
    expect(r.accuracy):to_be_close(h.val_accuracy[15], 1e-9)
    local p = model:predict(test)
    expect(p:shape()):to_equal({256, 2})
    expect(maxdiff(model:predict(test.x, {batch = 7}), p) < 1e-4):to_be(true)
    local labels = model:classify({a = test.x.a, b = test.x.b})
    expect(labels:eq(test.y):sum():item() / 256):to_be_close(r.accuracy, 1e-6)
    expect(maxdiff(model:activations(test, -1), p) < 1e-4):to_be(true)
    -- tensors given directly, and {x, y} validation with named x
    local h2 = model:fit(test.x, test.y, {epochs = 1, verbose = 0, validation = {train.x, train.y}})
    expect(#h2.val_loss):to_be(1)
  end)

  it("feeds named inputs exactly as the hand-written loop does", function()
    local train = two_inputs(64, 3)
    moonlab.seed(8)
    local m1 = two_input_model()
    moonlab.seed(8)
    local m2 = two_input_model()
    m1:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy"}
    m1:fit(train, {epochs = 1, batch = 16, shuffle = false, verbose = 0})
    local opt = optim.SGD{params = m2:parameters(), lr = 0.1}
    for x, y in data.batches(train, 16) do
      expect(x.a:shape()):to_equal({16, 2})
      opt:zero_grad(); local loss = nn.losses.cross_entropy(m2(x), y); loss:backward(); opt:step()
    end
    for i, p in ipairs(m1:parameters()) do expect(maxdiff(p, m2:parameters()[i])):to_be(0) end
  end)

  it("carries named inputs through select, subset, split, shuffle, concat and kfold", function()
    local ds = two_inputs(40, 5)
    local picked = ds:select{3, 1}
    expect(maxdiff(picked.x.b[1], ds.x.b[3])):to_be(0)
    expect(maxdiff(picked.x.a[2], ds.x.a[1])):to_be(0)
    expect(#ds:subset(11, 20)):to_be(10)
    expect(maxdiff(ds:subset(11, 20).x.a[1], ds.x.a[11])):to_be(0)
    local tr, va = ds:split(0.75, {seed = 1})
    expect(#tr + #va):to_be(40)
    expect(tr.x.b:shape()):to_equal({30, 3})
    expect(#ds:shuffle(3).x.a:shape()):to_be(2)
    local both = ds:concat(ds)
    expect(both.x.a:shape()):to_equal({80, 2})
    for _, ftr, fva in data.kfold(ds, 4, {seed = 1}) do
      expect(ftr.x.a:shape()[1] + fva.x.b:shape()[1]):to_be(40)
    end
    local x, y = ds:item(2)
    expect(maxdiff(x.a, ds.x.a[2])):to_be(0)
    expect(y):to_be(ds.y[2])
    -- shuffled batches (gathered on the prefetch thread) keep every input's rows together
    local ids = tensor.arange(1, 41):reshape{40, 1}
    local aligned = data.dataset({p = ids, q = ids * 2}, ids:reshape{40})
    local seen = 0
    for bx, by in data.batches(aligned, 7, {shuffle = true, seed = 3}) do
      expect(maxdiff(bx.q, bx.p * 2)):to_be(0)
      expect(maxdiff(bx.p:reshape{bx.p:shape()[1]}, by)):to_be(0)
      seen = seen + bx.p:shape()[1]
    end
    expect(seen):to_be(40)
  end)

  it("says what does not match when named inputs meet a model", function()
    local ds = two_inputs(16, 6)
    local model = two_input_model()
    model:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy"}
    local only_a = data.dataset({a = ds.x.a}, ds.y)
    expect(function() model:fit(only_a, {verbose = 0}) end)
      :to_fail_with("the model's input 'b' has no data (data: a; model: a, b)")
    local extra = data.dataset({a = ds.x.a, b = ds.x.b, c = ds.x.a}, ds.y)
    expect(function() model:evaluate(extra) end):to_fail_with("the data has input 'c' but the model's inputs are a, b")
    expect(function() model:fit(ds.x.a, ds.y, {verbose = 0}) end)
      :to_fail_with("the model has inputs a, b but got one unnamed x; pass a table of named inputs")
    expect(function() model:predict({a = ds.x.a, b = ds.x.b:narrow(1, 1, 8)}) end)
      :to_fail_with("input 'b' has 8 samples but the first input 16")
    expect(function() data.dataset({a = ds.x.a, b = tensor.zeros{5, 3}}, ds.y) end)
      :to_fail_with("input 'b' has shape {5,3} but input 'a' holds 16 samples {16,2}")
    expect(function() model:fit(ds, {verbose = 0, augment = aug.RandomHorizontalFlip(0.5)}) end)
      :to_fail_with("augment transforms one input x, but the data has named inputs a, b")
    expect(function() ds:map(function(x, y) return x end) end)
      :to_fail_with("dataset:map: dataset dataset has named inputs (a, b); map works on a dataset with one input x")
    expect(function() ds:permute_pixels({1, 2}) end):to_fail_with("permute_pixels works on a dataset with one input x")
    local single = mlp()
    single:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy"}
    expect(function() single:fit(ds, {verbose = 0}) end):to_fail_with("the data has input 'a' but the model's inputs are")
  end)

  it("reports unknown names, missing compile and bad labels", function()
    local model = mlp()
    expect(function() model:fit(blobs(8), {verbose = 0}) end):to_fail_with("compile the model first")
    expect(model:compile{optimizer = "adam", loss = "mse"}):to_be(model)
    expect(function() model:compile{loss = "hinge"} end)
      :to_fail_with("unknown loss 'hinge' (valid: sparse_categorical_crossentropy")
    expect(function() model:compile{optimizer = "adamw", loss = "mse"} end)
      :to_fail_with("unknown optimizer 'adamw' (valid: SGD, Adam, Nadam, RMSprop, Adagrad, Adadelta, Adamax)")
    expect(function() model:compile{loss = "mse", metrics = {"f1"}} end):to_fail_with("unknown metric 'f1'")
    model:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy"}
    local bad = data.dataset(tensor.zeros{4, 2}, tensor.from{0, 1, 7, 0})
    expect(function() model:fit(bad, {verbose = 0, shuffle = false, batch = 4}) end)
      :to_fail_with("label 7 at position 3 is outside 0..1")
    expect(function() model:fit(blobs(8), {epochs = 0, verbose = 0}) end):to_fail_with("epochs must be at least 1")
    expect(function() model:fit(blobs(8), {epoch = 2}) end):to_fail_with("unknown option 'epoch' (did you mean 'epochs'?)")
  end)
end)

describe("callbacks", function()
  it("calls Lua tables with epoch and logs; an error stops fit", function()
    local model = mlp()
    model:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    local seen, batches = {}, 0
    model:fit(blobs(32), {epochs = 3, batch = 8, verbose = 0, callbacks = {{
      on_epoch_end = function(epoch, logs) seen[#seen + 1] = {epoch, logs.loss, logs.accuracy} end,
      on_batch_end = function() batches = batches + 1 end}}})
    expect(#seen):to_be(3)
    expect(seen[3][1]):to_be(3)
    expect(type(seen[1][2])):to_be("number")
    expect(batches):to_be(12)
    expect(function()
      model:fit(blobs(32), {epochs = 3, verbose = 0, callbacks = {{on_epoch_end = function() error("stop here") end}}})
    end):to_fail_with("stop here")
  end)

  it("EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN", function()
    local model = mlp()
    model:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    local csv = path("log.csv")
    -- min_delta 100 is never beaten: patience 1 stops after epoch 2; the rate halves each epoch after the first.
    local h = model:fit(blobs(32), {epochs = 10, batch = 8, verbose = 0, validation = blobs(16, 9), callbacks = {
      nn.EarlyStopping{monitor = "val_loss", min_delta = 100, patience = 1},
      nn.ReduceLROnPlateau{monitor = "loss", factor = 0.5, patience = 0, min_delta = 100},
      nn.CSVLogger(csv), nn.TerminateOnNaN()}})
    expect(#h.loss):to_be(2)
    expect(h.lr[1]):to_be_close(0.1, 1e-7)
    expect(h.lr[2]):to_be_close(0.1, 1e-7)
    local lines = {}
    for line in io.lines(csv) do lines[#lines + 1] = line end
    expect(#lines):to_be(3)
    expect(lines[1]):to_be("epoch,accuracy,loss,lr,val_accuracy,val_loss")
    os.remove(csv)
    local h2 = model:fit(blobs(32), {epochs = 3, verbose = 0,
      callbacks = {nn.LearningRateScheduler(function(epoch, lr) return 0.1 / epoch end)}})
    expect(h2.lr[3]):to_be_close(0.1 / 3, 1e-7)
    expect(tostring(nn.TerminateOnNaN())):to_be("nn.TerminateOnNaN")
  end)
end)

describe("saving", function()
  it("saves and loads a model that predicts the same numbers and keeps training", function()
    local file = path("model.moon")
    moonlab.seed(6)
    local model = mlp()
    model:compile{optimizer = optim.Adam{lr = 0.01}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    model:fit(blobs(32), {epochs = 1, verbose = 0})
    model:save(file)
    local again = nn.load(file)
    local x = blobs(8, 7).x
    expect(again:predict(x):totable()):to_equal(model:predict(x):totable())
    -- Compiled state came back: fit works without compile, and both continue identically.
    moonlab.seed(11); local ha = model:fit(blobs(32), {epochs = 1, verbose = 0})
    moonlab.seed(11); local hb = again:fit(blobs(32), {epochs = 1, verbose = 0})
    expect(hb.loss[1]):to_be(ha.loss[1])
    local other = nn.Sequential{input = {2}, nn.Dense(4), nn.Dense(2)}
    other:save(file)
    expect(function() nn.load(path("missing.moon")) end):to_fail_with("no such file")
    os.remove(file)
  end)

  it("resumes fit from a checkpoint as an uninterrupted run", function()
    local ckpt = path("run.ckpt")
    local function run(epochs, use_ckpt, seed)
      moonlab.seed(seed)
      local m = mlp()
      m:compile{optimizer = optim.Adam{lr = 0.02}, loss = "sparse_categorical_crossentropy"}
      local train = blobs(48, 3)
      moonlab.seed(21)
      return m:fit(train, {epochs = epochs, batch = 8, verbose = 0, checkpoint = use_ckpt and ckpt or nil}), m
    end
    local full, mfull = run(4, false, 8)
    run(2, true, 8)                           -- "interrupted" after epoch 2
    local resumed, mres = run(4, true, 99)    -- other initial weights: the checkpoint replaces them
    expect(resumed.loss):to_equal(full.loss)
    -- Each epoch's wall time, the restored ones from the checkpoint.
    expect(#resumed.seconds):to_be(4)
    for _, t in ipairs(resumed.seconds) do expect(t > 0 and t < 60):to_be(true) end
    expect(mres:predict(tensor.ones{1, 2}):totable()):to_equal(mfull:predict(tensor.ones{1, 2}):totable())
    os.remove(ckpt)
  end)
end)

T.finish()
