import Foundation
import Testing

/// Runs every `Tests/lua/*_test.lua` through the built `moonlab`, one test case a file; a
/// failing file fails with its output.
@Suite struct LuaSuiteTests {
    static let folder = MoonlabBinary.root.appendingPathComponent("Tests/lua")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix("_test.lua") }.sorted()
    }

    @Test func thereAreLuaTests() {
        #expect(!Self.files.isEmpty, "no Lua test files in \(Self.folder.path)")
    }

    @Test(arguments: files) func luaFile(_ name: String) throws {
        let r = try MoonlabBinary.run([Self.folder.appendingPathComponent(name).path])
        #expect(r.status == 0 && r.reason == .exit,
                "\(name) exited with \(r.status)\n--- stdout\n\(r.stdout)\n--- stderr\n\(r.stderr)")
    }
}
