import CMoonCairo

/// What every figure draws on, once: lines, rectangles, circles, text, images and a colour
/// gradient, in pixels from the top-left corner. The canvas keeps the shapes; Cairo turns
/// them into an SVG document (`svg()`), a raster (`image()`) and so a PNG file (`png()`),
/// and the terminal's kitty and iTerm2 images come from that same raster. Text is measured
/// with the font it is drawn in (DejaVu Sans, Debian's `fonts-dejavu-core`), so figures lay
/// out their labels by their real widths.
final class Canvas {
    var width: Double
    var height: Double
    private(set) var shapes: [Shape] = []
    /// A context on a one-pixel surface that measures text.
    private var measurer: OpaquePointer?
    private var measureSurface: OpaquePointer?

    static let fontFamily = "DejaVu Sans"

    /// How a line is drawn: colour, width, and a dash pattern (lengths on, off, ...; empty: solid).
    struct Stroke {
        var color: RGB
        var width: Double = 1
        var dash: [Double] = []
    }

    enum Anchor { case start, middle, end }

    /// A run of text on one line; (x, y) is the anchor point on the baseline. `tag` names
    /// what the text is (`tick`, `legend`, ...) in the SVG's searchable text.
    struct Text {
        var string: String
        var x: Double, y: Double
        var size: Double
        var anchor: Anchor
        var color: RGB
        var bold: Bool
        /// Degrees clockwise around (x, y): -90 for text read upwards.
        var angle: Double
        var tag: String?
    }

    enum Shape {
        case path([(x: Double, y: Double)], Stroke)
        case rect(x: Double, y: Double, width: Double, height: Double, fill: RGB?, stroke: Stroke?)
        case circle(x: Double, y: Double, radius: Double, fill: RGB)
        case text(Text)
        /// `image` scaled to the rectangle, each pixel a sharp block.
        case image(RGBImage, x: Double, y: Double, width: Double, height: Double)
        /// A vertical gradient through `stops`, the first at the bottom.
        case gradient(x: Double, y: Double, width: Double, height: Double, stops: [RGB])
    }

    /// A canvas of `width` x `height` pixels (figures that lay out by their text's widths
    /// measure first and set the size after). Throws when Cairo cannot be loaded.
    init(width: Double = 0, height: Double = 0) throws {
        guard Canvas.available else {
            throw PlotError("figures are drawn with the Cairo library (libcairo.so.2), which could not be loaded: install Debian's libcairo2 (scripts/setup does)")
        }
        self.width = width
        self.height = height
    }

    /// Whether Cairo can be loaded (it is, once, on the first question).
    static var available: Bool { moon_cairo_available() != 0 }

    deinit {
        if let measurer { cairo_destroy(measurer) }
        if let measureSurface { cairo_surface_destroy(measureSurface) }
    }

    // MARK: drawing

    /// A straight line; 1-pixel lines along an axis are centred on a pixel so they stay sharp.
    func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ stroke: Stroke) {
        var (x1, y1, x2, y2) = (x1, y1, x2, y2)
        if stroke.width == 1 && x1 == x2 { x1 = Canvas.pixelCentre(x1); x2 = x1 }
        if stroke.width == 1 && y1 == y2 { y1 = Canvas.pixelCentre(y1); y2 = y1 }
        shapes.append(.path([(x1, y1), (x2, y2)], stroke))
    }

    /// Connected line segments through `points`.
    func polyline(_ points: [(x: Double, y: Double)], _ stroke: Stroke) {
        if points.count >= 2 { shapes.append(.path(points, stroke)) }
    }

    func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: RGB?, stroke: Stroke? = nil) {
        shapes.append(.rect(x: x, y: y, width: width, height: height, fill: fill, stroke: stroke))
    }

    func circle(_ x: Double, _ y: Double, radius: Double, fill: RGB) {
        shapes.append(.circle(x: x, y: y, radius: radius, fill: fill))
    }

    func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: Anchor = .start, color: RGB = .text,
              bold: Bool = false, angle: Double = 0, tag: String? = nil) {
        guard !s.isEmpty else { return }
        shapes.append(.text(Text(string: s, x: x, y: y, size: size, anchor: anchor, color: color, bold: bold, angle: angle, tag: tag)))
    }

    func image(_ image: RGBImage, _ x: Double, _ y: Double, _ width: Double, _ height: Double) {
        shapes.append(.image(image, x: x, y: y, width: width, height: height))
    }

    func gradient(_ x: Double, _ y: Double, _ width: Double, _ height: Double, stops: [RGB]) {
        shapes.append(.gradient(x: x, y: y, width: width, height: height, stops: stops))
    }

    // MARK: measuring

    /// How far `s` advances at `size` pixels, in the font it is drawn in.
    func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double {
        if measurer == nil {
            measureSurface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1)
            measurer = cairo_create(measureSurface)
        }
        Canvas.selectFont(measurer, size: size, bold: bold)
        var extents = cairo_text_extents_t()
        cairo_text_extents(measurer, s, &extents)
        return extents.x_advance
    }

    /// The longest prefix of `s` no wider than `width` at `size`.
    func fitting(_ s: String, width: Double, size: Double) -> String {
        var fitted = s
        while !fitted.isEmpty && textWidth(fitted, size: size) > width { fitted.removeLast() }
        return fitted
    }

    static func selectFont(_ cr: OpaquePointer?, size: Double, bold: Bool) {
        cairo_select_font_face(cr, fontFamily, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    static func pixelCentre(_ v: Double) -> Double { (v - 0.5).rounded() + 0.5 }
}
