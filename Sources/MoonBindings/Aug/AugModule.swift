import Foundation
import LuaKit
import MoonAug
import MoonData
import MoonEngine

/// The `aug` module: augmentation transforms, ImageDataGenerator, ZCA, preview grids.
enum AugModule {
    static func install(_ L: LuaState) {
        TransformClass.install(L)
        L.defineModule("aug", doc: """
            Augmentation transforms applied on the fly: t(img) for a C x H x W image, t(batch) \
            for N x C x H x W; model:fit(train, {augment=t}) applies t to every training batch, \
            fresh each epoch. Random parameters come from the global generator (moonlab.seed). \
            Geometric transforms (rotation, zoom, shear, shift, flips) resample once, bilinear, \
            with fill_mode "constant" (value, default 0), "nearest", "reflect" or "wrap"; \
            consecutive ones in a Compose are fused into one warp. See help(aug.ImageDataGenerator) \
            for Keras' names.
            """) { m in
            geometric(m)
            photometric(m)
            m.function("Compose", "aug.Compose{t1, t2, ...}", """
                Applies the transforms in order (t1 first). Consecutive geometric transforms with \
                the same fill are fused: each image is resampled once.
                """) { L in
                let fn = "aug.Compose"
                try L.checkTable(1, fn, "a Lua array of transforms {t1, t2, ...}")
                var list: [any Transform] = []
                let n = L.rawLength(1)
                for i in 1...max(n, 1) where i <= n {
                    L.rawGet(1, i)
                    defer { L.pop() }
                    guard let t = L.transformOrNil(-1) else {
                        throw LuaError("\(fn): entry \(i) must be an aug transform, got \(L.describe(-1))")
                    }
                    list.append(t)
                }
                L.push(transform: Compose(list))
                return 1
            }
            imageDataGenerator(m)
            m.function("ZCA", "aug.ZCA{epsilon=1e-6}", """
                ZCA whitening: t:fit(train) computes the mean and covariance of the flattened \
                training images and W = U (S + epsilon)^(-1/2) U^T from the covariance's \
                eigen-decomposition U S U^T; t(x) returns (x - mean) W, whose covariance over the \
                training set is close to the identity. Up to 4096 features (784 takes a few seconds).
                """) { L in
                let fn = "aug.ZCA"
                if !L.isNoneOrNil(1) { try L.checkTable(1, fn, "an option table {epsilon=}") }
                try L.checkOptionKeys(1, fn, ["epsilon"])
                let eps = try L.optionNumber(1, "epsilon", fn) ?? 1e-6
                L.push(transform: try augNaming(fn) { try ZCA(epsilon: eps) })
                return 1
            }
            m.function("preview", "aug.preview(ds | x, transform, path, {n=16, cols=, scale=2, seed=}) --> path", """
                Writes a PNG grid of the first n images (of a dataset or an N x C x H x W tensor, \
                1 or 3 channels) each beside its augmented copy (original left), cols pairs a row \
                (default: a square grid), pixels scaled up `scale` times. Images with values outside \
                [0, 1] are stretched from their own range. seed draws the augmentation from its own \
                generator; else from the global one. Written atomically (temp file, then rename).
                """) { L in
                let fn = "aug.preview"
                let x: Tensor
                if let ds = L.datasetOrNil(1) { x = try augNaming(fn) { try ds.singleInput(fn) } }
                else if let t = L.tensorOrNil(1) { x = t }
                else { throw L.argumentError(fn, 1, "a dataset or an N x C x H x W tensor") }
                let t = try L.transform(2, fn)
                let path = DataModule.expandTilde(try L.string(3, fn))
                if !L.isNoneOrNil(4) { try L.checkTable(4, fn, "an option table {n=, cols=, scale=, seed=}") }
                try L.checkOptionKeys(4, fn, ["n", "cols", "scale", "seed"])
                let n = try L.optionInteger(4, "n", fn) ?? 16
                let cols = try L.optionInteger(4, "cols", fn)
                let scale = try L.optionInteger(4, "scale", fn) ?? 2
                let gen = try L.generator(seedOption: 4, fn)
                _ = try augNaming(fn) {
                    try Preview.write(x, transform: t, to: path, count: n, columns: cols, scale: scale, generator: gen)
                }
                L.push(path)
                return 1
            }
        }
    }

    static func geometric(_ m: ModuleBuilder) {
        let fillDoc = "Options: fill_mode (\"constant\", \"nearest\", \"reflect\", \"wrap\"; default \"constant\") and value (the constant, default 0)."
        m.function("RandomRotation", "aug.RandomRotation(degrees | {lo, hi}[, {fill_mode=, value=}])", """
            Rotates each image about its centre by an angle drawn uniformly from [-degrees, degrees] \
            (or [lo, hi]); positive angles turn the content counter-clockwise, as Keras' \
            RandomRotation layer and torchvision. \(fillDoc)
            """) { L in
            let fn = "aug.RandomRotation"
            let (a, b) = try L.augRange(1, fn, "degrees")
            let fill = try fillOptions(L, 2, fn)
            L.push(transform: try augNaming(fn) {
                try b.map { try RandomRotation(degrees: a, $0, fill: fill) } ?? RandomRotation(degrees: a, fill: fill)
            })
            return 1
        }
        m.function("RandomZoom", "aug.RandomZoom(factor | {lo, hi}[, {fill_mode=, value=}])", """
            Scales each image's content about its centre by a factor drawn uniformly from \
            [1 - factor, 1 + factor] (factor in [0, 1)) or [lo, hi], the same on both axes; above 1 \
            enlarges (zooms in). (ImageDataGenerator's zoom_range keeps Keras' inverse meaning.) \(fillDoc)
            """) { L in
            let fn = "aug.RandomZoom"
            let (a, b) = try L.augRange(1, fn, "factor")
            let fill = try fillOptions(L, 2, fn)
            L.push(transform: try augNaming(fn) {
                try b.map { try RandomZoom(scale: a, $0, fill: fill) } ?? RandomZoom(factor: a, fill: fill)
            })
            return 1
        }
        m.function("RandomShear", "aug.RandomShear(degrees | {lo, hi}[, {fill_mode=, value=}])", """
            Shears each image by an angle in degrees drawn uniformly from [-degrees, degrees] \
            (or [lo, hi]), as Keras' shear_range; degrees below 90. \(fillDoc)
            """) { L in
            let fn = "aug.RandomShear"
            let (a, b) = try L.augRange(1, fn, "degrees")
            let fill = try fillOptions(L, 2, fn)
            L.push(transform: try augNaming(fn) {
                try b.map { try RandomShear(degrees: a, $0, fill: fill) } ?? RandomShear(degrees: a, fill: fill)
            })
            return 1
        }
        m.function("RandomShift", "aug.RandomShift{width=0, height=0, fill_mode=, value=}", """
            Moves each image's content by a fraction of its width drawn from [-width, width] and of \
            its height from [-height, height] (fractions in [0, 1]; positive moves right and down), \
            bilinear. \(fillDoc)
            """) { L in
            let fn = "aug.RandomShift"
            try L.checkTable(1, fn, "an option table {width=, height=}")
            try L.checkOptionKeys(1, fn, ["width", "height", "fill_mode", "value", "cval"])
            let w = try L.optionNumber(1, "width", fn) ?? 0, h = try L.optionNumber(1, "height", fn) ?? 0
            let fill = try L.augFill(1, fn, default: .constant(0))
            L.push(transform: try augNaming(fn) { try RandomShift(width: w, height: h, fill: fill) })
            return 1
        }
        for (name, horizontal) in [("RandomHorizontalFlip", true), ("RandomVerticalFlip", false)] {
            m.function(name, "aug.\(name)([p=0.5])", """
                Mirrors each image \(horizontal ? "left-right" : "top-bottom") with probability p \
                (default 0.5), exactly (no resampling).
                """) { L in
                let fn = "aug.\(name)"
                var p = 0.5
                if L.type(1) == .table {
                    try L.checkOptionKeys(1, fn, ["p"])
                    p = try L.optionNumber(1, "p", fn) ?? 0.5
                } else if !L.isNoneOrNil(1) {
                    p = try L.number(1, fn)
                }
                L.push(transform: try augNaming(fn) {
                    horizontal ? try RandomHorizontalFlip(p: p) as any Transform : try RandomVerticalFlip(p: p)
                })
                return 1
            }
        }
    }

    /// The fill options of a geometric constructor (an optional table at `index`).
    static func fillOptions(_ L: LuaState, _ index: Int32, _ fn: String) throws -> FillMode {
        if L.isNoneOrNil(index) { return .constant(0) }
        try L.checkTable(index, fn, "an option table {fill_mode=, value=}")
        try L.checkOptionKeys(index, fn, ["fill_mode", "value", "cval"])
        return try L.augFill(index, fn, default: .constant(0))
    }

    static func photometric(_ m: ModuleBuilder) {
        m.function("ColorJitter", "aug.ColorJitter{brightness=0, contrast=0}", """
            Random brightness and contrast per image, for values in [0, 1] (put it before \
            Normalize), as torchvision: brightness b multiplies by a factor from [max(0, 1-b), 1+b]; \
            contrast c blends with the image's mean grey level by a factor f from [max(0, 1-c), 1+c] \
            (f x + (1 - f) mean). Results are clamped to [0, 1].
            """) { L in
            let fn = "aug.ColorJitter"
            try L.checkTable(1, fn, "an option table {brightness=, contrast=}")
            try L.checkOptionKeys(1, fn, ["brightness", "contrast"])
            let b = try L.optionNumber(1, "brightness", fn) ?? 0, c = try L.optionNumber(1, "contrast", fn) ?? 0
            L.push(transform: try augNaming(fn) { try ColorJitter(brightness: b, contrast: c) })
            return 1
        }
        m.function("Normalize", "aug.Normalize{mean=, std=}", """
            (x - mean) / std per channel; mean and std are numbers (every channel) or Lua arrays \
            with one value per channel. Not random.
            """) { L in
            let fn = "aug.Normalize"
            try L.checkTable(1, fn, "an option table {mean=, std=}")
            try L.checkOptionKeys(1, fn, ["mean", "std"])
            guard let mean = try L.augOptionNumbers(1, "mean", fn), let std = try L.augOptionNumbers(1, "std", fn) else {
                throw LuaError("\(fn): needs both mean and std, e.g. aug.Normalize{mean=0.5, std=0.5}")
            }
            L.push(transform: try augNaming(fn) { try Normalize(mean: mean, std: std) })
            return 1
        }
    }

    static let generatorKeys: Set<String> = [
        "rotation_range", "width_shift_range", "height_shift_range", "shear_range", "zoom_range",
        "channel_shift_range", "fill_mode", "cval", "horizontal_flip", "vertical_flip",
        "brightness_range", "rescale", "featurewise_center", "samplewise_center",
        "featurewise_std_normalization", "samplewise_std_normalization", "zca_whitening", "zca_epsilon",
    ]

    static func imageDataGenerator(_ m: ModuleBuilder) {
        m.function("ImageDataGenerator", "aug.ImageDataGenerator{rotation_range=0, width_shift_range=0, height_shift_range=0, shear_range=0, zoom_range=0, channel_shift_range=0, fill_mode=\"nearest\", cval=0, horizontal_flip=false, vertical_flip=false, brightness_range=nil, rescale=nil, featurewise_center=false, samplewise_center=false, featurewise_std_normalization=false, samplewise_std_normalization=false, zca_whitening=false, zca_epsilon=1e-6}", """
            Keras' ImageDataGenerator as a transform, same names and meanings: rotation_range r \
            (degrees from [-r, r]); width_shift_range / height_shift_range s (a fraction of the \
            width/height from [-s, s] when s < 1, else pixels); shear_range (degrees); zoom_range z \
            or {lo, hi} (z means [1-z, 1+z]; per-axis factors, input/output ratio: above 1 shrinks); \
            fill_mode and cval; horizontal_flip, vertical_flip (probability 1/2); channel_shift_range; \
            brightness_range {lo, hi} (multiplies, clamped to [0, 1]); rescale (applied first in \
            standardization and in fit); samplewise_center / samplewise_std_normalization; \
            featurewise_center / featurewise_std_normalization (per-channel statistics) and \
            zca_whitening (zca_epsilon) need g:fit(train) first; zca_whitening implies \
            featurewise_center and turns featurewise_std_normalization off, as in Keras. The \
            geometry is one bilinear warp per image.
            """) { L in
            let fn = "aug.ImageDataGenerator"
            if !L.isNoneOrNil(1) { try L.checkTable(1, fn, "an option table {rotation_range=, ...}") }
            try L.checkOptionKeys(1, fn, generatorKeys)
            var o = ImageDataGenerator.Options()
            o.rotationRange = try L.optionNumber(1, "rotation_range", fn) ?? 0
            o.widthShiftRange = try L.optionNumber(1, "width_shift_range", fn) ?? 0
            o.heightShiftRange = try L.optionNumber(1, "height_shift_range", fn) ?? 0
            o.shearRange = try L.optionNumber(1, "shear_range", fn) ?? 0
            if let (a, b) = try L.augOptionRange(1, "zoom_range", fn) {
                if let b {
                    guard a <= b else { throw LuaError("\(fn): zoom_range {lo, hi} needs lo <= hi, got {\(a), \(b)}") }
                    o.zoomRange = a...b
                } else {
                    guard a >= 0, a < 1 else { throw LuaError("\(fn): zoom_range must be a number in [0, 1) or a pair {lo, hi}, got \(a)") }
                    o.zoomRange = (1 - a)...(1 + a)
                }
            }
            o.channelShiftRange = try L.optionNumber(1, "channel_shift_range", fn) ?? 0
            o.fillMode = try L.augFill(1, fn, default: .nearest)
            o.horizontalFlip = try L.optionBool(1, "horizontal_flip", fn) ?? false
            o.verticalFlip = try L.optionBool(1, "vertical_flip", fn) ?? false
            if let (a, b) = try L.augOptionRange(1, "brightness_range", fn) {
                guard let b, a <= b else {
                    throw LuaError("\(fn): brightness_range must be a pair {lo, hi} with lo <= hi, e.g. {0.8, 1.2}")
                }
                o.brightnessRange = a...b
            }
            o.rescale = try L.optionNumber(1, "rescale", fn)
            o.featurewiseCenter = try L.optionBool(1, "featurewise_center", fn) ?? false
            o.samplewiseCenter = try L.optionBool(1, "samplewise_center", fn) ?? false
            o.featurewiseStdNormalization = try L.optionBool(1, "featurewise_std_normalization", fn) ?? false
            o.samplewiseStdNormalization = try L.optionBool(1, "samplewise_std_normalization", fn) ?? false
            o.zcaWhitening = try L.optionBool(1, "zca_whitening", fn) ?? false
            o.zcaEpsilon = try L.optionNumber(1, "zca_epsilon", fn) ?? 1e-6
            L.push(transform: try augNaming(fn) { try ImageDataGenerator(o) })
            return 1
        }
    }
}
