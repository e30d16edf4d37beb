/// A short runnable example for help entries, by entry name: `help(x)` shows x's after its
/// text, docs/api.md prints it, and Tests/lua/help_examples_test.lua runs every one. Data
/// only: the bindings hand it to LuaKit's help registry. Examples that write files write
/// under os.tmpname() and remove what they wrote.
public enum HelpExamples {
    public static let all: [String: String] = [
        "analysis.cka": #"""
            moonlab.seed(0)
            local a = tensor.randn{200, 16}
            print(analysis.cka(a, a * 3))                    --> 1 (isotropic scaling)
            print(analysis.cka(a, tensor.randn{200, 16}))    -- low for unrelated activations
            """#,
        "analysis.correlation": #"""
            moonlab.seed(0)
            local a = tensor.randn{500, 3}
            a = tensor.cat({a, a:narrow(2, 1, 1) * 2}, 2)    -- unit 4 copies unit 1
            local c = analysis.correlation(a)
            print(c:shape()[1], c[1][4])                      --> 4 1
            """#,
        "analysis.rsa": #"""
            moonlab.seed(0)
            local a = tensor.randn{100, 10}
            print(analysis.rsa(a, a * 2 + 1))                          --> 1
            print(analysis.rsa(a, tensor.randn{100, 10}, {method="pearson"}))   -- about 0
            """#,
        "analysis.summary": #"""
            moonlab.seed(0)
            local c = analysis.correlation(tensor.randn{200, 8})
            pp(analysis.summary(c))                  -- off-diagonal mean, std, min, max, count=56
            print(analysis.summary(c, {absolute=true}).mean)
            """#,
        "aug.ColorJitter": #"""
            local x = data.clocks{n=8, size=16, seed=1}.x
            local jitter = aug.ColorJitter{brightness=0.4, contrast=0.4}
            local y = jitter(x)
            print(jitter, y:min():item() >= 0, y:max():item() <= 1)   --> true true (clamped)
            """#,
        "aug.Compose": #"""
            local t = aug.Compose{aug.RandomRotation(10), aug.RandomZoom(0.1), aug.Normalize{mean=0.5, std=0.5}}
            print(t)
            local x = data.clocks{n=8, size=16, seed=1}.x
            pp(t(x):shape())   --> {8, 1, 16, 16}
            """#,
        "aug.ImageDataGenerator": #"""
            local x = data.clocks{n=64, size=16, seed=1}.x
            local gen = aug.ImageDataGenerator{rotation_range=15, width_shift_range=0.1, zoom_range=0.1, featurewise_center=true}
            gen:fit(x)                      -- per-channel mean for featurewise_center
            print(gen, gen(x):mean():item())   -- mean close to 0
            """#,
        "aug.Normalize": #"""
            local norm = aug.Normalize{mean=0.5, std=0.25}
            print(norm(tensor.full({1, 1, 2}, 1)))   -- (1 - 0.5) / 0.25 = 2
            local rgb = aug.Normalize{mean={0.485, 0.456, 0.406}, std={0.229, 0.224, 0.225}}
            pp(rgb(tensor.rand{2, 3, 8, 8}):shape())
            """#,
        "aug.RandomHorizontalFlip": #"""
            local img = tensor.arange(3):reshape{1, 1, 3}
            print(aug.RandomHorizontalFlip(1.0)(img))   -- always flips: 2 1 0
            print(aug.RandomHorizontalFlip())           -- p = 0.5
            """#,
        "aug.RandomRotation": #"""
            local x = data.clocks{n=8, size=16, seed=1}.x
            local rot = aug.RandomRotation(30, {fill_mode="constant", value=0})
            local y = rot:apply(x, {seed=1})
            print(rot, (y - x):abs():mean():item())
            """#,
        "aug.RandomShear": #"""
            local x = data.clocks{n=8, size=16, seed=1}.x
            local shear = aug.RandomShear(20, {fill_mode="nearest"})
            print(shear, (shear(x) - x):abs():mean():item())
            """#,
        "aug.RandomShift": #"""
            local img = tensor.zeros{1, 5, 5}; img[1][3][3] = 1   -- a dot in the centre
            local shift = aug.RandomShift{width=0.4, height=0}   -- up to 2 pixels left or right
            print(shift, shift:apply(img, {seed=1}):select(1, 1))
            """#,
        "aug.RandomVerticalFlip": #"""
            local img = tensor.arange(3):reshape{1, 3, 1}
            print(aug.RandomVerticalFlip(1.0)(img):flatten())   -- 2 1 0
            """#,
        "aug.RandomZoom": #"""
            local x = data.clocks{n=8, size=16, seed=1}.x
            local zoom = aug.RandomZoom(0.2)                 -- factors in [0.8, 1.2]
            local zin = aug.RandomZoom({1.5, 1.5})           -- always enlarge 1.5x
            print(zoom, zin(x):mean():item() < x:mean():item())
            """#,
        "aug.ZCA": #"""
            local x = data.clocks{n=256, size=16, seed=1}.x
            local zca = aug.ZCA{epsilon=1e-2}:fit(x)
            local w = zca(x)
            pp(zca, w:shape())                            -- {256, 1, 16, 16}
            print(w:flatten(2):mean(1):abs():max():item())   -- about 0: features centred
            """#,
        "aug.preview": #"""
            local ds = data.clocks{n=16, size=32, seed=1}
            local tmp = os.tmpname(); local path = tmp .. ".png"
            print(aug.preview(ds, aug.RandomRotation(30), path, {n=8, seed=1}) == path)
            print(io.open(path, "rb"):read(4):sub(2))   --> PNG
            os.remove(path); os.remove(tmp)
            """#,
        "data.batches": #"""
            local ds = data.dataset(tensor.randn{100, 3}, tensor.zeros{100})
            for x, y in data.batches(ds, 32, {shuffle=true, seed=1}) do
              print(x:shape()[1], y:shape()[1])   -- 32 32 32 4
            end
            local _, b = data.batches(ds, 32, {drop_last=true}); print(#b)   --> 3 batches
            """#,
        "data.clocks": #"""
            local ds = data.clocks{n=64, size=16, seed=1, noise=0.05}
            print(ds)                         -- 64 x {1,16,16}, targets hour, minute, time
            print(ds.y.hour[1], ds.y.minute[1], ds.y.time[1])
            """#,
        "data.concat": #"""
            local a = data.dataset(tensor.zeros{3, 2}, tensor.from{0, 0, 0})
            local b = data.dataset(tensor.ones{2, 2}, tensor.from{1, 1})
            local ab = data.concat{a, b}
            print(#ab, ab.y)   --> 5, 0 0 0 1 1
            """#,
        "data.csv": #"""
            local tmp = os.tmpname(); local path = tmp .. ".csv"
            local f = io.open(path, "w"); f:write("label,a,b\n0,0.1,0.2\n1,0.9,0.8\n1,0.7,0.6\n"); f:close()
            local ds = data.csv(path, {label="label"})
            print(ds, ds.y)   -- 3 samples of {2} features; labels 0 1 1
            os.remove(path); os.remove(tmp)
            """#,
        "data.dataset": #"""
            local x, y = tensor.randn{10, 4}, tensor.from{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}
            local ds = data.dataset(x, y, {name="toy", class_names={"even", "odd"}})
            print(ds, #ds, ds.classes)
            local xi, yi = ds:item(2); print(yi, ds.class_names[yi + 1])   --> 1 odd
            """#,
        "data.fashion_mnist": #"""
            local test = data.fashion_mnist{split="test"}:subset(1, 200)
            print(test, test.class_names[test.y[1] + 1])
            """#,
        "data.idx": #"""
            local dir = os.getenv("MOONLAB_DATA") .. "/mnist/"
            local ds = data.idx(dir .. "t10k-images-idx3-ubyte.gz", dir .. "t10k-labels-idx1-ubyte.gz", {name="mnist-test"})
            print(ds, ds.x:max():item())   -- 10000 x {1,28,28}, bytes scaled to at most 1
            """#,
        "data.images": #"""
            local dir = os.tmpname(); os.remove(dir)
            os.execute("mkdir -p " .. dir .. "/cat " .. dir .. "/dog")
            for i = 1, 3 do data.save_png(dir .. "/cat/" .. i .. ".png", tensor.rand{1, 8, 8}) end
            for i = 1, 2 do data.save_png(dir .. "/dog/" .. i .. ".png", tensor.rand{3, 12, 12}) end
            local ds = data.images(dir, {size={8, 8}, gray=true}); print(ds); pp(ds.class_names, ds.y:totable())
            os.execute("rm -r " .. dir)
            """#,
        "data.inverse_permutation": #"""
            local perm = data.permutation(5, {seed=1})
            local inv = data.inverse_permutation(perm)
            pp(perm, inv)
            local x = tensor.arange(5):reshape{1, 1, 5}
            print(data.permute_pixels(data.permute_pixels(x, perm), inv))   -- 0 1 2 3 4 again
            """#,
        "data.kfold": #"""
            local ds = data.dataset(tensor.randn{50, 3}, tensor.arange(50):lt(25))
            for fold, train, val in data.kfold(ds, 5, {seed=1, stratify=true}) do
              print(fold, #train, #val, val.y:sum():item())   -- 40 10, 5 of each class
            end
            """#,
        "data.mnist": #"""
            local test = data.mnist{split="test"}
            local small = test:subset(1, 200)
            print(test, small)
            pp(small:class_counts())
            """#,
        "data.npy": #"""
            local tmp = os.tmpname(); local path = tmp .. ".npy"
            data.save_npy(path, tensor.arange(6):reshape{2, 3})
            local t = data.npy(path)
            print(t)
            os.remove(path); os.remove(tmp)
            """#,
        "data.permutation": #"""
            local perm = data.permutation(8, {seed=42})
            pp(perm)   -- a shuffle of 1..8
            print(table.concat(data.permutation(8, {seed=42}), ",") == table.concat(perm, ","))   --> true: same seed, same order
            local ds = data.clocks{n=64, size=16, seed=1}:permute_pixels(data.permutation(16 * 16, {seed=42}))
            print(ds)
            """#,
        "data.permute_pixels": #"""
            local img = tensor.arange(4):reshape{1, 1, 2, 2}
            local out = data.permute_pixels(img, {4, 3, 2, 1})   -- new pixel i takes old perm[i]
            print(out)                                           -- 3 2 / 1 0
            local ds = data.permute_pixels(data.clocks{n=64, size=16, seed=1}, data.permutation(256, {seed=1}))
            print(ds)
            """#,
        "data.preview_clocks": #"""
            local ds = data.clocks{n=16, size=32, seed=1}
            local tmp = os.tmpname(); local path = tmp .. ".png"
            data.preview_clocks(ds, path, {n=8, cols=4})
            print(io.open(path, "rb"):read(4):sub(2))   --> PNG
            os.remove(path); os.remove(tmp)
            """#,
        "data.save_npy": #"""
            local tmp = os.tmpname(); local path = tmp .. ".npy"
            data.save_npy(path, tensor.randn{4, 3})
            print(io.open(path, "rb"):read(6):sub(2))   --> NUMPY (np.load reads it)
            pp(data.npy(path):shape())                  --> {4, 3}
            os.remove(path); os.remove(tmp)
            """#,
        "data.save_npz": #"""
            local tmp = os.tmpname(); local path = tmp .. ".npz"
            local ds = data.clocks{n=8, size=16, seed=1}
            data.save_npz(path, ds)                     -- x, hour, minute, time (np.load reads it)
            local back = data.npz(path, {x="x", y={hour="hour", minute="minute"}})
            print(back, (back.x - ds.x):abs():max():item())   --> 0
            data.save_npz(path, {w=tensor.randn{3, 2}, labels=tensor.from{0, 2, 1}}, {int64={"labels"}})
            pp(data.npz(path).labels:totable())         --> {0, 2, 1}
            os.remove(path); os.remove(tmp)
            """#,
        "data.save_png": #"""
            local ds = data.clocks{n=1, size=32, seed=3}
            local tmp = os.tmpname(); local path = tmp .. ".png"
            data.save_png(path, ds.x[1])        -- one {1, 32, 32} image
            print(io.open(path, "rb"):read(4):sub(2))   --> PNG
            os.remove(path); os.remove(tmp)
            """#,
        "dataset:batches": #"""
            local ds = data.clocks{n=64, size=16, seed=1}
            for x, y in ds:batches(32) do
              print(x:shape()[1], y.hour:shape()[1])   -- named targets come as a table
            end
            """#,
        "dataset:class_counts": #"""
            local ds = data.dataset(tensor.zeros{6, 2}, tensor.from{0, 1, 1, 2, 2, 2})
            pp(ds:class_counts())   --> {1, 2, 3}
            local clocks = data.clocks{n=64, size=16, seed=1}
            pp(clocks:class_counts("hour"))
            """#,
        "dataset:concat": #"""
            local a = data.clocks{n=32, size=16, seed=1}
            local b = data.clocks{n=16, size=16, seed=2}
            local ab = a:concat(b)
            print(ab, #ab)   --> 48
            """#,
        "dataset:item": #"""
            local ds = data.dataset(tensor.randn{5, 3}, tensor.from{0, 1, 2, 1, 0})
            local x, y = ds:item(3)
            print(x:shape()[1], y)          --> 3 2
            print(select(2, ds:item(-1)))   --> 0 (the last sample)
            """#,
        "dataset:map": #"""
            local ds = data.clocks{n=64, size=16, seed=1}
            local flat = ds:map(function(x, y) return x:flatten() end)
            print(flat)                                    -- 64 x {256}
            local inverted = ds:map(function(x) return 1 - x end, {batch=true})
            print(inverted.x:mean():item() > 0.5)
            """#,
        "dataset:permute_pixels": #"""
            local ds = data.clocks{n=64, size=16, seed=1}
            local perm = data.permutation(16 * 16, {seed=7})
            local shuffled = ds:permute_pixels(perm)
            local back = shuffled:permute_pixels(data.inverse_permutation(perm))
            print((back.x - ds.x):abs():max():item())   --> 0
            """#,
        "dataset:select": #"""
            local ds = data.dataset(tensor.arange(10):reshape{10, 1}, tensor.arange(10))
            local picked = ds:select{1, 5, 9}
            print(picked.y)   -- 0 4 8
            """#,
        "dataset:shuffle": #"""
            local ds = data.dataset(tensor.arange(6):reshape{6, 1}, tensor.arange(6))
            print(ds:shuffle(1).y)
            print(ds:shuffle(1).y)   -- the same order for the same seed
            """#,
        "dataset:split": #"""
            local ds = data.clocks{n=40, size=16, seed=1}
            local a, b = ds:split(0.75, {seed=1})
            print(#a, #b)  --> 30 10
            local tr, va = ds:split(0.5, {seed=1, stratify="hour"})   -- each hour's share kept in both
            pp(tr:class_counts("hour"), va:class_counts("hour"))
            """#,
        "dataset:subset": #"""
            local ds = data.clocks{n=64, size=16, seed=1}
            print(#ds:subset(1, 10), #ds:subset(50), #ds:subset(-4))   --> 10 15 4
            """#,
        "help": #"""
            help(tensor.zeros)          -- one entry
            help("kfold")               -- search every entry's name and text
            """#,
        "initializer:sample": #"""
            moonlab.seed(0)
            local init = nn.init.he_uniform()
            local w = init:sample{64, 32}
            print(init, w:shape()[1], w:abs():max():item() <= math.sqrt(6 / 64))
            """#,
        "layer:config": #"""
            local d = nn.Dense(16, {activation="relu", l2=1e-4})
            pp(d:config())
            """#,
        "layer:count_params": #"""
            local m = nn.Sequential{input={8}, nn.Dense(4), nn.Dense(2)}
            print(m:layer(1):count_params(), m:layer(2):count_params())   --> 36 10
            """#,
        "layer:get_weights": #"""
            local d = nn.Dense(2)
            d(tensor.zeros{1, 3})               -- built for 3 inputs
            local w = d:get_weights()
            pp(w[1]:shape(), w[2]:shape())      --> {3, 2} {2}
            """#,
        "layer:set_weights": #"""
            local d = nn.Dense(2)
            d(tensor.zeros{1, 3})
            d:set_weights{tensor.ones{3, 2}, tensor.from{0.5, -0.5}}
            print(d(tensor.from{{1, 2, 3}}))    -- 6.5 5.5
            """#,
        "layer:weight_names": #"""
            local m = nn.Sequential{input={4}, nn.Dense(3), nn.BatchNorm{}}
            pp(m:layer(1):weight_names())   --> {"kernel", "bias"}
            pp(m:layer(2):weight_names())   --> {"gamma", "beta", "moving_mean", "moving_variance"}
            """#,
        "metrics.accuracy": #"""
            local pred = tensor.from{0, 1, 2, 2, 1, 0}
            local y = tensor.from{0, 1, 1, 2, 1, 2}
            print(metrics.accuracy(pred, y))                                     --> 0.6667
            print(metrics.accuracy(tensor.from{{0.9, 0.1}, {0.2, 0.8}}, {0, 0}))  -- scores: 0.5
            """#,
        "metrics.confusion_matrix": #"""
            local pred = tensor.from{0, 1, 2, 2, 1, 0}
            local y = tensor.from{0, 1, 1, 2, 1, 2}
            print(metrics.confusion_matrix(pred, y))      -- rows: true label, columns: prediction
            print(metrics.confusion_matrix(pred, y, 4):shape()[1])   --> 4
            """#,
        "metrics.mae": #"""
            local pred = tensor.from{{1.5}, {2.0}, {4.0}}   -- {N, 1} pairs with {N}
            print(metrics.mae(pred, tensor.from{1, 2, 3}))  --> 0.5
            """#,
        "metrics.misclassified": #"""
            local pred = tensor.from{0, 1, 2, 2, 1, 0}
            local y = tensor.from{0, 1, 1, 2, 1, 2}
            pp(metrics.misclassified(pred, y))   --> {3, 6}
            """#,
        "metrics.report": #"""
            local pred = tensor.from{0, 1, 2, 2, 1, 0}
            local y = tensor.from{0, 1, 1, 2, 1, 2}
            local r = metrics.report(pred, y, {"cat", "dog", "bird"})   -- prints the table
            print(r.accuracy, r.classes[2].name, r.classes[2].recall)
            """#,
        "model:activations": #"""
            local ds = data.clocks{n=64, size=16, seed=1}
            local m = nn.Sequential{input={1, 16, 16}, nn.Flatten{}, nn.Dense(16, {activation="relu", name="hidden"}), nn.Dense(12)}
            local acts = m:activations(ds, "hidden")
            pp(acts:shape())                                   --> {64, 16}
            print(analysis.summary(analysis.correlation(acts)).mean)
            """#,
        "model:architecture": #"""
            local m = nn.Sequential{input={4}, nn.Dense(8, {activation="relu"}), nn.Dense(1)}
            local arch = m:architecture()
            print(arch.class, #arch.layers)                    --> Sequential 3
            print(arch.layers[2].class, arch.layers[2].config.units)   --> Dense 8
            """#,
        "model:classify": #"""
            local m = nn.Sequential{input={2}, nn.Dense(3)}
            m:layer(1):set_weights{tensor.from{{1, 0, 0}, {0, 1, 0}}, tensor.zeros{3}}
            print(m:classify(tensor.from{{5, 1}, {0, 3}, {-1, -1}}))   -- 0 1 2
            """#,
        "model:compile": #"""
            local m = nn.Sequential{input={1, 16, 16}, nn.Flatten{}, nn.Dense(12)}
            m:compile{optimizer=optim.Adam{lr=1e-3}, loss="sparse_categorical_crossentropy", metrics={"accuracy"}}
            local ds = data.clocks{n=64, size=16, seed=1}
            pp(m:evaluate(ds.x, ds.y.hour))   -- {accuracy=..., loss=...}
            """#,
        "model:count_params": #"""
            local m = nn.Sequential{input={784}, nn.Dense(128, {activation="relu"}), nn.Dense(10)}
            print(m:count_params())   --> 101770
            """#,
        "model:eval": #"""
            local m = nn.Sequential{input={8}, nn.Dropout(0.5)}
            m:eval()
            print(m.training, m(tensor.ones{1, 8}):sum():item())   --> false 8 (dropout off)
            """#,
        "model:evaluate": #"""
            local ds = data.clocks{n=128, size=16, seed=1}
            local train, test = ds:split(0.75, {seed=1})
            local m = nn.Sequential{input={1, 16, 16}, nn.Flatten{}, nn.Dense(12)}
            m:compile{loss="sparse_categorical_crossentropy", metrics={"accuracy"}}
            m:fit(train.x, train.y.hour, {epochs=1, verbose=0})
            pp(m:evaluate(test.x, test.y.hour, {batch=64}))
            """#,
        "model:fit": #"""
            local ds = data.clocks{n=256, size=16, seed=1}
            local m = nn.Sequential{input={1, 16, 16}, nn.Flatten{}, nn.Dense(32, {activation="relu"}), nn.Dense(12)}
            m:compile{optimizer=optim.Adam{lr=1e-2}, loss="sparse_categorical_crossentropy", metrics={"accuracy"}}
            local h = m:fit(ds.x, ds.y.hour, {epochs=2, batch=32, validation_split=0.25, verbose=0})
            pp(h.loss, h.val_accuracy)
            """#,
        "model:forward": #"""
            local m = nn.Sequential{input={4}, nn.Dense(3), nn.Activation("softmax")}
            local p = m:forward(tensor.randn{2, 4})      -- the same as m(x)
            print(p, p:sum(2))
            """#,
        "model:get_weights": #"""
            local m = nn.Sequential{input={4}, nn.Dense(3), nn.Dense(1)}
            for i, w in ipairs(m:get_weights()) do print(i, table.concat(w:shape(), "x")) end   -- 4x3 3 3x1 1
            """#,
        "model:layer": #"""
            local m = nn.Sequential{input={4}, nn.Dense(8, {name="hidden"}), nn.Dense(1)}
            print(m:layer(1).name, m:layer("hidden").kind)   --> hidden Dense
            pp(m:layer(2).output_shape)                      --> {1}
            """#,
        "model:layers": #"""
            local m = nn.Sequential{input={1, 16, 16}, nn.Conv2D(4, 3), nn.Flatten{}, nn.Dense(10)}
            for i, l in ipairs(m:layers()) do print(i, l.name, l.kind, l:count_params()) end
            """#,
        "model:load_weights": #"""
            -- A PyTorch-style state_dict: Linear(4, 2) stores weight {out, in}, named fc.*
            local tmp = os.tmpname(); local path = tmp .. ".safetensors"
            tensor.save(path, {["fc.weight"] = tensor.randn{2, 4}, ["fc.bias"] = tensor.zeros{2}})
            local m = nn.Sequential{input={4}, nn.Dense(2)}
            local report = m:load_weights(path, {from="pytorch", map={dense_1="fc"}})
            pp(report.loaded)                                 -- dense_1.kernel = "fc.weight", ...
            pp(m:named_weights()["dense_1.kernel"]:shape())   --> {4, 2}: transposed
            os.remove(path); os.remove(tmp)
            """#,
        "model:named_weights": #"""
            local m = nn.Sequential{input={4}, nn.Dense(3), nn.BatchNorm{}}
            local names = {}
            for name, w in pairs(m:named_weights()) do names[#names + 1] = name end
            table.sort(names); print(table.concat(names, "  "))
            """#,
        "model:parameters": #"""
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            local x, y = tensor.randn{32, 4}, tensor.randn{32, 1}
            local opt = optim.SGD{lr=0.1, params=m:parameters()}
            for step = 1, 3 do
              opt:zero_grad(); local loss = nn.losses.mse(m(x), y); loss:backward(); opt:step(); print(step, loss:item())
            end
            """#,
        "model:predict": #"""
            local ds = data.clocks{n=100, size=16, seed=1}
            local m = nn.Sequential{input={1, 16, 16}, nn.Flatten{}, nn.Dense(12)}
            local scores = m:predict(ds, {batch=50})
            pp(scores:shape())   --> {100, 12}
            """#,
        "model:save": #"""
            local m = nn.Sequential{input={4}, nn.Dense(2)}
            m:compile{loss="mse", optimizer=optim.Adam{lr=1e-3}}
            local tmp = os.tmpname(); local path = tmp .. ".safetensors"
            m:save(path)
            print(nn.load(path))
            os.remove(path); os.remove(tmp)
            """#,
        "model:save_weights": #"""
            local a = nn.Sequential{input={4}, nn.Dense(3), nn.BatchNorm{}}
            local tmp = os.tmpname(); local path = tmp .. ".safetensors"
            a:save_weights(path)
            local b = nn.Sequential{input={4}, nn.Dense(3), nn.BatchNorm{}}
            print(b:load_weights(path).count)                 --> 6
            local x = tensor.randn{2, 4}
            print((a:eval()(x) - b:eval()(x)):abs():max():item())   --> 0
            os.remove(path); os.remove(tmp)
            """#,
        "model:set_weights": #"""
            local a = nn.Sequential{input={4}, nn.Dense(2)}
            local b = nn.Sequential{input={4}, nn.Dense(2)}
            b:set_weights(a:get_weights())           -- copy a's weights into b
            local x = tensor.randn{3, 4}
            print((a(x) - b(x)):abs():max():item())  --> 0
            """#,
        "model:summary": #"""
            local m = nn.Sequential{input={1, 16, 16}, nn.Conv2D(4, 3), nn.Flatten{}, nn.Dense(10)}
            m:summary()
            local text = m:summary{print=false}           -- the same table as a string
            print(#text, text:match("Total params: [%d,]+"))
            """#,
        "model:train": #"""
            moonlab.seed(0)
            local m = nn.Sequential{input={8}, nn.Dropout(0.5)}
            m:train()
            print(m.training, m(tensor.ones{1, 8}))   --> true, zeros and 2s
            """#,
        "moonlab.clock": #"""
            local t0 = moonlab.clock()
            local s = tensor.randn{256, 256}:matmul(tensor.randn{256, 256}):sum():item()
            print(string.format("matmul took %.4f s", moonlab.clock() - t0))
            """#,
        "moonlab.docs": #"""
            local text = moonlab.docs()
            print(#text > 1000, text:sub(1, 26))
            local tmp = os.tmpname(); local path = tmp .. ".md"
            moonlab.docs(path)
            print(io.open(path):read("l"))
            os.remove(path); os.remove(tmp)
            """#,
        "moonlab.examples": #"""
            local examples = moonlab.examples()
            local n = 0; for _ in pairs(examples) do n = n + 1 end
            print(n .. " help entries have an example")
            local code = examples["tensor.eye"]
            if code then load(code, "tensor.eye", "t", setmetatable({}, {__index=_G}))() end
            """#,
        "moonlab.seed": #"""
            moonlab.seed(42)
            local a = tensor.rand{3}
            moonlab.seed(42)
            local b = tensor.rand{3}
            print(a:eq(b):sum():item())  --> 3 (same numbers)
            """#,
        "moonlab.threads": #"""
            local n = moonlab.threads()
            print("engine threads:", n)
            moonlab.threads(1)
            print(moonlab.threads())  --> 1
            moonlab.threads(n)
            """#,
        "moonlab.winograd": #"""
            local x = tensor.randn{2, 16, 8, 8}
            local conv = nn.Conv2D(16, 3, {padding = "same"})
            local a = conv(x)
            moonlab.winograd(false)          -- im2col and one GEMM instead
            local b = conv(x)
            moonlab.winograd(true)
            print((a - b):abs():max():item() < 1e-4)  --> true
            """#,
        "nn.Activation": #"""
            local act = nn.Activation("softmax")
            local p = act(tensor.from{{1, 2, 3}})
            print(p, p:sum():item())
            """#,
        "nn.Add": #"""
            local x = nn.Input({8})
            local y = nn.Add{}({nn.Dense(4)(x), nn.Dense(4)(x)})
            local m = nn.Model{inputs=x, outputs=y}
            pp(m(tensor.randn{2, 8}):shape())  --> {2, 4}
            """#,
        "nn.AvgPool2D": #"""
            local pool = nn.AvgPool2D(2)
            local x = tensor.arange(16):reshape{1, 1, 4, 4}
            print(pool(x))   -- 1x1x2x2 window means
            """#,
        "nn.BasicBlock": #"""
            local m = nn.Sequential{input={3, 16, 16}, nn.BasicBlock(8, {stride=2})}
            pp(m(tensor.randn{2, 3, 16, 16}):shape())  --> {2, 8, 8, 8}
            print(m:count_params())
            """#,
        "nn.BatchNorm": #"""
            local m = nn.Sequential{input={4}, nn.BatchNorm{momentum=0.9}}
            print(m:layer(1):weight_names()[3])   --> moving_mean
            m:train()
            local y = m(tensor.randn({64, 4}, 5, 3))
            print(y:mean(1))   -- about 0 per feature in training mode
            """#,
        "nn.CSVLogger": #"""
            local tmp = os.tmpname(); local path = tmp .. ".csv"
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{loss="mse", optimizer=optim.SGD{lr=0.01}}
            m:fit(tensor.randn{32, 4}, tensor.randn{32, 1}, {epochs=2, verbose=0, callbacks={nn.CSVLogger(path)}})
            print(io.open(path):read("a"))
            os.remove(path); os.remove(tmp)
            """#,
        "nn.Concatenate": #"""
            local a, b = nn.Input({3}, {name="a"}), nn.Input({5}, {name="b"})
            local joined = nn.Concatenate{}({a, b})
            print(joined.shape[1])  --> 8
            local m = nn.Model{inputs={a, b}, outputs=nn.Dense(1)(joined)}
            pp(m{a=tensor.randn{2, 3}, b=tensor.randn{2, 5}}:shape())  --> {2, 1}
            """#,
        "nn.Conv2D": #"""
            local conv = nn.Conv2D(8, 3, {padding="same", activation="relu"})
            local y = conv(tensor.randn{2, 1, 16, 16})
            pp(y:shape())                      --> {2, 8, 16, 16}
            pp(conv:get_weights()[1]:shape())  --> {8, 1, 3, 3}
            """#,
        "nn.Dense": #"""
            local dense = nn.Dense(4, {activation="relu", init="he_normal"})
            local y = dense(tensor.randn{2, 3})
            pp(y:shape())                        --> {2, 4}
            pp(dense:get_weights()[1]:shape())   --> {3, 4} (kernel {in, units})
            """#,
        "nn.Dropout": #"""
            moonlab.seed(0)
            local m = nn.Sequential{input={6}, nn.Dropout(0.5)}
            m:train(); print(m(tensor.ones{1, 6}))   -- zeros and 2s
            m:eval();  print(m(tensor.ones{1, 6}))   -- identity
            """#,
        "nn.EarlyStopping": #"""
            local x, y = tensor.randn{64, 4}, tensor.randn{64, 1}
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{loss="mse", optimizer=optim.SGD{lr=0.01}}
            local stop = nn.EarlyStopping{monitor="val_loss", patience=2, min_delta=10}   -- no epoch improves by 10
            local h = m:fit(x, y, {epochs=20, verbose=0, validation_split=0.25, callbacks={stop}})
            print(#h.loss, "epochs run")  --> 3
            """#,
        "nn.Flatten": #"""
            local f = nn.Flatten{}
            pp(f(tensor.zeros{2, 3, 4, 4}):shape())  --> {2, 48}
            """#,
        "nn.GlobalAvgPool2D": #"""
            local gap = nn.GlobalAvgPool2D{}
            local x = tensor.ones{2, 3, 5, 5}
            print(gap(x))   -- 2 x 3, all ones
            """#,
        "nn.Input": #"""
            local x = nn.Input({1, 16, 16}, {name="image"})
            local h = nn.Flatten{}(x)
            local out = nn.Dense(12)(h)
            print(x, out.shape[1])
            local m = nn.Model{inputs={x}, outputs={out}}   -- arrays: named after their layers
            print(m.inputs[1])  --> image
            """#,
        "nn.LearningRateScheduler": #"""
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{loss="mse", optimizer=optim.SGD{lr=0.1}}
            local sched = nn.LearningRateScheduler(function(epoch, lr) return 0.1 * 0.5 ^ (epoch - 1) end)
            local h = m:fit(tensor.randn{32, 4}, tensor.randn{32, 1}, {epochs=3, verbose=0, callbacks={sched}})
            pp(h.lr)   -- about {0.1, 0.05, 0.025}
            """#,
        "nn.MaxPool2D": #"""
            local pool = nn.MaxPool2D(2)
            local x = tensor.arange(16):reshape{1, 1, 4, 4}
            print(pool(x))   -- 5 7 / 13 15
            """#,
        "nn.Model": #"""
            local img = nn.Input({1, 16, 16}, {name="image"})
            local h = nn.Dense(32, {activation="relu"})(nn.Flatten{}(img))
            local m = nn.Model{inputs=img, outputs={hour=nn.Dense(12)(h), minute=nn.Dense(1)(h)}}
            local out = m(tensor.rand{2, 1, 16, 16})
            pp(out.hour:shape(), out.minute:shape())  --> {2, 12} {2, 1}
            """#,
        "nn.ModelCheckpoint": #"""
            local tmp = os.tmpname(); local path = tmp .. ".safetensors"
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{loss="mse", optimizer=optim.SGD{lr=0.01}}
            m:fit(tensor.randn{32, 4}, tensor.randn{32, 1}, {epochs=2, verbose=0, callbacks={nn.ModelCheckpoint(path)}})
            print(nn.load(path):count_params())  --> 5
            os.remove(path); os.remove(tmp)
            """#,
        "nn.ReduceLROnPlateau": #"""
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{loss="mse", optimizer=optim.SGD{lr=0.01}}
            local cb = nn.ReduceLROnPlateau{monitor="loss", factor=0.5, patience=1, min_delta=10}   -- a plateau every epoch
            local h = m:fit(tensor.randn{32, 4}, tensor.randn{32, 1}, {epochs=4, verbose=0, callbacks={cb}})
            pp(h.lr)   -- the rate halves after each plateau
            """#,
        "nn.Reshape": #"""
            local m = nn.Sequential{input={784}, nn.Reshape{1, 28, 28}}
            pp(m(tensor.zeros{2, 784}):shape())  --> {2, 1, 28, 28}
            pp(nn.Reshape{-1}(tensor.zeros{2, 3, 4}):shape())  --> {2, 12}
            """#,
        "nn.Residual": #"""
            local block = nn.Residual({nn.Dense(16, {activation="relu"}), nn.Dense(16)}, {activation="relu"})
            local m = nn.Sequential{input={16}, block}
            pp(m(tensor.randn{4, 16}):shape())  --> {4, 16}
            print(m:count_params())              --> 544
            """#,
        "nn.Sequential": #"""
            local m = nn.Sequential{input={1, 16, 16},
              nn.Conv2D(4, 3, {activation="relu"}), nn.MaxPool2D(2),
              nn.Flatten{}, nn.Dense(12), name="tiny_cnn"}
            print(m)
            pp(m(tensor.rand{2, 1, 16, 16}):shape())  --> {2, 12}
            """#,
        "nn.TerminateOnNaN": #"""
            local x, y = tensor.randn{32, 4}, tensor.full({32, 1}, 0/0)   -- NaN targets
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{loss="mse"}
            local h = m:fit(x, y, {epochs=5, verbose=0, callbacks={nn.TerminateOnNaN()}})
            print(#h.loss, h.loss[1])   -- stopped in the first epoch
            """#,
        "nn.from_code": #"""
            local m = nn.from_code("cpfff", {input={1, 16, 16}, classes=12, filters=8, units=32})
            print(m)
            pp(m(tensor.rand{2, 1, 16, 16}):shape())  --> {2, 12}
            """#,
        "nn.init.constant": #"""
            local init = nn.init.constant{value=0.1}
            print(init{2, 3})
            local d = nn.Dense(3, {bias_init=init}); d(tensor.zeros{1, 2})
            print(d:get_weights()[2])   -- bias 0.1 0.1 0.1
            """#,
        "nn.init.glorot_normal": #"""
            moonlab.seed(0)
            local w = nn.init.glorot_normal()({200, 100})
            print(w:std():item(), math.sqrt(2 / 300))   -- about equal
            """#,
        "nn.init.glorot_uniform": #"""
            moonlab.seed(0)
            local w = nn.init.glorot_uniform()({200, 100})
            print(w:abs():max():item() <= math.sqrt(6 / 300))   --> true
            """#,
        "nn.init.he_normal": #"""
            moonlab.seed(0)
            local w = nn.init.he_normal()({256, 64})
            print(w:std():item(), math.sqrt(2 / 256))   -- about equal
            local conv = nn.Conv2D(8, 3, {init=nn.init.he_normal(), activation="relu"})
            print(conv(tensor.randn{1, 1, 8, 8}):shape()[2])   --> 8
            """#,
        "nn.init.he_uniform": #"""
            moonlab.seed(0)
            local w = nn.init.he_uniform()({256, 64})
            print(w:abs():max():item() <= math.sqrt(6 / 256))   --> true
            """#,
        "nn.init.lecun_normal": #"""
            moonlab.seed(0)
            local w = nn.init.lecun_normal()({100, 50})
            print(w:std():item(), math.sqrt(1 / 100))   -- about equal
            """#,
        "nn.init.lecun_uniform": #"""
            moonlab.seed(0)
            local w = nn.init.lecun_uniform()({100, 50})
            print(w:abs():max():item() <= math.sqrt(3 / 100))   --> true
            """#,
        "nn.init.ones": #"""
            print(nn.init.ones()({2, 2}))
            local d = nn.Dense(2, {init=nn.init.ones()})
            print(d(tensor.from{{1, 2}}))   -- 3 3
            """#,
        "nn.init.pytorch_default": #"""
            local d = nn.Dense(10, {init="pytorch_default", bias_init="pytorch_default"})
            d(tensor.zeros{1, 100})
            local w = d:get_weights()
            print(w[1]:abs():max():item() <= 0.1, w[2]:abs():max():item() <= 0.1)  --> true true
            """#,
        "nn.init.random_normal": #"""
            moonlab.seed(0)
            local w = nn.init.random_normal{mean=0, std=0.02}({500, 20})
            print(w:mean():item(), w:std():item())   -- about 0 and 0.02
            """#,
        "nn.init.random_uniform": #"""
            moonlab.seed(0)
            local w = nn.init.random_uniform{min=-0.1, max=0.1}({100, 10})
            print(w:min():item(), w:max():item())   -- within [-0.1, 0.1)
            """#,
        "nn.init.truncated_normal": #"""
            moonlab.seed(0)
            local w = nn.init.truncated_normal{std=0.05}({1000, 10})
            print(w:abs():max():item() <= 0.1, w:std():item())   -- nothing beyond 2 std
            """#,
        "nn.init.variance_scaling": #"""
            moonlab.seed(0)
            local init = nn.init.variance_scaling{scale=2, mode="fan_in", distribution="untruncated_normal"}
            local w = init({400, 50})
            print(w:std():item(), math.sqrt(2 / 400))   -- about equal
            """#,
        "nn.init.zeros": #"""
            local d = nn.Dense(3, {init=nn.init.zeros()})
            print(d(tensor.randn{2, 4}))   -- all zeros
            """#,
        "nn.Module": #"""
            local Gate = nn.Module{name = "Gate",
              build = function(self, input_shape)              -- weights, once the shape is known
                self:param("w", {input_shape[1]}, "zeros")
              end,
              forward = function(self, x, training)            -- backward comes from autograd
                return x * self.w:sigmoid() * 2
              end}
            local m = nn.Sequential{input = {8}, nn.Dense(8, {activation = "relu"}), Gate{name = "gate"}, nn.Dense(2)}
            m:summary()                                        -- gate (Gate) with 8 parameters
            print(m:layer("gate").w)                           -- its weight, a field of the layer
            """#,
        "nn.Lambda": #"""
            local swish = nn.Lambda(function(x) return x * x:sigmoid() end, {name = "swish"})
            local m = nn.Sequential{input = {4}, nn.Dense(8), swish, nn.Dense(2)}
            pp(m(tensor.randn{3, 4}):shape())                  --> {3, 2}
            -- loading a saved copy: nn.load(path, {custom = {swish = fn}})
            """#,
        "module:param": #"""
            local Scale = nn.Module{name = "Scale",
              build = function(self, shape)
                self:param("s", {shape[1]}, nn.init.constant{value = 1}, {l2 = 1e-4})
              end,
              forward = function(self, x) return x * self.s end}
            local m = nn.Sequential{input = {3}, Scale{}}
            pp(m:layer(1):weight_names())                      --> {"s"}
            """#,
        "module:buffer": #"""
            local Count = nn.Module{name = "Count",
              build = function(self) self:buffer("seen", {1}) end,
              forward = function(self, x, training)
                if training then self.seen:add_(x:size(1)) end  -- in place, so the layer keeps it
                return x
              end}
            local m = nn.Sequential{input = {2}, Count{}, nn.Dense(2)}
            m:compile{loss = "mse", optimizer = "sgd"}
            m:fit(tensor.randn{10, 2}, tensor.randn{10, 2}, {epochs = 2, verbose = 0})
            print(m:layer(1).seen:item())                      --> 20.0
            """#,
        "tensor:linear": #"""
            local x, w, b = tensor.randn{4, 3}, tensor.randn{3, 2}, tensor.randn{2}
            print((x:linear(w, b) - (x:matmul(w) + b)):abs():max():item())   -- 0 up to rounding
            """#,
        "runs.list": #"""
            local m = nn.Sequential{input = {2}, nn.Dense(1)}
            m:compile{loss = "mse", optimizer = "sgd"}
            m:fit(tensor.rand{16, 2}, tensor.rand{16, 1}, {epochs = 2, verbose = 0})
            print(runs.list{n = 3})                     -- the last three runs as a table
            print(runs.list{status = "failed", n = 5})  -- fits that stopped with an error
            """#,
        "runs.load": #"""
            local m = nn.Sequential{input = {2}, nn.Dense(1)}
            m:compile{loss = "mse", optimizer = "sgd"}
            m:fit(tensor.rand{16, 2}, tensor.rand{16, 1}, {epochs = 2, verbose = 0})
            local run = runs.load(-1)                   -- the last run
            print(run)                                  -- what, when, how it ended, final metrics
            print(run.status, #run.history.loss, run.model.parameters)   --> done 2 3
            """#,
        "runs.compare": #"""
            for _, lr in ipairs{0.01, 0.1} do
              local m = nn.Sequential{input = {2}, nn.Dense(1)}
              m:compile{loss = "mse", optimizer = optim.SGD{lr = lr}}
              m:fit(tensor.rand{16, 2}, tensor.rand{16, 1}, {epochs = 3, verbose = 0})
            end
            runs.compare({-2, -1}, {metrics = {"loss"}})   -- lr differs; final losses; the curves
            """#,
        "runs.delete": #"""
            local m = nn.Sequential{input = {2}, nn.Dense(1)}
            m:compile{loss = "mse", optimizer = "sgd"}
            m:fit(tensor.rand{8, 2}, tensor.rand{8, 1}, {verbose = 0})
            print(runs.delete(runs.load(-1).id))         --> 1
            """#,
        "runs.prune": #"""
            print(runs.prune{keep = 1000})   -- how many older runs went
            """#,
        "runs.path": #"""
            print(runs.path())   -- ~/.moonlab/runs.db unless MOONLAB_RUNS says otherwise
            """#,
        "dataset:show": #"""
            local ds = data.clocks{n = 8, size = 16, seed = 1}
            ds:show(1)                    -- the first clock face, with its label
            ds:show({1, 2, 3}, {cols = 3}) -- three side by side
            """#,
        "model:show_filters": #"""
            local m = nn.Sequential{input = {1, 16, 16}, nn.Conv2D(8, 3), nn.Flatten{}, nn.Dense(2)}
            m:show_filters()                       -- the first Conv2D's eight 3x3 kernels
            m:show_filters(1, {out = os.tmpname() .. ".png"})   -- or to a file
            """#,
        "plot.show": #"""
            local path = os.tmpname() .. ".png"
            plot.lines{series = {loss = {1, 0.6, 0.4, 0.3}}, out = path}   -- a chart written as PNG
            plot.show(path)                                      -- and shown in the terminal
            os.remove(path)
            """#,
        "data.npz": #"""
            local tmp = os.tmpname(); local path = tmp .. ".npz"
            data.save_npz(path, {images = tensor.rand{4, 1, 8, 8}, labels = tensor.from{0, 1, 1, 0}}, {int64 = {"labels"}})
            local arrays = data.npz(path)                         -- every array by name
            pp(arrays.images:shape())                             --> {4, 1, 8, 8}
            local ds = data.npz(path, {x = "images", y = "labels"})  -- or a dataset
            print(ds)
            os.remove(path); os.remove(tmp)
            """#,
        "module:layer": #"""
            local Block = nn.Module{name = "Block",
              init = function(self, o)
                self:layer("inner", nn.Dense(o.units, {activation = "relu"}))   -- a sub-layer
              end,
              forward = function(self, x) return x + self.inner(x) end}
            local m = nn.Sequential{input = {4}, Block{units = 4}}
            pp(m:layer(1):weight_names())   --> {"inner.kernel", "inner.bias"}
            """#,
        "model:flops": #"""
            local m = nn.Sequential{input = {1, 28, 28}, nn.Conv2D(8, 3), nn.Flatten{}, nn.Dense(10)}
            print(m:flops())   --> 205504: 2 x (1*3*3 * 8*26*26) + 2 x (5408 * 10)
            """#,
        "nn.load": #"""
            local tmp = os.tmpname(); local path = tmp .. ".safetensors"
            local m = nn.Sequential{input={4}, nn.Dense(3, {activation="relu"}), nn.Dense(1)}
            m:save(path)
            local m2, x = nn.load(path), tensor.randn{2, 4}
            print(m2, (m(x) - m2(x)):abs():max():item())  --> the same model, difference 0
            os.remove(path); os.remove(tmp)
            """#,
        "nn.losses.binary_crossentropy": #"""
            local logits = tensor.from{{2.0}, {-1.0}}
            local target = tensor.from{{1}, {0}}
            print(nn.losses.binary_crossentropy(logits, target):item())
            print(nn.losses.binary_crossentropy(logits:sigmoid(), target, {from_logits=false}):item())  -- same
            """#,
        "nn.losses.categorical_crossentropy": #"""
            local logits = tensor.from{{2, 1, 0}, {0, 0, 3}}
            local onehot = tensor.from{0, 2}:one_hot(3)
            print(nn.losses.categorical_crossentropy(logits, onehot):item())
            print(nn.losses.categorical_crossentropy(logits:softmax(2), onehot, {from_logits=false}):item())  -- same
            """#,
        "nn.losses.cross_entropy": #"""
            local logits = tensor.randn{4, 10}:requires_grad()
            local loss = nn.losses.cross_entropy(logits, tensor.from{3, 1, 0, 9})
            loss:backward()
            print(loss:item(), logits.grad:shape()[2])
            """#,
        "nn.losses.mae": #"""
            print(nn.losses.mae(tensor.from{1, 2, 3}, tensor.from{2, 2, 5}):item())  --> 1
            """#,
        "nn.losses.mse": #"""
            print(nn.losses.mse(tensor.from{1, 2, 3}, tensor.from{2, 2, 5}):item())  --> 1.6667
            """#,
        "nn.losses.sparse_categorical_crossentropy": #"""
            local logits = tensor.from{{2, 1, 0}, {0, 0, 3}}
            local labels = tensor.from{0, 2}
            print(nn.losses.sparse_categorical_crossentropy(logits, labels):item())
            print(nn.losses.sparse_categorical_crossentropy(logits:softmax(2), labels, {from_logits=false}):item())
            """#,
        "nn.resnet18": #"""
            local m = nn.resnet18{input={3, 16, 16}, classes=10, width=4}
            print(#m:layers(), m:count_params())
            pp(m(tensor.rand{1, 3, 16, 16}):shape())  --> {1, 10}
            """#,
        "optim.Adadelta": #"""
            local w = tensor.from{3, -2}:requires_grad()
            local opt = optim.Adadelta{lr=1.0, params={w}}
            for _ = 1, 50 do opt:zero_grad(); local loss = (w * w):sum(); loss:backward(); opt:step() end
            print(opt, w)   -- Keras-style Adadelta moves slowly: about 2.92 -1.93
            """#,
        "optim.Adagrad": #"""
            local w = tensor.from{3, -2}:requires_grad()
            local opt = optim.Adagrad{lr=0.5, params={w}}
            for _ = 1, 50 do opt:zero_grad(); local loss = (w * w):sum(); loss:backward(); opt:step() end
            print(opt, w)   -- w near 0
            """#,
        "optim.Adam": #"""
            local m = nn.Sequential{input={4}, nn.Dense(8, {activation="relu"}), nn.Dense(1)}
            m:compile{optimizer=optim.Adam{lr=1e-2, clipnorm=1.0}, loss="mse"}
            local x = tensor.randn{64, 4}
            local h = m:fit(x, x:sum(2, true), {epochs=3, verbose=0})
            pp(h.loss)   -- decreasing
            """#,
        "optim.Adamax": #"""
            local w = tensor.from{3, -2}:requires_grad()
            local opt = optim.Adamax{lr=0.1, params={w}}
            for _ = 1, 50 do opt:zero_grad(); local loss = (w * w):sum(); loss:backward(); opt:step() end
            print(opt, w)   -- w moves towards 0
            """#,
        "optim.Nadam": #"""
            local w = tensor.from{3, -2}:requires_grad()
            local opt = optim.Nadam{lr=0.1, params={w}}
            for _ = 1, 50 do opt:zero_grad(); local loss = (w * w):sum(); loss:backward(); opt:step() end
            print(opt, w)   -- w moves towards 0
            """#,
        "optim.RMSprop": #"""
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{optimizer=optim.RMSprop{lr=1e-2, momentum=0.9}, loss="mae"}
            local x = tensor.randn{64, 4}
            local h = m:fit(x, x:sum(2, true), {epochs=3, verbose=0})
            pp(h.loss)
            """#,
        "optim.SGD": #"""
            local x = tensor.randn{64, 3}
            local y = x:matmul(tensor.from{{1}, {-2}, {0.5}})
            local w = tensor.zeros{3, 1}:requires_grad()
            local opt = optim.SGD{lr=0.1, momentum=0.9, params={w}}
            for _ = 1, 100 do opt:zero_grad(); local loss = nn.losses.mse(x:matmul(w), y); loss:backward(); opt:step() end
            print(w:t())   -- about 1 -2 0.5
            """#,
        "optimizer:config": #"""
            local opt = optim.SGD{lr=0.05, momentum=0.9}
            pp(opt:config())
            """#,
        "optimizer:get_lr": #"""
            local opt = optim.Adam{lr=3e-4}
            print(opt:get_lr())  --> 0.0003
            """#,
        "optimizer:set_lr": #"""
            local opt = optim.SGD{lr=0.1}
            opt:set_lr(0.01)
            print(opt:get_lr(), opt.lr)  --> 0.01 0.01
            """#,
        "optimizer:step": #"""
            local w = tensor.from{1, 2}:requires_grad()
            local opt = optim.SGD{lr=0.1, params={w}}
            local loss = (w * w):sum()
            loss:backward()
            opt:step()                  -- w -= 0.1 * 2w
            print(w, opt.iterations)    -- 0.8 1.6, 1
            """#,
        "optimizer:zero_grad": #"""
            local m = nn.Sequential{input={3}, nn.Dense(1)}
            local opt = optim.SGD{lr=0.1, params=m:parameters()}
            local loss = m(tensor.randn{4, 3}):sum(); loss:backward()
            opt:zero_grad()
            print(m:parameters()[1].grad)   -- cleared
            """#,
        "plot.heatmap": #"""
            local cm = metrics.confusion_matrix(tensor.from{0, 1, 2, 2, 1, 0}, tensor.from{0, 1, 1, 2, 1, 2})
            local tmp = os.tmpname(); local path = tmp .. ".svg"
            print(plot.heatmap(cm, {labels={"cat", "dog", "bird"}, out=path, title="confusion", xlabel="predicted", ylabel="true"}))
            print(io.open(path):read("a"):find("<svg") ~= nil)   --> true
            os.remove(path); os.remove(tmp)
            """#,
        "plot.history": #"""
            local m = nn.Sequential{input={4}, nn.Dense(1)}
            m:compile{loss="mse", optimizer=optim.SGD{lr=0.05}}
            local h = m:fit(tensor.randn{64, 4}, tensor.randn{64, 1}, {epochs=3, verbose=0, validation_split=0.25})
            local tmp = os.tmpname(); local path = tmp .. ".svg"
            print(plot.history(h, path, {metrics={"loss", "val_loss"}, title="mse"}))
            os.remove(path); os.remove(tmp)
            """#,
        "plot.images": #"""
            local c = data.clocks{n=16, size=16, seed=1}
            local ds = data.dataset(c.x, c.y.hour)
            local tmp = os.tmpname(); local path = tmp .. ".png"
            local p, count = plot.images(ds, {predictions=tensor.zeros{16}, only_wrong=true, cols=4, out=path})
            print(p, count)   -- the images whose prediction (0) is wrong
            os.remove(path); os.remove(tmp)
            """#,
        "plot.lines": #"""
            local tmp = os.tmpname(); local path = tmp .. ".svg"
            local relu, tanh = {}, {}
            for i = 1, 20 do relu[i] = 1 / i; tanh[i] = 1 / math.sqrt(i) end
            print(plot.lines{series={relu=relu, tanh=tanh}, out=path, title="loss", xlabel="epoch", ylabel="loss"})
            os.remove(path); os.remove(tmp)
            """#,
        "pp": #"""
            pp({lr=1e-3, layers={"conv", "dense"}, w=tensor.ones{2, 2}})
            pp(data.clocks{n=64, size=16, seed=1}:class_counts("hour"))
            """#,
        "tensor.arange": #"""
            print(tensor.arange(5))          -- 0 1 2 3 4
            print(tensor.arange(1, 2, 0.25)) -- 1 1.25 1.5 1.75
            """#,
        "tensor.cat": #"""
            local a, b = tensor.ones{2, 3}, tensor.zeros{1, 3}
            print(tensor.cat({a, b}):shape()[1])     --> 3 rows
            print(tensor.cat({a, a}, 2))             -- 2 x 6
            """#,
        "tensor.cross_entropy": #"""
            local logits = tensor.from{{2.0, 0.5, -1.0}, {0.1, 0.2, 3.0}}
            local labels = tensor.from{0, 2}
            print(tensor.cross_entropy(logits, labels):item())
            """#,
        "tensor.eye": #"""
            print(tensor.eye(3))
            print(tensor.eye(2, 4))
            """#,
        "tensor.from": #"""
            local t = tensor.from{{1, 2}, {3, 4}}
            print(t)
            pp(t:shape())  --> {2, 2}
            """#,
        "tensor.full": #"""
            print(tensor.full({2, 3}, 7))
            """#,
        "tensor.is_tensor": #"""
            print(tensor.is_tensor(tensor.zeros{2}), tensor.is_tensor({1, 2}))  --> true false
            """#,
        "tensor.mae": #"""
            local pred, target = tensor.from{1, 2, 3}, tensor.from{1, 3, 5}
            print(tensor.mae(pred, target):item())  --> 1
            """#,
        "tensor.mse": #"""
            local pred, target = tensor.from{1, 2, 3}, tensor.from{1, 3, 5}
            print(tensor.mse(pred, target):item())  --> 1.6667
            """#,
        "tensor.no_grad": #"""
            local w = tensor.randn{3}:requires_grad()
            local y = tensor.no_grad(function(x) return (x * 2):sum() end, w)
            print(y:item(), y:is_requires_grad())  -- no graph was built: false
            """#,
        "tensor.ones": #"""
            print(tensor.ones{2, 3})
            """#,
        "tensor.rand": #"""
            moonlab.seed(1)
            local u = tensor.rand({1000}, -1, 1)
            print(u:min():item() >= -1, u:max():item() < 1, u:mean():item())
            """#,
        "tensor.randn": #"""
            moonlab.seed(1)
            local z = tensor.randn({10000}, 5, 2)
            print(z:mean():item(), z:std():item())  -- about 5 and 2
            """#,
        "tensor.load": #"""
            local tmp = os.tmpname(); local path = tmp .. ".safetensors"
            tensor.save(path, {w = tensor.eye(2)}, {metadata = {note = "identity"}})
            local t, metadata = tensor.load(path)
            print(t.w, metadata.note)                         --> identity
            os.remove(path); os.remove(tmp)
            """#,
        "tensor.save": #"""
            local tmp = os.tmpname(); local path = tmp .. ".safetensors"
            tensor.save(path, {kernel = tensor.randn{3, 2}, bias = tensor.zeros{2}})
            -- Python: safetensors.numpy.load_file(path)["kernel"].shape == (3, 2)
            pp(tensor.load(path).kernel:shape())              --> {3, 2}
            os.remove(path); os.remove(tmp)
            """#,
        "tensor.stack": #"""
            local a, b = tensor.zeros{3}, tensor.ones{3}
            print(tensor.stack{a, b})            -- 2 x 3
            pp(tensor.stack({a, b}, 2):shape())  --> {3, 2}
            """#,
        "tensor.where": #"""
            local x = tensor.from{-2, -1, 0, 1, 2}
            print(tensor.where(x:gt(0), x, 0))   -- 0 0 0 1 2
            """#,
        "tensor.zeros": #"""
            local t = tensor.zeros{2, 3}
            print(t)
            """#,
        "tensor:abs": #"""
            print(tensor.from{-1.5, 0, 2}:abs())
            """#,
        "tensor:activation": #"""
            local x = tensor.from{-1, 0, 1}
            print(x:activation("relu"))
            print(x:activation("sigmoid"))
            """#,
        "tensor:add": #"""
            local a = tensor.ones{2, 3}
            print(a:add(tensor.from{1, 2, 3}))  -- broadcast over rows
            print(a:add(10))
            """#,
        "tensor:add_": #"""
            local w = tensor.zeros{3}
            w:add_(tensor.from{1, 2, 3}, 0.5)   -- w += 0.5 * other
            print(w)
            """#,
        "tensor:argmax": #"""
            local scores = tensor.from{{0.1, 0.7, 0.2}, {0.9, 0.05, 0.05}}
            print(scores:argmax(2))      -- 1-based positions per row: 2 1
            print(scores:argmax():item()) -- flat position: 4
            """#,
        "tensor:argmin": #"""
            local t = tensor.from{{3, 1, 2}, {0, 5, 4}}
            print(t:argmin(2))             -- 2 1
            print(t:argmin():item())       --> 4
            """#,
        "tensor:backward": #"""
            local x = tensor.from{1, 2, 3}:requires_grad()
            local y = (x * x):sum()
            y:backward()
            print(x.grad)   -- dy/dx = 2x: 2 4 6
            """#,
        "tensor:clamp": #"""
            local t = tensor.from{-2, 0.5, 3}
            print(t:clamp(0, 1))
            print(t:clamp(nil, 1))  -- only an upper bound
            """#,
        "tensor:clone": #"""
            local a = tensor.zeros{3}
            local b = a:clone()
            b:fill_(1)
            print(a:sum():item(), b:sum():item())  --> 0 3
            """#,
        "tensor:contiguous": #"""
            local t = tensor.arange(6):reshape{2, 3}:t()
            print(t:is_contiguous(), t:contiguous():is_contiguous())  --> false true
            """#,
        "tensor:copy_": #"""
            local dst = tensor.zeros{2, 3}
            dst:copy_(tensor.from{1, 2, 3})   -- broadcast into every row
            print(dst)
            """#,
        "tensor:cross_entropy": #"""
            local logits = tensor.randn{4, 3}
            local labels = tensor.from{0, 2, 1, 1}
            print(logits:cross_entropy(labels):item())
            """#,
        "tensor:detach": #"""
            local x = tensor.ones{2}:requires_grad()
            local y = (x * 3):detach()
            print(y:is_requires_grad(), y)  --> false, 3 3
            """#,
        "tensor:dim": #"""
            print(tensor.zeros{2, 3, 4}:dim(), tensor.from(5):dim())  --> 3 0
            """#,
        "tensor:div": #"""
            print(tensor.from{2, 4, 6}:div(2))
            print(tensor.from{2, 4, 6}:div(tensor.from{1, 2, 3}))
            """#,
        "tensor:dropout": #"""
            moonlab.seed(0)
            local x = tensor.ones{8}
            print(x:dropout(0.5))          -- zeros and 2s
            print(x:dropout(0.5, false))   -- identity
            """#,
        "tensor:elu": #"""
            print(tensor.from{-2, 0, 2}:elu())
            """#,
        "tensor:eq": #"""
            local a, b = tensor.from{1, 2, 3}, tensor.from{1, 0, 3}
            print(a:eq(b))  -- 1 0 1
            """#,
        "tensor:exp": #"""
            print(tensor.from{0, 1, 2}:exp())
            """#,
        "tensor:expand": #"""
            local row = tensor.from{{1, 2, 3}}      -- 1 x 3
            print(row:expand{4, -1})                -- 4 x 3 view
            """#,
        "tensor:exponential": #"""
            print(tensor.from{0, 1}:exponential())  -- 1 2.7183
            """#,
        "tensor:fill_": #"""
            local t = tensor.zeros{2, 2}
            t:fill_(3.5)
            print(t)
            """#,
        "tensor:flatten": #"""
            local x = tensor.zeros{8, 1, 28, 28}
            pp(x:flatten():shape())     --> {6272}
            pp(x:flatten(2):shape())    --> {8, 784}
            """#,
        "tensor:gather": #"""
            local probs = tensor.from{{0.1, 0.9}, {0.8, 0.2}, {0.3, 0.7}}
            local labels = tensor.from{{2}, {1}, {2}}     -- 1-based positions
            print(probs:gather(2, labels))                -- 0.9 0.8 0.7
            """#,
        "tensor:ge": #"""
            print(tensor.from{1, 2, 3}:ge(2))  -- 0 1 1
            """#,
        "tensor:gelu": #"""
            print(tensor.from{-1, 0, 1}:gelu())
            """#,
        "tensor:gt": #"""
            print(tensor.from{1, 2, 3}:gt(2))  -- 0 0 1
            """#,
        "tensor:hard_sigmoid": #"""
            print(tensor.from{-4, 0, 4}:hard_sigmoid())  -- 0 0.5 1
            """#,
        "tensor:index_select": #"""
            local x = tensor.arange(12):reshape{4, 3}
            print(x:index_select(1, {4, 1}))   -- rows 4 and 1
            print(x:index_select(2, tensor.from{3}))
            """#,
        "tensor:is_contiguous": #"""
            local t = tensor.zeros{2, 3}
            print(t:is_contiguous(), t:t():is_contiguous())  --> true false
            """#,
        "tensor:is_requires_grad": #"""
            local w = tensor.randn{3}
            print(w:is_requires_grad())            --> false
            print(w:requires_grad():is_requires_grad())  --> true
            """#,
        "tensor:item": #"""
            local loss = tensor.from{1, 2, 3}:mean()
            print(loss:item())  --> 2
            """#,
        "tensor:le": #"""
            print(tensor.from{1, 2, 3}:le(2))  -- 1 1 0
            """#,
        "tensor:leaky_relu": #"""
            local x = tensor.from{-10, 5}
            print(x:leaky_relu())      -- -0.1 5
            print(x:leaky_relu(0.2))   -- -2 5
            """#,
        "tensor:log": #"""
            print(tensor.from{1, math.exp(1), 10}:log())
            """#,
        "tensor:log_softmax": #"""
            local logits = tensor.from{{1, 2, 3}}
            print(logits:log_softmax(2))
            print(logits:log_softmax(2):exp():sum():item())  --> 1
            """#,
        "tensor:lt": #"""
            print(tensor.from{1, 2, 3}:lt(2))  -- 1 0 0
            """#,
        "tensor:matmul": #"""
            local a = tensor.from{{1, 2}, {3, 4}}
            local b = tensor.eye(2)
            print(a:matmul(b))
            pp(tensor.randn{5, 2, 3}:matmul(tensor.randn{3, 4}):shape())  --> {5, 2, 4}
            """#,
        "tensor:max": #"""
            local t = tensor.from{{1, 5, 2}, {7, 0, 3}}
            print(t:max():item())          --> 7
            local values, positions = t:max(2)
            print(values, positions)       -- 5 7 / 2 1
            """#,
        "tensor:maximum": #"""
            print(tensor.from{1, 5, 2}:maximum(tensor.from{3, 3, 3}))  -- 3 5 3
            """#,
        "tensor:mean": #"""
            local t = tensor.from{{1, 2}, {3, 4}}
            print(t:mean():item())     --> 2.5
            print(t:mean(1))           -- column means: 2 3
            pp(t:mean(2, true):shape()) --> {2, 1}
            """#,
        "tensor:min": #"""
            local t = tensor.from{{1, 5, 2}, {7, 0, 3}}
            print(t:min():item())          --> 0
            local values, positions = t:min(2)
            print(values, positions)       -- 1 0 / 1 2
            """#,
        "tensor:minimum": #"""
            print(tensor.from{1, 5, 2}:minimum(tensor.from{3, 3, 3}))  -- 1 3 2
            """#,
        "tensor:mul": #"""
            print(tensor.from{1, 2, 3}:mul(2))
            print(tensor.from{1, 2, 3}:mul(tensor.from{4, 5, 6}))
            """#,
        "tensor:mul_": #"""
            local t = tensor.ones{3}
            t:mul_(0.5)
            print(t)
            """#,
        "tensor:narrow": #"""
            local t = tensor.arange(10)
            print(t:narrow(1, 3, 4))   -- 2 3 4 5
            """#,
        "tensor:ne": #"""
            print(tensor.from{1, 2, 3}:ne(2))  -- 1 0 1
            """#,
        "tensor:neg": #"""
            print(tensor.from{1, -2, 3}:neg())
            """#,
        "tensor:numel": #"""
            print(tensor.zeros{4, 1, 28, 28}:numel())  --> 3136
            """#,
        "tensor:one_hot": #"""
            local labels = tensor.from{0, 2, 1}
            print(labels:one_hot(3))
            """#,
        "tensor:permute": #"""
            local x = tensor.zeros{2, 28, 28, 3}        -- N H W C
            pp(x:permute{1, 4, 2, 3}:shape())           --> {2, 3, 28, 28}
            """#,
        "tensor:pow": #"""
            print(tensor.from{1, 2, 3}:pow(2))
            print(tensor.from{4, 9}:pow(0.5))
            """#,
        "tensor:relu": #"""
            print(tensor.from{-1, 0, 2}:relu())  -- 0 0 2
            """#,
        "tensor:requires_grad": #"""
            local w = tensor.from{2, 3}:requires_grad()
            local loss = (w * w):sum()
            loss:backward()
            print(w.grad)   -- 4 6
            """#,
        "tensor:reshape": #"""
            local t = tensor.arange(6)
            print(t:reshape{2, 3})
            pp(t:reshape{-1, 2}:shape())   --> {3, 2}
            """#,
        "tensor:select": #"""
            local t = tensor.arange(6):reshape{2, 3}
            print(t:select(1, 2))   -- row 2: 3 4 5
            print(t:select(2, 1))   -- column 1: 0 3
            """#,
        "tensor:selu": #"""
            print(tensor.from{-1, 0, 1}:selu())
            """#,
        "tensor:shape": #"""
            local x = tensor.zeros{8, 1, 28, 28}
            pp(x:shape())           --> {8, 1, 28, 28}
            print(x:shape()[1])     --> 8
            """#,
        "tensor:sigmoid": #"""
            print(tensor.from{-2, 0, 2}:sigmoid())
            """#,
        "tensor:size": #"""
            local x = tensor.zeros{8, 3, 32, 32}
            print(x:size(1), x:size(2))  --> 8 3
            pp(x:size())                 --> {8, 3, 32, 32}
            """#,
        "tensor:softmax": #"""
            local p = tensor.from{{1, 2, 3}, {0, 0, 0}}:softmax(2)
            print(p)
            print(p:sum(2))   -- each row sums to 1
            """#,
        "tensor:softplus": #"""
            print(tensor.from{-20, 0, 20}:softplus())
            """#,
        "tensor:sqrt": #"""
            print(tensor.from{1, 4, 9}:sqrt())
            """#,
        "tensor:square": #"""
            print(tensor.from{-2, 3}:square())  -- 4 9
            """#,
        "tensor:squeeze": #"""
            local t = tensor.zeros{1, 3, 1}
            pp(t:squeeze():shape())    --> {3}
            pp(t:squeeze(3):shape())   --> {1, 3}
            """#,
        "tensor:std": #"""
            local t = tensor.from{{1, 2, 3, 4}}
            print(t:std():item())                      -- unbiased: 1.291
            print(t:std(2, {unbiased=false}):item())   -- population: 1.118
            """#,
        "tensor:sub": #"""
            print(tensor.from{5, 6, 7}:sub(1))
            print(tensor.from{5, 6, 7}:sub(tensor.from{1, 2, 3}))
            """#,
        "tensor:sub_": #"""
            local w = tensor.from{1, 1, 1}
            local grad = tensor.from{1, 2, 3}
            w:sub_(grad, 0.1)   -- a plain SGD step: w -= 0.1 * grad
            print(w)
            """#,
        "tensor:sum": #"""
            local t = tensor.from{{1, 2}, {3, 4}}
            print(t:sum():item())   --> 10
            print(t:sum(2))         -- row sums: 3 7
            pp(t:sum(1, true):shape())  --> {1, 2}
            """#,
        "tensor:swish": #"""
            print(tensor.from{-1, 0, 1}:swish())
            """#,
        "tensor:t": #"""
            local m = tensor.arange(6):reshape{2, 3}
            print(m:t())   -- 3 x 2
            """#,
        "tensor:tanh": #"""
            print(tensor.from{-1, 0, 1}:tanh())
            """#,
        "tensor:totable": #"""
            local t = tensor.from{{1, 2}, {3, 4}}
            pp(t:totable())                 --> {{1, 2}, {3, 4}}
            print(t:sum():totable())        --> 10
            """#,
        "tensor:transpose": #"""
            local x = tensor.zeros{2, 3, 4}
            pp(x:transpose(2, 3):shape())   --> {2, 4, 3}
            """#,
        "tensor:unsqueeze": #"""
            local img = tensor.zeros{28, 28}
            pp(img:unsqueeze(1):shape())    --> {1, 28, 28}
            """#,
        "tensor:var": #"""
            local t = tensor.from{{1, 2}, {3, 5}}
            print(t:var():item())                        -- unbiased, all entries
            print(t:var(1, {unbiased=false}))            -- per column: 1 2.25
            """#,
        "tensor:view": #"""
            local t = tensor.arange(12)
            local v = t:view{3, 4}
            v:fill_(0)                 -- shares storage with t
            print(t:sum():item())      --> 0
            """#,
        "tensor:zero_": #"""
            local t = tensor.ones{2, 2}
            t:zero_()
            print(t)
            """#,
        "tensor:zero_grad": #"""
            local w = tensor.from{1, 2}:requires_grad()
            local loss = (w * w):sum()
            loss:backward()
            print(w.grad)
            w:zero_grad()
            print(w.grad)   -- cleared
            """#,
        "time": #"""
            local m = nn.Sequential{input={64}, nn.Dense(64)}
            local y = time(function(x) return m(x) end, tensor.randn{256, 64})   -- prints "wall time: ..."
            pp(y:shape())                                                        --> {256, 64}
            """#,
        "timeit": #"""
            local a, b = tensor.randn{64, 64}, tensor.randn{64, 64}
            local r = timeit(function() return a:matmul(b) end, {n=20, runs=3})   -- prints median ± sd per call
            print(r.median > 0, r.runs, r.n)   --> true 3 20
            """#,
        "transform:apply": #"""
            local x = data.clocks{n=4, size=16, seed=1}.x
            local t = aug.RandomRotation(45)
            local a, b = t:apply(x, {seed=7}), t:apply(x, {seed=7})
            print((a - b):abs():max():item())   --> 0: same seed, same output
            """#,
        "transform:fit": #"""
            local train = data.clocks{n=128, size=16, seed=1}
            local gen = aug.ImageDataGenerator{featurewise_center=true, featurewise_std_normalization=true}:fit(train)
            local y = gen(train.x)
            print(y:mean():item(), y:std():item())   -- about 0 and 1
            """#,
        "tune.choice": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            local score = {relu=0.90, tanh=0.85, gelu=0.92}
            local r = tune.grid{space={act=tune.choice{"relu", "tanh", "gelu"}}, objective=function(cfg) return score[cfg.act] end,
              workers=0, verbose=false, storage=db}
            print(#r.trials, r.best.config.act)   --> 3 gelu (a grid runs every choice)
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.crossval": #"""
            local c = data.clocks{n=128, size=16, seed=1}
            local mean, std, scores = tune.crossval(function(train, val, fold)
              local m = nn.Sequential{input={1, 16, 16}, nn.Flatten{}, nn.Dense(12)}
              m:compile{loss="sparse_categorical_crossentropy", metrics={"accuracy"}}; m:fit(train, {epochs=1, verbose=0})
              return m:evaluate(val).accuracy end, data.dataset(c.x, c.y.hour), 4, {seed=1})
            print(mean, std, #scores)
            """#,
        "tune.grid": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            local result = tune.grid{space={lr={0.1, 0.01}, units={8, 16}}, workers=0, verbose=false, storage=db,
              objective=function(cfg, trial) return cfg.units * cfg.lr end}
            result:print()                              -- 4 trials, ranked by score
            print(result.best.config.lr, result.best.config.units)   --> 0.1 16
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.hyperband": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            local r = tune.hyperband{max_epochs=9, factor=3, space={lr=tune.loguniform(1e-3, 1)}, workers=0, verbose=false,
              storage=db, objective=function(cfg, epochs, trial) return epochs / 9 - math.abs(math.log(cfg.lr, 10) + 1.5) end}
            local at9 = 0; for _, t in ipairs(r.trials) do if t.epochs == 9 then at9 = at9 + 1 end end
            print(#r.trials, at9, r.best.config.lr)   --> 22 trials, 5 of them at 9 epochs
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.int": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            local r = tune.random{trials=5, space={units=tune.int(8, 64)}, objective=function(cfg) return cfg.units end,
              workers=0, verbose=false, storage=db}
            for _, t in ipairs(r.trials) do io.write(t.config.units, " ") end print()   -- integers in 8..64
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.load": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            tune.grid{space={x={1, 2, 3}}, objective=function(cfg) return -cfg.x end,
              workers=0, verbose=false, storage=db, name="demo"}
            local r = tune.load(db, "demo")
            print(r, #r.trials, r.best.config.x)   --> 3 trials, best x = 1
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.loguniform": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            local r = tune.random{trials=5, seed=3, space={lr=tune.loguniform(1e-4, 1e-1)},
              objective=function(cfg) return -cfg.lr end, workers=0, verbose=false, storage=db}
            for _, t in ipairs(r.trials) do print(string.format("%.2e", t.config.lr)) end   -- spread over decades
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.random": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            local r = tune.random{trials=4, seed=0, workers=0, verbose=false, storage=db,
              space={lr=tune.loguniform(1e-4, 1e-1), dropout=tune.uniform(0, 0.5), act=tune.choice{"relu", "tanh"}},
              objective=function(cfg) return -math.abs(math.log(cfg.lr, 10) + 2) end}
            r:print()
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.uniform": #"""
            local tmp = os.tmpname(); local db = tmp .. ".db"
            local r = tune.random{trials=5, space={dropout=tune.uniform(0, 0.5)}, objective=function(cfg) return -cfg.dropout end,
              workers=0, verbose=false, storage=db}
            for _, t in ipairs(r.trials) do print(t.config.dropout) end   -- reals in [0, 0.5]
            for _, s in ipairs{"", "-wal", "-shm", ".checkpoints"} do os.remove(db .. s) end; os.remove(tmp)
            """#,
        "tune.worker": #"""
            local w = tune.worker()
            if w then print("worker of sweep", w.sweep, "trial", w.trial) else print("not a sweep worker") end
            """#,
    ]
}
