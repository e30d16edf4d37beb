import CMoonTiles

// F(4×4, 3×3) tile steps in C with AVX2 (CMoonTiles), taken by the tile steps of
// WinogradTiles.swift where the CPU has AVX2 and `Conv2DTuning.nativeTiles` is on. Same
// arguments, same numbers; images are staged in a scratch buffer with their padding.

enum NativeTiles {
    /// Whether this CPU runs the C tile steps.
    static let supported = moon_tiles43_supported() != 0

    /// Whether tiles of `Maps` take the C steps now.
    @inline(__always) static func active<Maps: TileMaps>(_: Maps.Type) -> Bool {
        Maps.self == Tiles43.self && Conv2DTuning.nativeTiles && supported
    }
}

extension WinogradPlan {
    var nativeGeometry: moon_tiles_geometry {
        moon_tiles_geometry(in_height: g.inHeight, in_width: g.inWidth, out_height: g.outHeight, out_width: g.outWidth,
                            pad_top: g.padTop, pad_left: g.padLeft, tiles_high: tilesHigh, tiles_wide: tilesWide)
    }

    /// Runs `body` with the geometry, the chunk's image count and a staging buffer for it.
    @inline(__always)
    func withNative(tiles: Int, _ body: (UnsafePointer<moon_tiles_geometry>, Int, UnsafeMutablePointer<Float>) -> Void) {
        var geometry = nativeGeometry
        let images = tiles / tilesPerImage
        Scratch.withBuffer(moon_tiles43_staging(&geometry, images)) { staging in body(&geometry, images, staging) }
    }
}
