import MoonBase
import Foundation
import MoonEngine

/// A dataset from a folder of PNG images, one subfolder a class: `folder/<class>/*.png`.
/// Class names are the subfolder names sorted; label k is the k-th name.
public enum ImageFolder {
    public struct Options: Sendable {
        /// `{h, w}` to resize every image to (bilinear); nil: all images must share one size.
        public var size: (height: Int, width: Int)? = nil
        /// true: one gray channel; false: RGB; nil: RGB if any image is in colour, else gray.
        public var gray: Bool? = nil
        public init() {}
    }

    /// Reads every `.png` under `folder/<class>/` (files in sorted order within a class),
    /// decoding on every core. x is `{N, C, H, W}` in [0, 1]; y the class labels.
    public static func read(_ folder: String, options: Options = Options()) throws -> Dataset {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDir) else { throw DataError("\(folder): no such folder") }
        guard isDir.boolValue else { throw DataError("\(folder): is a file; data.images wants a folder of class folders (folder/<class>/*.png)") }
        let entries = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
        let classes = entries.filter { name in
            var d: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: folder + "/" + name, isDirectory: &d) && d.boolValue
        }.sorted()
        guard !classes.isEmpty else {
            throw DataError("\(folder): holds no class folders; data.images wants folder/<class>/*.png")
        }
        var files: [(path: String, label: Int)] = []
        for (k, c) in classes.enumerated() {
            let dir = folder + "/" + c
            let pngs = ((try? fm.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".png") }.sorted()
            guard !pngs.isEmpty else { throw DataError("\(dir): class folder '\(c)' holds no .png images") }
            files += pngs.map { (dir + "/" + $0, k) }
        }

        // Decode in parallel; each slot is written by one iteration.
        let mode: PNGReader.Mode = options.gray == true ? .gray : options.gray == false ? .rgb : .native
        let paths = files.map(\.path)
        var images = [Result<PNGReader.Image, Error>?](repeating: nil, count: files.count)
        images.withUnsafeMutableBufferPointer { out in
            let box = UncheckedSendable(out)
            DispatchQueue.concurrentPerform(iterations: files.count) { i in
                box.value[i] = Result { try PNGReader.read(paths[i], mode: mode) }
            }
        }
        var decoded: [PNGReader.Image] = []
        decoded.reserveCapacity(files.count)
        for r in images { decoded.append(try r!.get()) }

        let channels = decoded.contains { $0.channels == 3 } ? 3 : 1
        let (h, w): (Int, Int)
        if let size = options.size {
            guard size.height >= 1, size.width >= 1, size.height <= PNGReader.maxSide, size.width <= PNGReader.maxSide else {
                throw DataError("\(folder): size {\(size.height),\(size.width)} must be positive")
            }
            (h, w) = size
        } else {
            (h, w) = (decoded[0].height, decoded[0].width)
            if let k = decoded.firstIndex(where: { $0.height != h || $0.width != w }) {
                throw DataError("\(files[k].path) is \(decoded[k].height)x\(decoded[k].width) but \(files[0].path) is \(h)x\(w): give size={h, w} to resize them all")
            }
        }
        let plane = h * w, per = channels * plane
        let finished = decoded
        let x = try Tensor.make([files.count, channels, h, w], op: "data.images") { out in
            let box = UncheckedSendable(out.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: finished.count) { i in
                var img = finished[i]
                if img.channels == 1 && channels == 3 { img = grayToRGB(img) }
                let dst = box.value + i * per
                if img.height == h && img.width == w {
                    PNGReader.planar(img, into: dst)
                } else {
                    var src = [Float](repeating: 0, count: img.channels * img.height * img.width)
                    src.withUnsafeMutableBufferPointer { PNGReader.planar(img, into: $0.baseAddress!) }
                    src.withUnsafeBufferPointer {
                        Resize.bilinear($0.baseAddress!, channels: channels, height: img.height, width: img.width,
                                        into: dst, height: h, width: w)
                    }
                }
            }
        }
        let y = try Tensor(files.map { Float($0.label) }, shape: [files.count])
        return try Dataset(name: PathText.lastComponent(folder), x: x, y: y, classNames: classes)
    }

    static func grayToRGB(_ img: PNGReader.Image) -> PNGReader.Image {
        var px = [UInt8](repeating: 0, count: img.pixels.count * 3)
        for (i, v) in img.pixels.enumerated() { px[3 * i] = v; px[3 * i + 1] = v; px[3 * i + 2] = v }
        return PNGReader.Image(width: img.width, height: img.height, channels: 3, isColor: false, pixels: px)
    }
}

/// Image resampling.
public enum Resize {
    /// Bilinear resize of planar `channels x height x width` floats, with pixel centres
    /// aligned as in PyTorch's `align_corners=False` (and TensorFlow 2): output pixel i
    /// samples the input at `(i + 0.5) * in / out - 0.5`, clamped at the borders.
    public static func bilinear(_ src: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                into dst: UnsafeMutablePointer<Float>, height oh: Int, width ow: Int) {
        func taps(_ outSize: Int, _ inSize: Int) -> [(Int, Int, Float)] {
            let scale = Float(inSize) / Float(outSize)
            return (0..<outSize).map { i in
                let s = max(0, (Float(i) + 0.5) * scale - 0.5)
                let lo = min(Int(s), inSize - 1)
                let hi = min(lo + 1, inSize - 1)
                return (lo, hi, s - Float(lo))
            }
        }
        let ys = taps(oh, height), xs = taps(ow, width)
        for c in 0..<channels {
            let s = src + c * height * width, d = dst + c * oh * ow
            for (oy, (y0, y1, fy)) in ys.enumerated() {
                let r0 = s + y0 * width, r1 = s + y1 * width
                for (ox, (x0, x1, fx)) in xs.enumerated() {
                    let top = r0[x0] + (r0[x1] - r0[x0]) * fx
                    let bottom = r1[x0] + (r1[x1] - r1[x0]) * fx
                    d[oy * ow + ox] = top + (bottom - top) * fy
                }
            }
        }
    }
}
