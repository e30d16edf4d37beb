import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@preconcurrency import CZlib
@testable import MoonPlot

/// An element of a parsed SVG document.
final class Node {
    let name: String
    let attributes: [String: String]
    var children: [Node] = []
    var text = ""
    init(_ name: String, _ attributes: [String: String]) { self.name = name; self.attributes = attributes }

    /// Every descendant (and self) named `name`.
    func all(_ name: String) -> [Node] { (self.name == name ? [self] : []) + children.flatMap { $0.all(name) } }
    /// Descendants (and self) whose class attribute is `cls`.
    func classed(_ cls: String) -> [Node] {
        (attributes["class"] == cls ? [self] : []) + children.flatMap { $0.classed(cls) }
    }
    var texts: [String] { all("text").map(\.text) }
}

/// Parses XML with Foundation's XMLParser; fails the test on a parse error.
final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [Node] = [Node("#document", [:])]
    var error: Error?
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        let node = Node(name, attributes)
        stack.last!.children.append(node)
        stack.append(node)
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
    func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last!.text += string }
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

struct XMLError: Error { let message: String }

func parseSVG(_ text: String) throws -> Node {
    let parser = XMLParser(data: Data(text.utf8))
    let builder = TreeBuilder()
    parser.delegate = builder
    guard parser.parse(), builder.error == nil else { throw XMLError(message: "\(String(describing: builder.error ?? parser.parserError))") }
    guard let root = builder.stack.first?.children.first else { throw XMLError(message: "no root element") }
    return root
}

/// A decoded PNG: size, colour type, and RGB pixels (8-bit RGB images only).
struct DecodedPNG {
    var width = 0, height = 0, bitDepth = 0, colorType = 0
    var pixels: [UInt8] = []
    var chunkTypes: [String] = []
    func pixel(_ x: Int, _ y: Int) -> RGB { let i = 3 * (y * width + x); return RGB(pixels[i], pixels[i + 1], pixels[i + 2]) }
}

func readPNG(_ bytes: [UInt8]) throws -> DecodedPNG {
    guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw XMLError(message: "bad signature") }
    func be(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
    var png = DecodedPNG()
    var idat: [UInt8] = []
    var at = 8
    while at < bytes.count {
        let length = be(at)
        let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
        let data = Array(bytes[(at + 8)..<(at + 8 + length)])
        let typed = Array(bytes[(at + 4)..<(at + 8 + length)])
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        guard UInt32(be(at + 8 + length)) == UInt32(crc) else { throw XMLError(message: "bad CRC in \(type)") }
        png.chunkTypes.append(type)
        if type == "IHDR" {
            png.width = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
            png.height = Int(data[4]) << 24 | Int(data[5]) << 16 | Int(data[6]) << 8 | Int(data[7])
            png.bitDepth = Int(data[8]); png.colorType = Int(data[9])
        }
        if type == "IDAT" { idat += data }
        at += 12 + length
    }
    let stride = png.width * 3 + 1
    var raw = [UInt8](repeating: 0, count: stride * png.height)
    var size = uLongf(raw.count)
    guard uncompress(&raw, &size, idat, uLong(idat.count)) == Z_OK, Int(size) == raw.count else {
        throw XMLError(message: "IDAT does not inflate to \(raw.count) bytes")
    }
    for y in 0..<png.height {
        guard raw[y * stride] == 0 else { throw XMLError(message: "row \(y) uses filter \(raw[y * stride])") }
        png.pixels += raw[(y * stride + 1)..<((y + 1) * stride)]
    }
    return png
}

/// A fresh temporary folder.
func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "moonplot-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func message(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let e as PlotError { return e.description } catch { return "\(error)" }
}
