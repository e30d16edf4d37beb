import CZlib

/// CRC-32 (zlib's, the checksum of gzip and PNG) of a byte range: model and checkpoint files
/// carry one of their tensor bytes, checked when they are read.
public enum Checksum {
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt = CZlib.crc32(0, nil, 0)
        var offset = 0
        // zlib takes a 32-bit length: feed large buffers in pieces.
        while offset < bytes.count {
            let n = Swift.min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), UInt32(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    public static func crc32Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let hex = String(crc32(bytes), radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
