import Foundation
import CZlib
import MoonEngine

/// Reads IDX files (the format of MNIST and Fashion-MNIST), gzip-compressed or raw.
///
/// An IDX file is a big-endian header, `00 00 <dtype> <ndims>` followed by `ndims` 32-bit
/// sizes, then exactly `prod(sizes)` values of the dtype, row-major. zlib's `gzread` reads
/// `.gz` and plain files alike. Every fault (unreadable file, corrupt gzip data, wrong magic,
/// unknown dtype, zero or huge dims, a payload shorter or longer than the header promises)
/// is a thrown `DataError` naming the file and the fault; nothing here traps.
public enum IDXReader {
    /// The value types an IDX file can hold (the third magic byte).
    public enum DType: UInt8, Sendable, CaseIterable {
        case ubyte = 0x08, byte = 0x09, short = 0x0B, int = 0x0C, float = 0x0D, double = 0x0E

        /// Bytes per value.
        public var size: Int {
            switch self {
            case .ubyte, .byte: return 1
            case .short: return 2
            case .int, .float: return 4
            case .double: return 8
            }
        }

        public var name: String {
            switch self {
            case .ubyte: return "unsigned byte"
            case .byte: return "signed byte"
            case .short: return "short"
            case .int: return "int"
            case .float: return "float"
            case .double: return "double"
            }
        }
    }

    /// The decoded header of an IDX file.
    public struct Header: Sendable, Equatable {
        public let dtype: DType
        public let dims: [Int]
        /// Number of values the payload must hold.
        public var count: Int { dims.reduce(1, *) }
        /// Bytes the payload must hold.
        public var payloadBytes: Int { count * dtype.size }
    }

    /// Largest payload accepted (4 GiB): a header claiming more is treated as corrupt.
    public static let maxPayloadBytes = 1 << 32
    /// Largest number of dims accepted in a header.
    public static let maxDims = 8

    /// Reads an IDX file into a float tensor of the shape its header gives; unsigned bytes
    /// are multiplied by `byteScale` (1: values 0...255 as stored; 1/255: into [0, 1]).
    public static func read(_ path: String, byteScale: Float = 1) throws -> (header: Header, values: Tensor) {
        let (header, bytes) = try readBytes(path)
        defer { free(bytes.baseAddress) }
        let values = try convert(bytes, header, byteScale: byteScale, path: path)
        return (header, values)
    }

    /// Reads an image file: unsigned bytes scaled into [0, 1], other dtypes as stored.
    /// Sizes {N, H, W} become {N, 1, H, W} (one channel); {N, F} and {N, C, H, W} are kept.
    public static func readImages(_ path: String) throws -> Tensor {
        let (header, values) = try read(path, byteScale: 1 / 255)
        switch header.dims.count {
        case 2, 4: return values
        case 3: return try values.view([header.dims[0], 1, header.dims[1], header.dims[2]])
        default:
            throw DataError("\(path): an image file needs 2, 3 or 4 dims (N, H, W), got \(header.dims.count) (sizes \(shapeText(header.dims)))")
        }
    }

    /// Reads a label file: a 1-d IDX file of N values, as floats (class ids 0..K-1 as stored).
    public static func readLabels(_ path: String) throws -> Tensor {
        let (header, values) = try read(path)
        guard header.dims.count == 1 else {
            throw DataError("\(path): a label file needs 1 dim (N), got \(header.dims.count) (sizes \(shapeText(header.dims)))")
        }
        return values
    }

    /// Reads a pair of image and label files that must describe the same number of samples.
    public static func readPair(images: String, labels: String) throws -> (x: Tensor, y: Tensor) {
        let x = try readImages(images)
        let y = try readLabels(labels)
        guard x.shape[0] == y.shape[0] else {
            throw DataError("\(images) holds \(x.shape[0]) images but \(labels) holds \(y.shape[0]) labels: the counts must agree")
        }
        return (x, y)
    }

    // MARK: reading

    /// Opens, validates and reads the whole payload; the caller frees the bytes (`free`).
    static func readBytes(_ path: String) throws -> (Header, UnsafeMutableRawBufferPointer) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DataError("\(path): no such file")
        }
        if isDir.boolValue { throw DataError("\(path): is a folder, not an IDX file") }
        guard let file = gzopen(path, "rb") else {
            throw DataError("\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { gzclose_r(file) }
        // A large buffer lets zlib inflate in big steps (the default is 8 KiB).
        gzbuffer(file, 1 << 20)

        var magic = [UInt8](repeating: 0, count: 4)
        let got = try read(file, into: &magic, path: path)
        guard got == 4 else {
            throw DataError("\(path): not an IDX file: \(got) bytes, too short for the 4-byte magic number")
        }
        guard magic[0] == 0, magic[1] == 0 else {
            throw DataError("\(path): not an IDX file: magic number \(hex(magic)) must start with 00 00")
        }
        guard let dtype = DType(rawValue: magic[2]) else {
            throw DataError("\(path): unknown IDX data type 0x\(String(format: "%02x", magic[2])) in magic number \(hex(magic)) (known: \(DType.allCases.map { String(format: "0x%02x %@", $0.rawValue, $0.name) }.joined(separator: ", ")))")
        }
        let ndims = Int(magic[3])
        guard ndims >= 1 && ndims <= maxDims else {
            throw DataError("\(path): IDX magic number \(hex(magic)) gives \(ndims) dims (valid: 1...\(maxDims))")
        }
        var sizeBytes = [UInt8](repeating: 0, count: 4 * ndims)
        let gotDims = try read(file, into: &sizeBytes, path: path)
        guard gotDims == sizeBytes.count else {
            throw DataError("\(path): truncated header: \(ndims) dims need \(4 * ndims) bytes of sizes, found \(gotDims)")
        }
        var dims: [Int] = []
        for d in 0..<ndims {
            let b = sizeBytes[4 * d..<4 * d + 4].map { UInt32($0) }
            dims.append(Int(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]))
        }
        if let z = dims.firstIndex(of: 0) {
            throw DataError("\(path): IDX dim \(z + 1) has size 0 (sizes \(shapeText(dims)))")
        }
        var total = dtype.size
        for d in dims {
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maxPayloadBytes else {
                throw DataError("\(path): IDX sizes \(shapeText(dims)) of \(dtype.name)s claim more than \(maxPayloadBytes >> 30) GiB: a corrupt header")
            }
            total = p
        }
        let header = Header(dtype: dtype, dims: dims)

        // A raw file's size is known: check it before allocating what the header claims.
        let headerBytes = 4 + 4 * ndims
        if gzdirect(file) != 0, let size = fileSize(path) {
            let have = size - headerBytes
            if have < total { throw truncated(path, header, holds: have) }
            if have > total { throw trailing(path, header, "\(have - total)") }
        }

        // Grow the buffer as data arrives, so a corrupt header claiming gigabytes costs
        // nothing before the short payload shows it up; real files take one read.
        var capacity = min(max(total, 1), 1 << 26)
        guard var buffer = malloc(capacity) else {
            throw DataError("\(path): cannot allocate \(capacity) bytes: out of memory")
        }
        do {
            var n = 0
            while n < total {
                if n == capacity {
                    capacity = min(total, 2 * capacity)
                    guard let grown = realloc(buffer, capacity) else {
                        throw DataError("\(path): cannot allocate \(capacity) bytes: out of memory")
                    }
                    buffer = grown
                }
                let wanted = capacity - n
                let got = try readFully(file, buffer + n, wanted, path: path)
                n += got
                if got < wanted { break }   // the end of the data
            }
            if n < total { throw truncated(path, header, holds: n) }
            var extra = [UInt8](repeating: 0, count: 1 << 16)
            var trailing = 0
            while trailing <= 1 << 20 {
                let m = try read(file, into: &extra, path: path)
                if m == 0 { break }
                trailing += m
            }
            if trailing > 0 {
                throw self.trailing(path, header, trailing > 1 << 20 ? "more than 1 MiB of" : "\(trailing)")
            }
        } catch {
            free(buffer)
            throw error
        }
        let bytes = UnsafeMutableRawBufferPointer(start: buffer, count: total)
        return (header, bytes)
    }

    static func truncated(_ path: String, _ h: Header, holds: Int) -> DataError {
        DataError("\(path): truncated: the header \(shapeText(h.dims)) of \(h.dtype.name)s needs \(h.payloadBytes) payload bytes, the file holds \(holds)")
    }

    static func trailing(_ path: String, _ h: Header, _ amount: String) -> DataError {
        DataError("\(path): \(amount) trailing bytes after the \(h.payloadBytes)-byte payload that the header \(shapeText(h.dims)) of \(h.dtype.name)s describes")
    }

    /// Reads up to `count` bytes into `buffer`; returns how many came (fewer only at the end).
    static func read(_ file: gzFile, into buffer: inout [UInt8], path: String) throws -> Int {
        try buffer.withUnsafeMutableBytes { try readFully(file, $0.baseAddress!, $0.count, path: path) }
    }

    static func readFully(_ file: gzFile, _ dst: UnsafeMutableRawPointer, _ count: Int, path: String) throws -> Int {
        var done = 0
        while done < count {
            // gzread takes an unsigned int count: read in steps below 2 GiB.
            let step = UInt32(min(count - done, 1 << 30))
            let n = gzread(file, dst + done, step)
            if n < 0 { throw gzipError(file, path) }
            if n == 0 { break }
            done += Int(n)
        }
        // A gzip stream that ends early reports Z_BUF_ERROR ("unexpected end of file").
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code == Z_BUF_ERROR {
            throw DataError("\(path): truncated gzip data (zlib: unexpected end of file)")
        }
        if code != Z_OK { throw gzipError(file, path) }
        return done
    }

    static func gzipError(_ file: gzFile, _ path: String) -> DataError {
        var code: Int32 = 0
        let msg = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
        return DataError("\(path): corrupt gzip data (zlib: \(msg.isEmpty ? "error \(code)" : msg))")
    }

    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    // MARK: conversion

    /// Converts the payload to floats, big-endian to native, on every core for large files.
    static func convert(_ bytes: UnsafeMutableRawBufferPointer, _ header: Header, byteScale: Float,
                        path: String) throws -> Tensor {
        let n = header.count
        let t: Tensor
        do {
            t = try Tensor.make(header.dims, op: "IDX \(path)") { _ in }
        } catch let e as TensorError {
            throw DataError("\(path): \(e.message)")
        }
        try t.withUnsafeMutableBufferPointer { out in
            let dst = out.baseAddress!
            let src = UnsafeRawPointer(bytes.baseAddress!)
            let dtype = header.dtype
            parallelChunks(n) { range in
                convertRange(src, dst, range, dtype, byteScale)
            }
        }
        // Non-finite floats would poison training silently: report them.
        if header.dtype == .float || header.dtype == .double {
            let bad = try t.withUnsafeMutableBufferPointer { $0.firstIndex { !$0.isFinite } }
            if let bad {
                throw DataError("\(path): value \(bad + 1) of the payload is not finite")
            }
        }
        return t
    }

    @inline(__always)
    static func convertRange(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ r: Range<Int>,
                             _ dtype: DType, _ byteScale: Float) {
        switch dtype {
        case .ubyte:
            let s = src.assumingMemoryBound(to: UInt8.self)
            if byteScale == 1 {
                for i in r { dst[i] = Float(s[i]) }
            } else {
                for i in r { dst[i] = Float(s[i]) * byteScale }
            }
        case .byte:
            let s = src.assumingMemoryBound(to: Int8.self)
            for i in r { dst[i] = Float(s[i]) }
        case .short:
            for i in r { dst[i] = Float(Int16(bigEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .int:
            for i in r { dst[i] = Float(Int32(bigEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .float:
            for i in r {
                dst[i] = Float(bitPattern: UInt32(bigEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .double:
            for i in r {
                dst[i] = Float(Double(bitPattern: UInt64(bigEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        }
    }
}

/// Runs `body` over `0..<total` in contiguous chunks, one a core, when the work is large.
func parallelChunks(_ total: Int, minPerChunk: Int = 1 << 20, _ body: (Range<Int>) -> Void) {
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let chunks = min(cores, max(1, total / minPerChunk))
    if chunks <= 1 { body(0..<total); return }
    let per = (total + chunks - 1) / chunks
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per, hi = min(total, lo + per)
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// Carries a closure into `concurrentPerform`; callers write disjoint ranges.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined(separator: " ") }
