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

    /// Stride 1 with as many output as input columns: each column-matrix row is the source
    /// plane shifted by a constant offset, so rows copy (or add) as one contiguous block and
    /// only the columns that wrap around the image edge need fixing.
    var isShiftedPlane: Bool { strideH == 1 && strideW == 1 && outWidth == width }

    /// Output rows `y` whose source row `y − offsetTop + i·dilationH` lies in `0..<height`.
    @inline(__always)
    func validRows(_ i: Int) -> Range<Int> {
        let shift = offsetTop - i * dilationH
        let l = min(max(shift, 0), outHeight)
        return l..<min(max(height + shift, l), outHeight)
    }

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
    if grid.isShiftedPlane { return im2colShifted(grid, src: src, col: col, ldcol: ldcol) }
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

/// `im2col` for `PatchGrid.isShiftedPlane`: one block copy per row of the column matrix.
func im2colShifted(_ grid: PatchGrid, src: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>, ldcol: Int) {
    let w = grid.width, plane = grid.height * w, ow = grid.outWidth, n = grid.columns
    var row = 0
    for c in 0..<grid.channels {
        let srcPlane = src + c * plane
        for i in 0..<grid.kernelHeight {
            let ys = grid.validRows(i)
            for j in 0..<grid.kernelWidth {
                let d = col + row * ldcol
                row += 1
                let xs = grid.validColumns(j)
                if ys.isEmpty || xs.isEmpty { d.update(repeating: 0, count: n); continue }
                d.update(repeating: 0, count: ys.lowerBound * ow)
                // Source offset of output (y, x) is (y - offsetTop + i·dh)·w + x - offsetLeft + j·dw.
                let start = (ys.lowerBound - grid.offsetTop + i * grid.dilationH) * w - grid.offsetLeft + j * grid.dilationW
                let lo = max(start, 0), hi = min(start + ys.count * w, plane)
                let block = d + ys.lowerBound * ow
                if lo > start { block.update(repeating: 0, count: lo - start) }
                (block + (lo - start)).update(from: srcPlane + lo, count: hi - lo)
                if hi < start + ys.count * w { (block + (hi - start)).update(repeating: 0, count: start + ys.count * w - hi) }
                // Columns that wrapped around the left or right edge read the neighbouring row.
                if xs.lowerBound > 0 || xs.upperBound < ow {
                    for y in 0..<ys.count {
                        let r = block + y * ow
                        if xs.lowerBound > 0 { r.update(repeating: 0, count: xs.lowerBound) }
                        if xs.upperBound < ow { (r + xs.upperBound).update(repeating: 0, count: ow - xs.upperBound) }
                    }
                }
                (d + ys.upperBound * ow).update(repeating: 0, count: (grid.outHeight - ys.upperBound) * ow)
            }
        }
    }
}

/// `col2im` that may overwrite `col` (the conv kernels' own scratch): for
/// `PatchGrid.isShiftedPlane` it zeroes the wrapped columns of each row and then adds the
/// row onto the image as one contiguous block.
func col2imClobbering(_ grid: PatchGrid, col: UnsafeMutablePointer<Float>, ldcol: Int, dst: UnsafeMutablePointer<Float>) {
    guard grid.isShiftedPlane else { return col2im(grid, col: col, ldcol: ldcol, dst: dst) }
    let w = grid.width, plane = grid.height * w, ow = grid.outWidth
    var row = 0
    for c in 0..<grid.channels {
        let dstPlane = dst + c * plane
        for i in 0..<grid.kernelHeight {
            let ys = grid.validRows(i)
            for j in 0..<grid.kernelWidth {
                let s = col + row * ldcol
                row += 1
                let xs = grid.validColumns(j)
                if ys.isEmpty || xs.isEmpty { continue }
                let block = s + ys.lowerBound * ow
                if xs.lowerBound > 0 || xs.upperBound < ow {
                    for y in 0..<ys.count {
                        let r = block + y * ow
                        if xs.lowerBound > 0 { r.update(repeating: 0, count: xs.lowerBound) }
                        if xs.upperBound < ow { (r + xs.upperBound).update(repeating: 0, count: ow - xs.upperBound) }
                    }
                }
                let start = (ys.lowerBound - grid.offsetTop + i * grid.dilationH) * w - grid.offsetLeft + j * grid.dilationW
                let lo = max(start, 0), hi = min(start + ys.count * w, plane)
                if hi > lo { addBlock(block + (lo - start), into: dstPlane + lo, count: hi - lo) }
            }
        }
    }
}

/// `dst[0..<count] += src[0..<count]`. A plain loop (vectorized by the compiler), not
/// `cblas_saxpy`: outside a single-threaded section BLAS would wake its own threads, which
/// then spin and steal the cores from the next parallel kernel.
@inline(__always)
func addBlock(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
    for t in 0..<count { dst[t] += src[t] }
}
