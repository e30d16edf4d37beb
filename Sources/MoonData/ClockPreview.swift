import MoonEngine

/// A PNG contact sheet of clock faces, each captioned with its time (`3:07`).
public enum ClockPreview {
    /// Writes the first `count` samples of a dataset with `hour` and `minute` targets as a
    /// grid of `columns` faces a row, each with its time below, as a gray PNG.
    public static func write(_ ds: Dataset, to path: String, count: Int = 32, columns: Int = 8) throws {
        guard let hours = ds.targets["hour"], let minutes = ds.targets["minute"] else {
            throw DataError(in: "preview_clocks", "dataset \(ds.name) has no hour and minute targets (targets: \(ds.targets.names?.joined(separator: ", ") ?? "one unnamed y"))")
        }
        let images = try ds.singleInput("preview_clocks")
        guard images.rank == 4, images.shape[1] == 1 else {
            throw DataError(in: "preview_clocks", "expected one-channel images {N, 1, H, W}, got \(shapeText(images.shape))")
        }
        guard count >= 1, columns >= 1 else { throw DataError(in: "preview_clocks", "n and cols must be at least 1") }
        let n = min(count, ds.count)
        let h = images.shape[2], w = images.shape[3]
        let scale = max(1, min(h, w) / 40)
        let captionHeight = 7 * scale + 4
        let pad = 4
        let cols = min(columns, n), rows = (n + cols - 1) / cols
        let cellW = w + pad, cellH = h + captionHeight + pad
        let width = cols * cellW + pad, height = rows * cellH + pad
        var pixels = [UInt8](repeating: 40, count: width * height)
        let hourValues = hours.toArray(), minuteValues = minutes.toArray()
        for i in 0..<n {
            let image = try images.select(0, i).contiguous().toArray()
            let ox = pad + (i % cols) * cellW, oy = pad + (i / cols) * cellH
            for y in 0..<h {
                for x in 0..<w { pixels[(oy + y) * width + ox + x] = PNGWriter.byte(image[y * w + x]) }
            }
            let hour = Int(hourValues[i]), minute = Int(minuteValues[i])
            let caption = "\(hour == 0 ? 12 : hour):\(minute < 10 ? "0" : "")\(minute)"
            let textWidth = caption.count * 4 * scale - scale
            drawText(caption, into: &pixels, width: width, x: ox + max(0, (w - textWidth) / 2), y: oy + h + 2, scale: scale)
        }
        try PNGWriter.write(path, width: width, height: height, color: .gray, pixels: pixels)
    }

    /// 3 x 5 bitmap glyphs, rows top to bottom, bit 2 the left column.
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
        "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
        "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ":": [0, 2, 0, 2, 0],
    ]

    static func drawText(_ text: String, into pixels: inout [UInt8], width: Int, x: Int, y: Int, scale: Int) {
        let height = pixels.count / width
        for (k, ch) in text.enumerated() {
            guard let rows = glyphs[ch] else { continue }
            for (r, bits) in rows.enumerated() {
                for c in 0..<3 where bits & (4 >> UInt8(c)) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = x + (k * 4 + c) * scale + dx, py = y + r * scale + dy
                            if px >= 0 && px < width && py >= 0 && py < height { pixels[py * width + px] = 255 }
                        }
                    }
                }
            }
        }
    }
}
