/// DEC sixel graphics, for terminals that show images that way (foot, mlterm, xterm with
/// `-ti vt340`, Windows Terminal): the picture in bands six pixels high, each band one run of
/// characters a colour. Colours come from a fixed 6 x 6 x 6 cube (216 palette registers), so
/// no per-image palette is searched; figures (white page, a few line colours) lose little.
public enum Sixel {
    /// `image` as one sixel escape sequence (`ESC P q ... ESC \`), ending in a newline.
    public static func encode(_ image: RGBImage) -> String {
        let (w, h) = (image.width, image.height)
        var out = "\u{1b}P0;1q\"1;1;\(w);\(h)"
        // The palette: register i is cube colour (i / 36, i / 6 % 6, i % 6) in percent.
        for i in 0..<216 {
            out += "#\(i);2;\(i / 36 * 20);\(i / 6 % 6 * 20);\(i % 6 * 20)"
        }
        var index = [UInt8](repeating: 0, count: w * h)
        for p in 0..<(w * h) {
            func level(_ v: UInt8) -> Int { (Int(v) * 5 + 127) / 255 }
            index[p] = UInt8(36 * level(image.pixels[3 * p]) + 6 * level(image.pixels[3 * p + 1]) + level(image.pixels[3 * p + 2]))
        }
        var bits = [UInt8](repeating: 0, count: w)
        for top in stride(from: 0, to: h, by: 6) {
            let rows = min(6, h - top)
            var used = Set<UInt8>()
            for y in top..<(top + rows) { for x in 0..<w { used.insert(index[y * w + x]) } }
            for (k, colour) in used.sorted().enumerated() {
                for x in 0..<w {
                    var b: UInt8 = 0
                    for r in 0..<rows where index[(top + r) * w + x] == colour { b |= 1 << r }
                    bits[x] = b
                }
                out += (k == 0 ? "" : "$") + "#\(colour)" + runs(bits)
            }
            out += "-"
        }
        return out + "\u{1b}\\\n"
    }

    /// A row of sixels as characters (`?` + bits), runs of four or more as `!n<char>`.
    static func runs(_ bits: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bits.count {
            var j = i
            while j < bits.count && bits[j] == bits[i] { j += 1 }
            let ch = String(UnicodeScalar(63 + bits[i]))
            out += j - i >= 4 ? "!\(j - i)\(ch)" : String(repeating: ch, count: j - i)
            i = j
        }
        return out
    }
}
