import Foundation
import MoonData
import MoonEngine
import MoonKernels

/// Keras' ImageDataGenerator as a transform: the same parameter names and meanings, applied
/// to a batch in Keras' order: random geometry (rotation, shift, shear, zoom, then flips) in
/// one bilinear warp, channel shift, brightness, then standardization (rescale, samplewise
/// centre and std, featurewise centre and std, ZCA). Featurewise statistics and ZCA need
/// `fit` on the training data first.
///
/// - `rotationRange` r: degrees uniform in [-r, r] (positive: counter-clockwise).
/// - `widthShiftRange`, `heightShiftRange` s: a fraction of the width (height) uniform in
///   [-s, s] when s < 1, else pixels in [-s, s].
/// - `shearRange` a: shear angle in degrees uniform in [-a, a].
/// - `zoomRange` [lo, hi] (a float z means [1 - z, 1 + z]): Keras' zoom, drawn separately for
///   each axis; the value is the ratio input/output, so above 1 shrinks the content.
/// - `fillMode` with `cval`: constant / nearest (default) / reflect / wrap.
/// - `horizontalFlip`, `verticalFlip`: mirror with probability 1/2.
/// - `channelShiftRange` c: adds one value uniform in [-c, c], clipped to the image's range.
/// - `brightnessRange` [lo, hi]: multiplies by a factor uniform in [lo, hi], clamped to
///   [0, 1] (Keras goes through PIL at 0..255; moonlab's images are in [0, 1]).
/// - `rescale`: multiplies the data (before the statistics, also in `fit`).
/// - `samplewiseCenter`, `samplewiseStdNormalization`: each image's mean to 0, std to 1
///   (divides by std + 1e-6). The std normalization implies centring.
/// - `featurewiseCenter`, `featurewiseStdNormalization`: per-channel mean and std of the
///   fitted data (divides by std + 1e-6).
/// - `zcaWhitening` with `zcaEpsilon`: ZCA on the featurewise-centred data; as in Keras it
///   turns featurewise centring on and featurewise std normalization off.
public final class ImageDataGenerator: BatchTransform {
    public struct Options: Equatable, Sendable, MoonBase.Options {
        public var rotationRange = 0.0
        public var widthShiftRange = 0.0
        public var heightShiftRange = 0.0
        public var shearRange = 0.0
        /// A number z ([1 - z, 1 + z]) or a pair {lo, hi}.
        public var zoom = Spread(0)
        public var channelShiftRange = 0.0
        public var fillName = FillName.nearest
        public var cval = 0.0
        public var horizontalFlip = false
        public var verticalFlip = false
        public var brightness: Spread? = nil
        public var rescale: Double?
        public var featurewiseCenter = false
        public var samplewiseCenter = false
        public var featurewiseStdNormalization = false
        public var samplewiseStdNormalization = false
        public var zcaWhitening = false
        public var zcaEpsilon = 1e-6
        public init() {}

        /// The zoom factors' range (a pair given lo > hi reads as the single factor lo; the
        /// initializer refuses it first).
        public var zoomRange: ClosedRange<Double> {
            get { zoom.hi.map { zoom.lo...Swift.max(zoom.lo, $0) } ?? (1 - zoom.lo)...(1 + Swift.abs(zoom.lo)) }
            set { zoom = Spread(newValue.lowerBound, newValue.upperBound) }
        }

        public var fillMode: FillMode {
            get { FillMode(name: fillName.rawValue, value: Float(cval))! }
            set {
                fillName = FillName(rawValue: newValue.name)!
                if case .constant(let v) = newValue { cval = Double(v) }
            }
        }

        public var brightnessRange: ClosedRange<Double>? {
            get { brightness.map { b in b.lo...Swift.max(b.lo, b.hi ?? b.lo) } }
            set { brightness = newValue.map { Spread($0.lowerBound, $0.upperBound) } }
        }

        public static var fields: [OptionField<Options>] {
            [OptionField("rotation_range", \.rotationRange, "degrees from [-r, r]"),
             OptionField("width_shift_range", \.widthShiftRange, "a fraction of the width from [-s, s] when s < 1, else pixels"),
             OptionField("height_shift_range", \.heightShiftRange, "a fraction of the height from [-s, s] when s < 1, else pixels"),
             OptionField("shear_range", \.shearRange, "degrees"),
             OptionField("zoom_range", \.zoom, "z means [1-z, 1+z], or {lo, hi}; per-axis input/output ratios (above 1 shrinks)"),
             OptionField("channel_shift_range", \.channelShiftRange, "adds one value from [-r, r] to each channel"),
             OptionField("fill_mode", \.fillName, "outside the image: constant, nearest, reflect or wrap"),
             OptionField("cval", \.cval, "the constant fill"),
             OptionField("horizontal_flip", \.horizontalFlip, "mirrors left-right with probability 1/2"),
             OptionField("vertical_flip", \.verticalFlip, "mirrors top-bottom with probability 1/2"),
             OptionField("brightness_range", \.brightness, "{lo, hi}: multiplies, clamped to [0, 1]"),
             OptionField("rescale", \.rescale, "multiplies first (in standardization and in fit)"),
             OptionField("featurewise_center", \.featurewiseCenter, "subtracts the per-channel mean of fit's data"),
             OptionField("samplewise_center", \.samplewiseCenter, "subtracts each image's mean"),
             OptionField("featurewise_std_normalization", \.featurewiseStdNormalization, "divides by the per-channel std of fit's data"),
             OptionField("samplewise_std_normalization", \.samplewiseStdNormalization, "divides by each image's std"),
             OptionField("zca_whitening", \.zcaWhitening, "ZCA whitening from fit's data (implies featurewise_center)"),
             OptionField("zca_epsilon", \.zcaEpsilon, "added to the covariance's eigenvalues")]
        }
    }

    public let options: Options
    /// Per-channel statistics after `fit` (featurewise options).
    public private(set) var mean: [Float]?
    public private(set) var std: [Float]?
    /// The ZCA fitted by `fit` (zcaWhitening).
    public private(set) var zca: ZCA?
    let name = "ImageDataGenerator"

    public init(_ options: Options) throws {
        var o = options
        let op = "ImageDataGenerator"
        for (key, v) in [("rotation_range", o.rotationRange), ("width_shift_range", o.widthShiftRange),
                         ("height_shift_range", o.heightShiftRange), ("shear_range", o.shearRange),
                         ("channel_shift_range", o.channelShiftRange)] where !(v.isFinite && v >= 0) {
            throw AugError(in: op, "\(key) must be a number >= 0, got \(format(v))")
        }
        if o.shearRange >= 90 { throw AugError(in: op, "shear_range must be below 90 degrees, got \(format(o.shearRange))") }
        if let hi = o.zoom.hi, hi < o.zoom.lo {
            throw AugError(in: op, "zoom_range {lo, hi} needs lo <= hi, got {\(format(o.zoom.lo)), \(format(hi))}")
        }
        if o.zoom.hi == nil, !(o.zoom.lo >= 0 && o.zoom.lo < 1) {
            throw AugError(in: op, "zoom_range must be a number in [0, 1) or a pair {lo, hi}, got \(format(o.zoom.lo))")
        }
        if let b = o.brightness, b.hi == nil || b.hi! < b.lo {
            throw AugError(in: op, "brightness_range must be a pair {lo, hi} with lo <= hi, e.g. {0.8, 1.2}")
        }
        guard o.cval.isFinite else { throw AugError(in: op, "the fill value must be finite, got \(o.cval)") }
        let z = o.zoomRange
        guard z.lowerBound.isFinite, z.upperBound.isFinite, z.lowerBound > 0 else {
            throw AugError(in: op, "zoom_range must give factors > 0 (a float below 1 or {lo, hi} with 0 < lo <= hi), got {\(format(z.lowerBound)), \(format(z.upperBound))}")
        }
        if let b = o.brightnessRange, !(b.lowerBound.isFinite && b.upperBound.isFinite && b.lowerBound >= 0) {
            throw AugError(in: op, "brightness_range {lo, hi} needs 0 <= lo <= hi, got {\(format(b.lowerBound)), \(format(b.upperBound))}")
        }
        if let r = o.rescale, !r.isFinite {
            throw AugError(in: op, "rescale must be a finite number, got \(r)")
        }
        guard o.zcaEpsilon.isFinite, o.zcaEpsilon > 0 else {
            throw AugError(in: op, "zca_epsilon must be > 0, got \(format(o.zcaEpsilon))")
        }
        if o.zcaWhitening {
            o.featurewiseCenter = true
            o.featurewiseStdNormalization = false
        }
        if o.samplewiseStdNormalization { o.samplewiseCenter = true }
        self.options = o
    }

    var needsFit: Bool { options.featurewiseCenter || options.featurewiseStdNormalization || options.zcaWhitening }
    var isFitted: Bool { !needsFit || (mean != nil && (!options.zcaWhitening || zca != nil)) }

    /// Computes the featurewise statistics and the ZCA matrix on `x` `{N, C, H, W}`
    /// (rescaled first, as the transform rescales). Without featurewise options it does nothing.
    @discardableResult
    public func fit(_ x: Tensor) throws -> ImageDataGenerator {
        let op = "ImageDataGenerator:fit"
        guard x.rank == 4, x.shape[0] >= 2 else {
            throw AugError(in: op, "expected N x C x H x W images with N >= 2, got shape \(shapeText(x.shape))")
        }
        if !needsFit { return self }
        var data = x.isContiguous ? x : try x.contiguous()
        if let r = options.rescale { data = try data.mul(Float(r)) }
        let (n, c, h, w) = Images.dims(data)
        let plane = h * w
        var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
        try data.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                for ch in 0..<c {
                    let q = p.baseAddress! + (i * c + ch) * plane
                    var s = 0.0, s2 = 0.0
                    for j in 0..<plane { let v = Double(q[j]); s += v; s2 += v * v }
                    sum[ch] += s; sq[ch] += s2
                }
            }
        }
        let count = Double(n * plane)
        let mu = sum.map { $0 / count }
        mean = mu.map(Float.init)
        std = (0..<c).map { Float(max(sq[$0] / count - mu[$0] * mu[$0], 0).squareRoot()) }
        if options.zcaWhitening {
            zca = try ZCA(epsilon: options.zcaEpsilon, centering: .perChannel).fit(data)
        }
        return self
    }

    /// Fits on a dataset's inputs.
    @discardableResult
    public func fit(_ ds: Dataset) throws -> ImageDataGenerator { try fit(try ds.singleInput("ImageDataGenerator:fit")) }

    /// The random parameters of one image, in Keras' drawing order.
    struct Draw {
        var map = Affine.identity
        var channelShift: Float = 0
        var brightness: Float = 1
    }

    func draws(count: Int, height h: Int, width w: Int, generator g: RandomGenerator) -> [Draw] {
        let o = options
        func shift(_ range: Double, _ size: Int) -> Double {
            range == 0 ? 0 : uniform(-range...range, g) * (range < 1 ? Double(size) : 1)
        }
        return (0..<count).map { _ in
            var d = Draw()
            let theta = o.rotationRange == 0 ? 0 : uniform(-o.rotationRange...o.rotationRange, g)
            let tx = shift(o.heightShiftRange, h), ty = shift(o.widthShiftRange, w)
            let shear = o.shearRange == 0 ? 0 : uniform(-o.shearRange...o.shearRange, g)
            var zx = 1.0, zy = 1.0
            if o.zoomRange != 1...1 { zx = uniform(o.zoomRange, g); zy = uniform(o.zoomRange, g) }
            let flipH = o.horizontalFlip && g.nextDouble() < 0.5
            let flipV = o.verticalFlip && g.nextDouble() < 0.5
            if o.channelShiftRange > 0 { d.channelShift = Float(uniform(-o.channelShiftRange...o.channelShiftRange, g)) }
            if let b = o.brightnessRange { d.brightness = Float(uniform(b, g)) }
            // Keras: rotation · shift · shear · zoom about the centre, then the flips.
            var m = Affine.identity
            if theta != 0 { m = m * .rotation(degrees: theta, height: h, width: w) }
            if tx != 0 || ty != 0 { m = m * .shift(dx: -ty, dy: -tx) }
            if shear != 0 { m = m * .shear(degrees: shear, height: h, width: w) }
            if zx != 1 || zy != 1 { m = m * .scale(1 / zy, 1 / zx, height: h, width: w) }
            if flipH || flipV { m = m * .flip(horizontal: flipH, vertical: flipV, height: h, width: w) }
            d.map = m
            return d
        }
    }

    func transformBatch(_ batch: Tensor, generator: RandomGenerator) throws -> Tensor {
        let o = options
        guard isFitted else {
            throw AugError(in: "ImageDataGenerator", "featurewise_center, featurewise_std_normalization and zca_whitening need the data's statistics: call fit(train) first")
        }
        let (n, c, h, w) = Images.dims(batch)
        if let mean, mean.count != c {
            throw AugError(in: "ImageDataGenerator", "fitted on \(mean.count)-channel images, got shape \(shapeText(batch.shape))")
        }
        let d = draws(count: n, height: h, width: w, generator: generator)
        let out = try AffineWarp.warp(batch, maps: d.map(\.map), fill: o.fillMode)
        let plane = h * w, image = c * plane
        let featureShift = o.featurewiseCenter && !o.zcaWhitening ? mean : nil
        let featureScale = o.featurewiseStdNormalization ? std?.map { 1 / ($0 + 1e-6) } : nil
        let rescale = o.rescale.map(Float.init)
        let pointwise = o.channelShiftRange > 0 || o.brightnessRange != nil || rescale != nil
            || o.samplewiseCenter || featureShift != nil || featureScale != nil
        if pointwise {
            try out.withUnsafeMutableBufferPointer { p in
                let base = UncheckedPointers(src: UnsafePointer(p.baseAddress!), dst: p.baseAddress!)
                Threads.parallelFor(n, minPerThread: max(1, 8192 / max(image, 1))) { _, range in
                    for i in range {
                        ImageDataGenerator.pointwise(base.dst + i * image, channels: c, plane: plane, draw: d[i],
                                                     options: o, rescale: rescale,
                                                     featureShift: featureShift, featureScale: featureScale)
                    }
                }
            }
        }
        if o.zcaWhitening, let zca { return try zca.apply(out, generator: generator) }
        return out
    }

    /// Channel shift, brightness and standardization of one image, in place.
    static func pointwise(_ x: UnsafeMutablePointer<Float>, channels c: Int, plane: Int, draw: Draw,
                          options o: Options, rescale: Float?,
                          featureShift: [Float]?, featureScale: [Float]?) {
        let count = c * plane
        if draw.channelShift != 0 {
            var lo = Float.infinity, hi = -Float.infinity
            for j in 0..<count { lo = Swift.min(lo, x[j]); hi = Swift.max(hi, x[j]) }
            for j in 0..<count { x[j] = Swift.min(Swift.max(x[j] + draw.channelShift, lo), hi) }
        }
        if o.brightnessRange != nil {
            let b = draw.brightness
            for j in 0..<count { x[j] = Swift.min(Swift.max(x[j] * b, 0), 1) }
        }
        if let r = rescale { for j in 0..<count { x[j] *= r } }
        if o.samplewiseCenter {
            var s = 0.0
            for j in 0..<count { s += Double(x[j]) }
            let m = Float(s / Double(count))
            for j in 0..<count { x[j] -= m }
            if o.samplewiseStdNormalization {
                var s2 = 0.0
                for j in 0..<count { s2 += Double(x[j]) * Double(x[j]) }
                let scale = 1 / (Float((s2 / Double(count)).squareRoot()) + 1e-6)
                for j in 0..<count { x[j] *= scale }
            }
        }
        if featureShift != nil || featureScale != nil {
            for ch in 0..<c {
                let m = featureShift?[ch] ?? 0, s = featureScale?[ch] ?? 1
                let q = x + ch * plane
                for j in 0..<plane { q[j] = (q[j] - m) * s }
            }
        }
    }

    public var description: String {
        let o = options, d = Options()
        var parts: [String] = []
        func num(_ key: String, _ v: Double, _ def: Double) { if v != def { parts.append("\(key)=\(format(v))") } }
        func flag(_ key: String, _ v: Bool) { if v { parts.append("\(key)=true") } }
        num("rotation_range", o.rotationRange, d.rotationRange)
        num("width_shift_range", o.widthShiftRange, d.widthShiftRange)
        num("height_shift_range", o.heightShiftRange, d.heightShiftRange)
        num("shear_range", o.shearRange, d.shearRange)
        if o.zoomRange != d.zoomRange {
            let z = o.zoomRange
            let symmetric = Swift.abs((1 - z.lowerBound) - (z.upperBound - 1)) < 1e-12
            parts.append("zoom_range=" + (symmetric ? format(z.upperBound - 1) : "{\(format(z.lowerBound)), \(format(z.upperBound))}"))
        }
        num("channel_shift_range", o.channelShiftRange, d.channelShiftRange)
        if o.fillMode != d.fillMode {
            parts.append("fill_mode=\"\(o.fillMode.name)\"")
            if case .constant(let v) = o.fillMode, v != 0 { parts.append("cval=\(format(v))") }
        }
        flag("horizontal_flip", o.horizontalFlip)
        flag("vertical_flip", o.verticalFlip)
        if let b = o.brightnessRange { parts.append("brightness_range={\(format(b.lowerBound)), \(format(b.upperBound))}") }
        if let r = o.rescale { parts.append("rescale=\(format(r))") }
        flag("featurewise_center", o.featurewiseCenter && !o.zcaWhitening)
        flag("samplewise_center", o.samplewiseCenter && !o.samplewiseStdNormalization)
        flag("featurewise_std_normalization", o.featurewiseStdNormalization)
        flag("samplewise_std_normalization", o.samplewiseStdNormalization)
        flag("zca_whitening", o.zcaWhitening)
        if o.zcaEpsilon != d.zcaEpsilon { parts.append("zca_epsilon=\(o.zcaEpsilon)") }
        return "aug.ImageDataGenerator{\(parts.joined(separator: ", "))}"
    }
}

extension ImageDataGenerator {
    /// What `aug.ImageDataGenerator` does, for help.
    public static let summary = """
        Keras' ImageDataGenerator as a transform, same names and meanings. featurewise_center / \
        featurewise_std_normalization (per-channel statistics) and zca_whitening need \
        g:fit(train) first; zca_whitening implies featurewise_center and turns \
        featurewise_std_normalization off, as in Keras. The geometry is one bilinear warp per image.
        """
}
