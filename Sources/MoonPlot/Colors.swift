/// An sRGB colour with 8-bit channels.
public struct RGB: Equatable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

    /// From `0xRRGGBB`.
    init(hex: UInt32) { self.init(UInt8(hex >> 16 & 0xFF), UInt8(hex >> 8 & 0xFF), UInt8(hex & 0xFF)) }

    /// Relative luminance in [0, 1] (Rec. 709 weights on the 8-bit values), to pick a
    /// readable text colour on top.
    var luminance: Double { (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255 }

    public static let black = RGB(0, 0, 0), white = RGB(255, 255, 255)
    public static let wrong = RGB(214, 39, 40), right = RGB(30, 130, 50), text = RGB(34, 34, 34)
}

/// Distinct colours for the series of a chart (matplotlib's "tab10"), reused in turn.
enum Palette {
    static let colors: [RGB] = [0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf].map(RGB.init(hex:))
    static func color(_ i: Int) -> RGB { colors[i % colors.count] }
    /// Dash patterns that tell series apart once the colours repeat.
    static func dash(_ i: Int) -> [Double] { [[], [6, 3], [2, 2], [8, 3, 2, 3]][(i / colors.count) % 4] }
}

/// Maps numbers in [0, 1] to colours by linear interpolation between evenly spaced stops.
public struct Colormap: Sendable {
    public let name: String
    let stops: [RGB]

    /// The colour at `t`, clamped to [0, 1].
    public func color(_ t: Double) -> RGB {
        let t = t.isFinite ? Swift.min(1, Swift.max(0, t)) : 0
        let x = t * Double(stops.count - 1)
        let i = Swift.min(Int(x), stops.count - 2)
        let f = x - Double(i)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * f).rounded()) }
        let a = stops[i], b = stops[i + 1]
        return RGB(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
    }

    /// Whether the map is meant for values centred on 0 (negative one colour, positive another).
    public var diverging: Bool { name == "coolwarm" || name == "rdbu" }

    public static let blues = Colormap(name: "blues", stops: [0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6,
                                                              0x4292c6, 0x2171b5, 0x08519c, 0x08306b].map(RGB.init(hex:)))
    public static let greys = Colormap(name: "greys", stops: [0xffffff, 0xf0f0f0, 0xd9d9d9, 0xbdbdbd, 0x969696,
                                                              0x737373, 0x525252, 0x252525, 0x000000].map(RGB.init(hex:)))
    public static let viridis = Colormap(name: "viridis", stops: [0x440154, 0x46327e, 0x3b528b, 0x2c728e, 0x21918c,
                                                                  0x28ae80, 0x5ec962, 0xaddc30, 0xfde725].map(RGB.init(hex:)))
    /// Blue for low, white in the middle, red for high: correlations.
    public static let coolwarm = Colormap(name: "coolwarm", stops: [0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
                                                                    0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f].map(RGB.init(hex:)))
    /// matplotlib's RdBu: red for low, blue for high.
    public static let rdbu = Colormap(name: "rdbu", stops: coolwarm.stops.reversed())

    public static let all: [Colormap] = [blues, greys, viridis, coolwarm, rdbu]

    public static func named(_ name: String) -> Colormap? { all.first { $0.name == name.lowercased() } }
}
