-- quickstart.lua: train a small CNN on Fashion-MNIST and report its test accuracy.
--
-- Run: .build/release/moonlab examples/quickstart.lua [epochs]
-- (Fashion-MNIST comes from Debian's dataset-fashion-mnist, which scripts/setup installs.)

moonlab.seed(1)
local epochs = tonumber(arg[1]) or 3

local train = data.fashion_mnist{split = "train"}
local test = data.fashion_mnist{split = "test"}
print(train)

local model = nn.Sequential{input = {1, 28, 28},
  nn.Conv2D(32, 3, {activation = "relu", padding = "same"}),
  nn.MaxPool2D(2),
  nn.Flatten(),
  nn.Dense(128, {activation = "relu"}),
  nn.Dense(10)}
model:summary()

model:compile{optimizer = optim.Adam{lr = 1e-3},
              loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local history = model:fit(train, {epochs = epochs, batch = 64, validation_split = 0.1})

local result = model:evaluate(test)
print(string.format("test accuracy after %d epochs: %.4f (loss %.4f)", epochs, result.accuracy, result.loss))

-- Which classes does it confuse?  Rows are true labels, columns predictions.
local predicted = model:classify(test)
metrics.report(predicted, test.y, test.class_names)
