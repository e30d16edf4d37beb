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
                L.push(transform: Compose(try L.list(1, of: "an aug transform") { L.transformOrNil($0) }))
                return 1
            }
            imageDataGenerator(m)
            m.transform(ZCA.self, "ZCA")
            m.function("preview", options: Preview.Options.self, doc: """
                Writes a PNG grid of the first n images (of a dataset or an N x C x H x W tensor, \
                1 or 3 channels) each beside its augmented copy (original left), cols pairs a row \
                (default: a square grid), pixels scaled up `scale` times. Images with values outside \
                [0, 1] are stretched from their own range. seed draws the augmentation from its own \
                generator; else from the global one. Written atomically (temp file, then rename).
                """, leading: ["ds | x", "transform", "path"], returns: "path") { L, o, _ in
                let x: Tensor
                if let ds = L.datasetOrNil(1) { x = try L.named { try ds.singleInput(L.fn) } }
                else if let t = L.tensorOrNil(1) { x = t }
                else { throw L.argumentError(1, "a dataset or an N x C x H x W tensor") }
                let t = try L.transform(2)
                let path = DataModule.expandTilde(try L.string(3))
                try L.named { try Preview.write(x, transform: t, to: path, o) }
                L.push(path)
                return 1
            }
        }
    }

    static func geometric(_ m: ModuleBuilder) {
        m.transform(RandomRotation.self, "RandomRotation")
        m.transform(RandomZoom.self, "RandomZoom")
        m.transform(RandomShear.self, "RandomShear")
        m.transform(RandomShift.self, "RandomShift")
        for (name, horizontal) in [("RandomHorizontalFlip", true), ("RandomVerticalFlip", false)] {
            m.function(name, "aug.\(name)([p=0.5])", """
                Mirrors each image \(horizontal ? "left-right" : "top-bottom") with probability p \
                (default 0.5), exactly (no resampling).
                """) { L in
                var p = 0.5
                if L.type(1) == .table {
                    try L.checkOptionKeys(1, ["p"])
                    p = try L.optionNumber(1, "p") ?? 0.5
                } else if !L.isNoneOrNil(1) {
                    p = try L.number(1)
                }
                L.push(transform: try L.named {
                    horizontal ? try RandomHorizontalFlip(p: p) as any Transform : try RandomVerticalFlip(p: p)
                })
                return 1
            }
        }
    }

    static func photometric(_ m: ModuleBuilder) {
        m.transform(ColorJitter.self, "ColorJitter")
        m.transform(Normalize.self, "Normalize")
    }

    static func imageDataGenerator(_ m: ModuleBuilder) {
        m.transform(ImageDataGenerator.self, "ImageDataGenerator")
    }
}

extension ModuleBuilder {
    /// `aug.<name>(...)` for a transform whose options are one declaration (`T.Config`).
    func transform<T: ConfigurableTransform>(_ type: T.Type, _ fname: String) {
        function(fname, options: T.Config.self, doc: T.summary) { L, config, _ in
            L.push(transform: try L.named { try T.make(config) })
            return 1
        }
    }
}
