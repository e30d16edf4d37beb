import CMoonCairo

/// The canvas's shapes drawn by Cairo onto its surfaces: pixels in memory (PNG files and the
/// terminal) and SVG documents. One function, `paint(on:)`, draws for both.
extension Canvas {
    /// Cairo's image surfaces stop at this many pixels a side.
    static let maxSide = 32_767

    /// The drawing as a raster on white, `width` x `height` pixels (rounded up).
    func image() throws -> RGBImage {
        let w = Int(width.rounded(.up)), h = Int(height.rounded(.up))
        guard w >= 1, h >= 1, w <= Canvas.maxSide, h <= Canvas.maxSide else {
            throw PlotError("a \(w) x \(h) figure cannot be drawn (1..\(Canvas.maxSide) pixels a side)")
        }
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(w), Int32(h))
        defer { cairo_surface_destroy(surface) }
        try check(surface)
        try draw(on: surface)
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { throw PlotError("Cairo gave no pixels") }
        let stride = Int(cairo_image_surface_get_stride(surface))
        var out = RGBImage(width: w, height: h)
        out.pixels.withUnsafeMutableBufferPointer { rgb in
            for y in 0..<h {
                let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<w {
                    let p = row[x], i = 3 * (y * w + x)   // 0x00RRGGBB in native byte order
                    rgb[i] = UInt8(truncatingIfNeeded: p >> 16)
                    rgb[i + 1] = UInt8(truncatingIfNeeded: p >> 8)
                    rgb[i + 2] = UInt8(truncatingIfNeeded: p)
                }
            }
        }
        return out
    }

    /// The drawing as a PNG file's bytes (8-bit RGB).
    func png() throws -> [UInt8] { try image().png() }

    /// The drawing as an SVG document written by Cairo (text as outlines, so it looks the
    /// same without the font), with the text also written as transparent SVG text so that a
    /// browser can search and select it (see `searchableText`).
    func svg() throws -> String {
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        let surface = cairo_svg_surface_create_for_stream({ closure, data, length in
            let sink = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            if let data { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length))) }
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque(), width, height)
        defer { cairo_surface_destroy(surface) }
        try check(surface)
        cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX)
        try withExtendedLifetime(sink) {
            try draw(on: surface)
            cairo_surface_finish(surface)
            try check(surface)
        }
        return try SVGText.insert(searchableText, into: String(decoding: sink.bytes, as: UTF8.self))
    }

    /// The texts of the drawing, in order.
    var searchableText: [Text] {
        shapes.compactMap { if case .text(let t) = $0 { return t } else { return nil } }
    }

    private func check(_ surface: OpaquePointer?) throws {
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw PlotError("Cairo: \(String(cString: cairo_status_to_string(status)))") }
    }

    /// Paints white, then every shape in order.
    private func draw(on surface: OpaquePointer?) throws {
        let cr = cairo_create(surface)
        defer { cairo_destroy(cr) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        for shape in shapes { try paint(shape, on: cr) }
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else { throw PlotError("Cairo: \(String(cString: cairo_status_to_string(status)))") }
    }

    private func paint(_ shape: Shape, on cr: OpaquePointer?) throws {
        switch shape {
        case .path(let points, let stroke):
            cairo_new_path(cr)
            cairo_move_to(cr, points[0].x, points[0].y)
            for p in points.dropFirst() { cairo_line_to(cr, p.x, p.y) }
            apply(stroke, cr)
            cairo_stroke(cr)
        case .rect(let x, let y, let w, let h, let fill, let stroke):
            cairo_new_path(cr)
            cairo_rectangle(cr, x, y, w, h)
            if let fill { setColor(fill, cr); cairo_fill_preserve(cr) }
            if let stroke { apply(stroke, cr); cairo_stroke(cr) } else { cairo_new_path(cr) }
        case .circle(let x, let y, let r, let fill):
            cairo_new_path(cr)
            cairo_arc(cr, x, y, r, 0, 2 * Double.pi)
            setColor(fill, cr)
            cairo_fill(cr)
        case .text(let t):
            cairo_save(cr)
            Canvas.selectFont(cr, size: t.size, bold: t.bold)
            var extents = cairo_text_extents_t()
            cairo_text_extents(cr, t.string, &extents)
            let shift = t.anchor == .start ? 0 : t.anchor == .middle ? -extents.x_advance / 2 : -extents.x_advance
            cairo_translate(cr, t.x, t.y)
            if t.angle != 0 { cairo_rotate(cr, t.angle * Double.pi / 180) }
            cairo_move_to(cr, shift, 0)
            setColor(t.color, cr)
            cairo_show_text(cr, t.string)
            cairo_restore(cr)
        case .image(let image, let x, let y, let w, let h):
            try paint(image, x, y, w, h, on: cr)
        case .gradient(let x, let y, let w, let h, let stops):
            let pattern = cairo_pattern_create_linear(0, y + h, 0, y)
            defer { cairo_pattern_destroy(pattern) }
            for (k, c) in stops.enumerated() {
                cairo_pattern_add_color_stop_rgb(pattern, Double(k) / Double(max(1, stops.count - 1)),
                                                 Double(c.r) / 255, Double(c.g) / 255, Double(c.b) / 255)
            }
            cairo_new_path(cr)
            cairo_rectangle(cr, x, y, w, h)
            cairo_set_source(cr, pattern)
            cairo_fill(cr)
        }
    }

    /// `image` as an image surface, scaled onto the rectangle without smoothing. When the
    /// scale is whole (image grids, heatmaps' cells) the surface holds the blocks themselves,
    /// since SVG viewers smooth an embedded image whatever Cairo's filter says.
    private func paint(_ image: RGBImage, _ x: Double, _ y: Double, _ w: Double, _ h: Double, on cr: OpaquePointer?) throws {
        let fx = w / Double(image.width), fy = h / Double(image.height)
        let whole = fx == fx.rounded() && fy == fy.rounded() && w * h <= 16_777_216
        let (bx, by) = whole ? (Int(fx), Int(fy)) : (1, 1)
        let (sw, sh) = (image.width * bx, image.height * by)
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(sw), Int32(sh))
        defer { cairo_surface_destroy(surface) }
        try check(surface)
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { throw PlotError("Cairo gave no pixels") }
        let stride = Int(cairo_image_surface_get_stride(surface))
        image.pixels.withUnsafeBufferPointer { rgb in
            for row in 0..<sh {
                let out = UnsafeMutableRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
                let source = (row / by) * image.width
                for col in 0..<sw {
                    let i = 3 * (source + col / bx)
                    out[col] = UInt32(rgb[i]) << 16 | UInt32(rgb[i + 1]) << 8 | UInt32(rgb[i + 2])
                }
            }
        }
        cairo_surface_mark_dirty(surface)
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_scale(cr, w / Double(sw), h / Double(sh))
        cairo_set_source_surface(cr, surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST)
        cairo_new_path(cr)
        cairo_rectangle(cr, 0, 0, Double(sw), Double(sh))
        cairo_fill(cr)
        cairo_restore(cr)
    }

    private func apply(_ stroke: Stroke, _ cr: OpaquePointer?) {
        setColor(stroke.color, cr)
        cairo_set_line_width(cr, stroke.width)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_dash(cr, stroke.dash, Int32(stroke.dash.count), 0)
    }

    private func setColor(_ c: RGB, _ cr: OpaquePointer?) {
        cairo_set_source_rgb(cr, Double(c.r) / 255, Double(c.g) / 255, Double(c.b) / 255)
    }
}
