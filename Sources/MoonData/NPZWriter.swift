import Foundation
import MoonEngine

/// Writing NumPy `.npz` archives, as `np.savez` does: a zip file of uncompressed (stored)
/// `NAME.npy` entries, each float32 (`<f4`) or int64 (`<i8`). `np.load` and `data.npz` read
/// them. Archives stay below 4 GiB (no zip64 records are written).
extension NPZArchive {
    /// One array to write: its entry name (without `.npy`), values and stored type.
    public typealias NamedArray = (name: String, values: Tensor, stored: NPYFormat.Stored)

    /// `{int64=}` of `data.save_npz`: which arrays of a table hold whole numbers (labels).
    public struct WriteOptions: MoonBase.Options {
        public var int64: [String] = []
        public init() {}
        public static var fields: [OptionField<WriteOptions>] {
            [OptionField("int64", \.int64, "names of arrays stored as int64 (every value must be a whole number); a dataset's labels are int64 whenever they are whole numbers")]
        }
    }

    /// The arrays of a table of named tensors (sorted by name): float32, but int64 for the
    /// names `options.int64` lists.
    public static func arrays(_ named: [(name: String, values: Tensor)], _ options: WriteOptions) throws -> [NamedArray] {
        let names = Set(named.map(\.name))
        if let unknown = options.int64.first(where: { !names.contains($0) }) {
            throw DataError("option 'int64' names '\(unknown)', which is not among the arrays (\(named.map(\.name).sorted().joined(separator: ", ")))")
        }
        return named.sorted { $0.name < $1.name }.map { ($0.name, $0.values, options.int64.contains($0.name) ? .int64 : .float32) }
    }

    /// The arrays that make `ds` again through `data.npz(path, {x="x", y="y"})`: `x`
    /// (float32), and `y`, or each named target under its name; labels of whole numbers are
    /// int64, as NumPy keeps them.
    public static func arrays(_ ds: Dataset) throws -> [NamedArray] {
        let x = try ds.singleInput("data.save_npz")
        var out: [NamedArray] = [("x", x, .float32)]
        let targets = ds.targets.names.map { zip($0, ds.targets.tensors).map { ($0, $1) } } ?? [("y", ds.targets.tensors[0])]
        for (name, t) in targets {
            out.append((name, t, try NPYFormat.holdsWholeNumbers(t) ? .int64 : .float32))
        }
        return out
    }

    /// Writes `arrays` as an `.npz` archive, atomically.
    public static func write(_ arrays: [NamedArray], to path: String) throws {
        var seen = Set<String>()
        for a in arrays where a.name.isEmpty || !seen.insert(a.name).inserted {
            throw DataError("\(path): array name '\(a.name)' is empty or repeated")
        }
        try AtomicFile.write(to: path) { fd in
            var directory: [UInt8] = []
            var offset = 0
            for a in arrays {
                let data = try NPYFormat.encode(a.values, as: a.stored, name: "\(path): array '\(a.name)'")
                let name = Array((a.name + ".npy").utf8)
                guard data.count < 0xFFFF_FFFF, offset < 0xFFFF_FFFF, name.count <= 0xFFFF else {
                    throw DataError("\(path): the archive would pass 4 GiB at array '\(a.name)', beyond what moonlab writes (zip without zip64)")
                }
                let crc = data.withUnsafeBytes { Checksum.crc32($0) }
                // Version 2.0, no flags, stored, time 00:00 of 1980-01-01 (zip's epoch).
                let common = le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc)
                    + le32(data.count) + le32(data.count) + le16(name.count) + le16(0)
                let local = le32(0x0403_4B50) + common + name
                directory += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
                try AtomicFile.writeAll(fd, local, path: path)
                try AtomicFile.writeAll(fd, data, path: path)
                offset += local.count + data.count
            }
            guard offset < 0xFFFF_FFFF, arrays.count < 0xFFFF else {
                throw DataError("\(path): the archive would pass 4 GiB or 65535 arrays, beyond what moonlab writes (zip without zip64)")
            }
            let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(arrays.count) + le16(arrays.count)
                + le32(directory.count) + le32(offset) + le16(0)
            try AtomicFile.writeAll(fd, directory + end, path: path)
        }
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
    static func le32(_ v: UInt32) -> [UInt8] { le32(Int(v)) }
}
