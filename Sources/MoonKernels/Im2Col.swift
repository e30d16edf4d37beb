/// Where a convolution's windows fall on one image: the source planes, the window (kernel,
/// stride, dilation) and the offset of the first window (the top/left padding; negative
/// values start inside the image), and the grid of output positions.
///
/// The column matrix has `channels · kernelHeight · kernelWidth` rows, ordered `(c, i, j)`,
/// and `outHeight · outWidth` columns: row `(c,i,j)`, column `(y,x)` holds
/// `src[c, y·strideH − offsetTop + i·dilationH, x·strideW − offsetLeft + j·dilationW]`,
/// or zero outside the image.
public struct PatchGrid: Equatable, Sendable {
    public var channels: Int, height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideH: Int, strideW: Int, dilationH: Int, dilationW: Int
    public var offsetTop: Int, offsetLeft: Int
    public var outHeight: Int, outWidth: Int

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideH: Int, strideW: Int, dilationH: Int, dilationW: Int,
                offsetTop: Int, offsetLeft: Int, outHeight: Int, outWidth: Int) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
        self.offsetTop = offsetTop; self.offsetLeft = offsetLeft
        self.outHeight = outHeight; self.outWidth = outWidth
    }

    /// Rows of the column matrix.
    public var rows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix (output positions).
    public var columns: Int { outHeight * outWidth }

    /// Output columns `x` whose source column `x·strideW − offsetLeft + j·dilationW` lies in
    /// `0..<width`, for kernel column `j`.
    @inline(__always)
    func validColumns(_ j: Int) -> Range<Int> {
        let shift = offsetLeft - j * dilationW          // x·s >= shift  and  x·s < width + shift
        let lo = shift <= 0 ? 0 : (shift + strideW - 1) / strideW
        let limit = width + shift                        // x·s < limit
        let hi = limit <= 0 ? 0 : (limit + strideW - 1) / strideW
        let l = min(lo, outWidth), h = min(max(hi, l), outWidth)
        return l..<h
    }
}

/// Unfolds one image `src` (`channels x height x width`) into the column matrix `col`
/// (`grid.rows x grid.columns`, row stride `ldcol >= grid.columns`), zero-filling positions
/// that fall in the padding.
public func im2col(_ grid: PatchGrid, src: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>, ldcol: Int) {
    let ow = grid.outWidth, plane = grid.height * grid.width
    var row = 0
    for c in 0..<grid.channels {
        let srcPlane = src + c * plane
        for i in 0..<grid.kernelHeight {
            for j in 0..<grid.kernelWidth {
                let dstRow = col + row * ldcol
                row += 1
                let xs = grid.validColumns(j)
                let x0 = xs.lowerBound * grid.strideW - grid.offsetLeft + j * grid.dilationW
                for y in 0..<grid.outHeight {
                    let d = dstRow + y * ow
                    let iy = y * grid.strideH - grid.offsetTop + i * grid.dilationH
                    if iy < 0 || iy >= grid.height || xs.isEmpty {
                        d.update(repeating: 0, count: ow)
                        continue
                    }
                    if xs.lowerBound > 0 { d.update(repeating: 0, count: xs.lowerBound) }
                    let s = srcPlane + iy * grid.width + x0
                    if grid.strideW == 1 {
                        (d + xs.lowerBound).update(from: s, count: xs.count)
                    } else {
                        let sw = grid.strideW
                        var t = 0
                        for x in xs { d[x] = s[t]; t += sw }
                    }
                    if xs.upperBound < ow { (d + xs.upperBound).update(repeating: 0, count: ow - xs.upperBound) }
                }
            }
        }
    }
}

/// Folds a column matrix back onto an image: for every window position adds
/// `col[(c,i,j), (y,x)]` into the source pixel it was read from (padding positions are
/// dropped). `dst` (`channels x height x width`) is accumulated into, not cleared.
public func col2im(_ grid: PatchGrid, col: UnsafePointer<Float>, ldcol: Int, dst: UnsafeMutablePointer<Float>) {
    let ow = grid.outWidth, plane = grid.height * grid.width
    var row = 0
    for c in 0..<grid.channels {
        let dstPlane = dst + c * plane
        for i in 0..<grid.kernelHeight {
            for j in 0..<grid.kernelWidth {
                let srcRow = col + row * ldcol
                row += 1
                let xs = grid.validColumns(j)
                if xs.isEmpty { continue }
                let x0 = xs.lowerBound * grid.strideW - grid.offsetLeft + j * grid.dilationW
                for y in 0..<grid.outHeight {
                    let iy = y * grid.strideH - grid.offsetTop + i * grid.dilationH
                    if iy < 0 || iy >= grid.height { continue }
                    let s = srcRow + y * ow + xs.lowerBound
                    let d = dstPlane + iy * grid.width + x0
                    if grid.strideW == 1 {
                        for t in 0..<xs.count { d[t] += s[t] }
                    } else {
                        let sw = grid.strideW
                        for t in 0..<xs.count { d[t * sw] += s[t] }
                    }
                }
            }
        }
    }
}
