-- The aug module as API.md writes it: transforms, Compose, ImageDataGenerator, ZCA, preview.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

-- A 1 x 5 x 5 image with distinct values 1..25, row by row.
local function square()
  local rows = {}
  for y = 1, 5 do
    rows[y] = {}
    for x = 1, 5 do rows[y][x] = (y - 1) * 5 + x end
  end
  return tensor.from{rows}
end

local function max_abs_diff(a, b)
  return (a - b):abs():max():item()
end

describe("aug transforms", function()
  it("are callable on an image and on a batch, and print as made", function()
    local t = aug.RandomRotation(10)
    expect(tostring(t)):to_be("aug.RandomRotation(10)")
    expect(t(tensor.rand{1, 28, 28}):shape()):to_equal({1, 28, 28})
    expect(t(tensor.rand{8, 1, 28, 28}):shape()):to_equal({8, 1, 28, 28})
    expect(tostring(aug.Compose{aug.RandomZoom(0.1), aug.RandomHorizontalFlip(0.5)}))
      :to_be("aug.Compose{aug.RandomZoom(0.1), aug.RandomHorizontalFlip(0.5)}")
    expect(tostring(aug.RandomShift{width=0.1, height=0.1})):to_be("aug.RandomShift{width=0.1, height=0.1}")
    expect(require("moonlab.aug")):to_be(aug)
  end)

  it("rotate 90 degrees counter-clockwise exactly", function()
    local img = square()
    local r = aug.RandomRotation({90, 90})(img)
    -- the top-right pixel (5) moves to the top-left; the top-left (1) to the bottom-left
    expect(r[1][1][1]):to_be(5)
    expect(r[1][5][1]):to_be(1)
    expect(r[1][3][3]):to_be(13)
  end)

  it("with zero strength are the identity", function()
    local x = tensor.rand{4, 1, 6, 6}
    for _, t in ipairs{aug.RandomRotation(0), aug.RandomZoom(0), aug.RandomShear(0),
                       aug.RandomShift{width=0, height=0}, aug.RandomHorizontalFlip(0),
                       aug.ColorJitter{brightness=0}, aug.Normalize{mean=0, std=1},
                       aug.ImageDataGenerator{}} do
      expect(max_abs_diff(t(x), x)):to_be(0)
    end
  end)

  it("flip exactly and normalize per channel", function()
    local img = square()
    expect(aug.RandomHorizontalFlip(1)(img)[1][1]:totable()):to_equal({5, 4, 3, 2, 1})
    expect(aug.RandomVerticalFlip(1)(img)[1][1]:totable()):to_equal({21, 22, 23, 24, 25})
    local x = tensor.ones{2, 3, 2, 2}
    local n = aug.Normalize{mean={0, 0.5, 1}, std={1, 0.5, 2}}(x)
    expect(n[1][1][1][1]):to_be(1)
    expect(n[1][2][1][1]):to_be(1)
    expect(n[1][3][1][1]):to_be(0)
  end)

  it("are reproducible under moonlab.seed", function()
    local t = aug.Compose{aug.RandomRotation(15), aug.RandomShift{width=0.1, height=0.1},
                          aug.ColorJitter{brightness=0.2, contrast=0.2}}
    local x = tensor.rand{8, 1, 28, 28}
    moonlab.seed(3); local a = t(x)
    moonlab.seed(3); local b = t(x)
    moonlab.seed(4); local c = t(x)
    expect(max_abs_diff(a, b)):to_be(0)
    expect(max_abs_diff(a, c) > 0):to_be(true)
    expect(max_abs_diff(t:apply(x, {seed=9}), t:apply(x, {seed=9}))):to_be(0)
  end)

  it("reject bad arguments, naming the call and the value", function()
    expect(function() aug.RandomRotation(-5) end):to_fail_with("aug.RandomRotation: degrees must be a number >= 0, got -5")
    expect(function() aug.RandomHorizontalFlip(1.5) end):to_fail_with("aug.RandomHorizontalFlip: probability p must lie in [0, 1], got 1.5")
    expect(function() aug.RandomZoom(-0.1) end):to_fail_with("aug.RandomZoom: factor must be a number >= 0, got -0.1")
    expect(function() aug.RandomShift{width=2} end):to_fail_with("aug.RandomShift: width must be a fraction in [0, 1], got 2")
    expect(function() aug.RandomRotation(10, {fill_mode="mirror"}) end):to_fail_with("bad argument #2 to 'RandomRotation' (option 'fill_mode': must be one of constant, nearest, reflect, wrap, got \"mirror\")")
    expect(function() aug.Compose{1} end):to_fail_with("aug.Compose: entry 1 must be an aug transform")
    expect(function() aug.Normalize{mean=0} end):to_fail_with("aug.Normalize: needs both mean and std")
    expect(function() aug.ImageDataGenerator{rotation=10} end):to_fail_with("unknown option 'rotation' (valid: rotation_range,")
    expect(function() aug.RandomRotation(10)(tensor.zeros{28, 28}) end)
      :to_fail_with("aug.RandomRotation: expected a C x H x W image or an N x C x H x W batch, got shape {28,28}")
    expect(function() aug.RandomRotation(10)("x") end):to_fail_with("aug.RandomRotation: expected a C x H x W image")
    expect(function() aug.RandomRotation(10):fit(tensor.zeros{2, 1, 2, 2}) end):to_fail_with("only aug.ZCA and aug.ImageDataGenerator")
  end)
end)

describe("aug.ImageDataGenerator", function()
  it("takes Keras' names and prints the ones set", function()
    local g = aug.ImageDataGenerator{rotation_range=10, width_shift_range=0.1, height_shift_range=0.1,
                                     horizontal_flip=true, fill_mode="constant", cval=0}
    expect(tostring(g)):to_be('aug.ImageDataGenerator{rotation_range=10, width_shift_range=0.1, height_shift_range=0.1, fill_mode="constant", horizontal_flip=true}')
    expect(g(tensor.rand{4, 1, 28, 28}):shape()):to_equal({4, 1, 28, 28})
  end)

  it("fits featurewise statistics", function()
    local g = aug.ImageDataGenerator{featurewise_center=true, featurewise_std_normalization=true}
    local x = tensor.rand{64, 1, 6, 6} * 3 + 1
    expect(function() g(x) end):to_fail_with("call fit(train) first")
    expect(g:fit(x)):to_be(g)
    local y = g(x)
    expect(y:mean():item()):to_be_close(0, 1e-4)
    expect(y:std():item()):to_be_close(1, 1e-2)
  end)
end)

describe("aug.ZCA", function()
  it("whitens the training data to identity covariance", function()
    moonlab.seed(1)
    local z = tensor.randn{2000, 8}
    local mix = tensor.randn{8, 8}
    local x = z:matmul(mix):reshape{2000, 1, 2, 4}
    local zca = aug.ZCA{epsilon=1e-6}:fit(x)
    local w = zca(x):reshape{2000, 8}
    local c = w - w:mean(1)
    local cov = c:t():matmul(c) / 2000
    expect(max_abs_diff(cov, tensor.eye(8))):to_be_less_than(1e-2)
    expect(function() aug.ZCA()(x) end):to_fail_with("aug.ZCA: not fitted; call fit(train) first")
  end)
end)

describe("aug.preview", function()
  it("writes a PNG grid", function()
    local base = os.tmpname()
    os.remove(base)
    local path = base .. ".png"
    local x = tensor.rand{6, 1, 10, 10}
    expect(aug.preview(x, aug.RandomRotation(20), path, {n=6, cols=3})):to_be(path)
    local f = assert(io.open(path, "rb"))
    local bytes = f:read("a")
    f:close()
    os.remove(path)
    expect(bytes:sub(2, 4)):to_be("PNG")
    expect(#bytes > 100):to_be(true)
    expect(function() aug.preview(x, 3, path) end):to_fail_with("bad argument #2 to 'preview' (an aug transform expected")
  end)
end)

T.finish()
