import Foundation
import Testing
@testable import MoonEngine

@Suite struct FormatTests {
    @Test func matrixWithFooter() {
        #expect(T([[1, 2, 3], [4, 5, 6]]).description == " 1  2  3\n 4  5  6\n[tensor float32 of shape 2x3]")
        #expect(T([[1, -20], [300, 4]]).description == "   1  -20\n 300    4\n[tensor float32 of shape 2x2]")
        #expect(T([0.5, -1.25]).description == "  0.5000  -1.2500\n[tensor float32 of shape 2]")
        #expect(Tensor(3).description == "3\n[tensor float32 of shape scalar]")
        #expect(T([1e-6, 1]).description.hasPrefix(" 1.0000e-06  1.0000e+00"))
        #expect(T([Float.nan, 1]).description.hasPrefix(" nan    1"))
        #expect((try! Tensor.zeros([0, 3])).description == "[]\n[tensor float32 of shape 0x3]")
    }

    @Test func higherRanksPrintOneMatrixPerLeadingIndex() throws {
        let t = try Tensor.arange(0, 8).reshape([2, 2, 2])
        #expect(t.description == "(1,.,.) =\n 0  1\n 2  3\n\n(2,.,.) =\n 4  5\n 6  7\n[tensor float32 of shape 2x2x2]")
    }

    @Test func longTensorsAreElided() throws {
        let t = try Tensor.arange(0, 2000)
        #expect(t.format() == "    0     1     2   ...  1997  1998  1999\n[tensor float32 of shape 2000]")
        let m = try Tensor.arange(0, 10_000).reshape([100, 100])
        let lines = m.description.split(separator: "\n")
        #expect(lines.count == 8 && lines[3].trimmingCharacters(in: .whitespaces) == "...")
        #expect(lines.last == "[tensor float32 of shape 100x100]")
        #expect(try Tensor.arange(0, 12).format(maxElements: 100).contains("11"))
    }

    @Test func rowsWiderThanTheDisplayPrintInBlocksOfColumns() throws {
        let m = try Tensor.arange(0, 12).reshape([2, 6])
        #expect(m.format(columns: 12) == """
            Columns 1 to 2
              0   1
              6   7

            Columns 3 to 4
              2   3
              8   9

            Columns 5 to 6
              4   5
             10  11
            [tensor float32 of shape 2x6]
            """)
        #expect(try Tensor.arange(0, 5).format(columns: 12) == " 0  1  2\n 3  4\n[tensor float32 of shape 5]")
        #expect(m.format(columns: 200) == m.format(columns: nil))
    }

    @Test func aTensorThatRecordsGradientsSaysSo() {
        #expect(T([1, 2]).requiringGrad().description == " 1  2\n[tensor float32 of shape 2, requires grad]")
    }
}
