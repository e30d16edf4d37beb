-- The plot module as API.md writes it: charts, heatmaps and image grids written to files,
-- SVG or PNG by the file's extension (drawn by Cairo; SVG text is kept searchable).
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local folder = os.tmpname()
os.remove(folder)
assert(os.execute("mkdir -p '" .. folder .. "'"))
local function path(name) return folder .. "/" .. name end
local function read(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local function count(s, pattern) local _, n = s:gsub(pattern, "") return n end

-- Reads a PNG's width and height from its IHDR chunk.
local function png_size(bytes)
  expect(bytes:sub(1, 8)):to_be("\137PNG\r\n\26\n")
  expect(bytes:sub(13, 16)):to_be("IHDR")
  return string.unpack(">I4", bytes, 17), string.unpack(">I4", bytes, 21)
end

-- Whether the PNG at `p` has a pixel of colour 0xRRGGBB (decoded through data.images).
local function has_colour(p, rgb)
  local dir = path("decode-" .. rgb)
  assert(os.execute("mkdir -p '" .. dir .. "/a' && cp '" .. p .. "' '" .. dir .. "/a/x.png'"))
  local x = data.images(dir, {gray=false}).x:totable()[1]
  local want = {(rgb >> 16) / 255, (rgb >> 8 & 255) / 255, (rgb & 255) / 255}
  for i = 1, #x[1] do
    for j = 1, #x[1][i] do
      if math.abs(x[1][i][j] - want[1]) < 0.003 and math.abs(x[2][i][j] - want[2]) < 0.003
         and math.abs(x[3][i][j] - want[3]) < 0.003 then return true end
    end
  end
  return false
end

describe("plot.history", function()
  local h = {loss={1.0, 0.6, 0.4}, accuracy={0.6, 0.8, 0.85}, val_loss={1.1, 0.8, 0.7},
             val_accuracy={0.55, 0.75, 0.8}, lr={0.01, 0.01, 0.01}}

  it("draws the chosen curves of one run", function()
    expect(plot.history(h, path("curves.svg"), {metrics={"accuracy", "val_accuracy"}, title="Curves"}))
      :to_be(path("curves.svg"))
    local svg = read(path("curves.svg"))
    expect(svg):to_contain('<svg xmlns="http://www.w3.org/2000/svg"')
    expect(svg):to_contain('width="760px" height="460px"')
    expect(svg):to_contain('>accuracy</text>')
    expect(svg):to_contain('>val_accuracy</text>')
    expect(svg).never:to_contain('>loss</text>')
    expect(svg):to_contain(">Curves</text>")
    expect(count(svg, 'class="legend"')):to_be(2)
    expect(require("moonlab.plot")):to_be(plot)
  end)

  it("writes a PNG for a .png name: the chart's size, the first curve's colour in it", function()
    expect(plot.history(h, path("curves.png"), {metrics={"accuracy"}})):to_be(path("curves.png"))
    local w, hh = png_size(read(path("curves.png")))
    expect(w):to_be(760)
    expect(hh):to_be(460)
    expect(has_colour(path("curves.png"), 0x1f77b4)):to_be(true)
    expect(has_colour(path("curves.png"), 0xff7f0e)):to_be(false)
  end)

  it("draws several named runs on one chart", function()
    plot.history({adam=h, sgd=h}, path("runs.svg"), {metrics={"val_accuracy"}})
    local svg = read(path("runs.svg"))
    expect(svg):to_contain('>adam val_accuracy</text>')
    expect(svg):to_contain('>sgd val_accuracy</text>')
  end)

  it("names a missing metric, and draws in the terminal without a path", function()
    expect(function() plot.history(h, path("x.svg"), {metrics={"val_auc"}}) end)
      :to_fail_with("plot.history: history has no 'val_auc'")
    local shown, saved = {}, print
    print = function(text) shown[#shown + 1] = text end
    local ok, result = pcall(plot.history, h)
    plot.heatmap({{5, 1}, {0, 7}}, {labels={"cat", "dog"}})
    print = saved
    expect(ok):to_be(true)
    expect(result):to_be(nil)
    -- A braille line chart (U+2800..U+28FF) with its legend; a heatmap with its values.
    expect(shown[1]:find("\xe2[\xa0-\xa3]") ~= nil):to_be(true)
    expect(shown[1]):to_contain("val_accuracy")
    expect(shown[2]):to_contain("cat")
    expect(shown[2]):to_contain("7")
    expect(shown[2]):to_contain("scale: 0")
    expect(function() plot.history(h, path("x.jpg")) end):to_fail_with("writes SVG or PNG files")
  end)
end)

describe("plot.lines", function()
  it("draws named series with a legend and axis labels", function()
    plot.lines{series={adam={0.8, 0.9, 0.95}, sgd={0.5, 0.7, 0.75}}, out=path("compare.svg"),
               title="lr sweep", xlabel="epoch", ylabel="val accuracy"}
    local svg = read(path("compare.svg"))
    expect(count(svg, 'class="legend"')):to_be(2)
    expect(svg):to_contain(">adam</text>")
    expect(svg):to_contain(">sgd</text>")
    expect(svg):to_contain(">val accuracy</text>")
  end)

  it("takes ordered series with x values, and checks them", function()
    plot.lines{series={{name="b", y={1, 4, 9}}, {name="a", y={1, 2, 3}}}, x={1e-3, 1e-2, 1e-1}, out=path("x.svg")}
    local svg = read(path("x.svg"))
    expect(svg:find('>b</text>', 1, true) < svg:find('>a</text>', 1, true)):to_be(true)
    expect(function() plot.lines{series={a={1, "x"}}, out=path("y.svg")} end)
      :to_fail_with("plot.lines: series 'a' entry 2 must be a number")
    expect(function() plot.lines{series={a={1, 2}}, x={1}, out=path("y.svg")} end)
      :to_fail_with("series 'a' has 2 values but x has 1")
  end)
end)

describe("plot.heatmap", function()
  it("draws a confusion matrix with labels, counts and a colour bar", function()
    local m = metrics.confusion_matrix(tensor.from{0, 1, 1, 2, 2}, tensor.from{0, 1, 2, 2, 2}, 3)
    plot.heatmap(m, {labels={"cat", "dog", "bird"}, out=path("confusion.svg"), title="Confusion"})
    local svg = read(path("confusion.svg"))
    expect(count(svg, 'class="value"')):to_be(9)
    expect(svg):to_contain(">bird</text>")
    expect(svg):to_match('class="value"[^>]*>2</text>')
    expect(svg):to_contain("linearGradient")
  end)

  it("takes a colormap by name and rejects unknown ones", function()
    plot.heatmap({{1, -0.3}, {-0.3, 1}}, {out=path("corr.png"), colormap="viridis"})
    -- viridis' ends (#fde725 for 1, #440154 for the low end) and none of the default map's
    expect(has_colour(path("corr.png"), 0xfde725)):to_be(true)
    expect(has_colour(path("corr.png"), 0x440154)):to_be(true)
    plot.heatmap({{1, -0.3}, {-0.3, 1}}, {out=path("corr2.png")})
    expect(has_colour(path("corr2.png"), 0xfde725)):to_be(false)
    expect(function() plot.heatmap({{1}}, {out=path("c.svg"), colormap="jet"}) end)
      :to_fail_with('unknown colormap "jet"')
  end)
end)

describe("plot.images", function()
  local x = tensor.rand{10, 1, 28, 28}
  local y = tensor.from{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
  local p = tensor.from{0, 1, 2, 3, 4, 5, 6, 7, 8, 1}

  it("writes a PNG grid with cols columns", function()
    local out, n = plot.images(x, {labels=y, predictions=p, cols=5, out=path("grid.png")})
    expect(out):to_be(path("grid.png"))
    expect(n):to_be(10)
    local w, h = png_size(read(path("grid.png")))
    -- 5 cells of 28*2 + 4 pixels, 6 gaps of 6; two rows of 60 + two caption lines (26) high.
    expect(w):to_be(5 * 60 + 6 * 6)
    expect(h):to_be(2 * 86 + 3 * 6)
    expect(has_colour(path("grid.png"), 0xd62728)):to_be(true)   -- the wrong one's red frame
  end)

  it("picks the wrong ones, by positions or only_wrong", function()
    local _, n = plot.images(x, {labels=y, predictions=p, only_wrong=true, out=path("wrong.png")})
    expect(n):to_be(1)
    local _, m = plot.images(x, {indices=metrics.misclassified(p, y), out=path("w2.png"), class_names={"a"}})
    expect(m):to_be(1)
    local _, k = plot.images(x, {max=3, out=path("first.png")})
    expect(k):to_be(3)
  end)

  it("takes a dataset with its labels and class names", function()
    local ds = data.dataset(x, y, {class_names={"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}})
    local _, n = plot.images(ds, {predictions=p, out=path("ds.png"), scale=1, cols=10})
    expect(n):to_be(10)
    expect((png_size(read(path("ds.png"))))):to_be(10 * 32 + 11 * 6)
  end)

  it("rejects bad shapes, counts and options", function()
    expect(function() plot.images(tensor.rand{2, 5}, {out=path("b.png")}) end):to_fail_with("not square")
    expect(function() plot.images(x, {labels=tensor.from{1, 2}, out=path("b.png")}) end)
      :to_fail_with("plot.images: 2 labels for 10 images")
    expect(function() plot.images(x, {only_wrong=true, out=path("b.png")}) end)
      :to_fail_with("only_wrong needs both labels= and predictions=")
    expect(function() plot.images(x, {indices={11}, out=path("b.png")}) end):to_fail_with("index 11 out of range 1..10")
    expect(function() plot.images(x, {out=path("b.jpg")}) end):to_fail_with("writes SVG or PNG files")
    plot.images(x, {out=path("b.svg"), max=2})
    expect(read(path("b.svg"))):to_contain("<image")
    -- missing folders are made; a file where a folder belongs is an error
    plot.images(x, {out=path("new/sub/b.png")})
    expect(io.open(path("new/sub/b.png")) ~= nil):to_be(true)
    local blocker = path("blocker")
    assert(io.open(blocker, "w")):close()
    expect(function() plot.images(x, {out=blocker .. "/b.png"}) end):to_fail_with("is a file, not a folder")
  end)
end)

describe("showing objects: ds:show, model:show_filters, plot.show", function()
  local function shown_by(fn)
    local out, saved = {}, print
    print = function(text) out[#out + 1] = text end
    local ok, a = pcall(fn)
    print = saved
    if not ok then error(a, 0) end
    return table.concat(out, "\n"), a
  end

  it("ds:show draws samples with their class names", function()
    local ds = data.clocks{n = 6, size = 16, seed = 2}
    local text, n = shown_by(function() return ds:show({1, 2}, {cols = 2}) end)
    expect(n):to_be(2)
    -- Off a terminal: shades of grey in block characters (█ ▓ ▒ ░), two pixels a line, the
    -- two 16-pixel faces and their captions side by side.
    local lines = 0
    for line in text:gmatch("[^\n]+") do
      lines = lines + 1
      expect(line:find("\xe2\x96[\x88\x91\x92\x93]") ~= nil or line:match("^ *$") ~= nil):to_be(true)
    end
    expect(lines > 8):to_be(true)
    expect(function() ds:show(7) end):to_fail_with("index 7 out of range 1..6")
    local file = path("sample.png")
    expect(ds:show(3, {out = file})):to_be(1)
    expect(png_size(read(file)) > 0):to_be(true)
  end)

  it("model:show_filters draws each kernel of a Conv2D, one channel or their mean", function()
    moonlab.seed(1)
    local m = nn.Sequential{input = {2, 12, 12}, nn.Conv2D(5, 3, {name = "c"}), nn.Flatten(), nn.Dense(2)}
    local _, n = shown_by(function() return m:show_filters() end)
    expect(n):to_be(5)
    local file = path("filters.png")
    expect(m:show_filters("c", {channel = 2, cols = 5, scale = 4, out = file})):to_be(5)
    local w, h = png_size(read(file))
    expect(w > 5 * 12 and h > 12):to_be(true)
    expect(function() m:show_filters("c", {channel = 3}) end):to_fail_with("channel 3 out of range 1..2")
    expect(function() m:show_filters(3) end):to_fail_with("is a Dense, not a built Conv2D")
    expect(function() nn.Sequential{input = {4}, nn.Dense(2)}:show_filters() end):to_fail_with("the model has no Conv2D layer")
  end)

  it("plot.show draws a PNG file in blocks as wide as the terminal allows", function()
    local file = path("show.png")
    plot.history({loss = {1, 0.5, 0.25}}, file)
    local text = shown_by(function() plot.show(file) end)
    local lines = 0
    for line in text:gmatch("[^\n]+") do
      lines = lines + 1
      expect(utf8.len(line) <= 80):to_be(true)
    end
    expect(lines > 10):to_be(true)
    expect(function() plot.show(path("x.svg")) end):to_fail_with("write the figure as .png")
    expect(function() plot.show(path("missing.png")) end):to_fail_with("missing.png")
  end)
end)

os.execute("rm -rf '" .. folder .. "'")
T.finish()
