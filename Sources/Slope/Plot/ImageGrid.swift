/// A grid of labelled image tiles drawn into one RGB picture (fastai's `show_batch` and
/// `plot_top_losses`): each tile is an image scaled up by a whole factor, with lines of text
/// under it in ``PixelFont``.
///
/// ```swift
/// var grid = ImageGrid(columns: 3, tileWidth: 28, tileHeight: 28, labelLines: 2)
/// let picture = grid.render([(pixels, 1, ["bag", "0.93"])])
/// try ImageFile.writePNG(picture, path: "grid.png")
/// ```
public struct ImageGrid: Sendable {
    /// Tiles per row.
    public let columns: Int
    /// The images' width in pixels.
    public let tileWidth: Int
    /// The images' height in pixels.
    public let tileHeight: Int
    /// Text lines under each tile.
    public let labelLines: Int
    /// The whole factor each image is scaled up by (so a tile is at least about 96 pixels wide).
    public let zoom: Int
    /// Space around each tile, in pixels.
    public let padding = 4

    /// A grid layout.
    ///
    /// - Parameters:
    ///   - columns: tiles per row (at least 1).
    ///   - tileWidth: the images' width.
    ///   - tileHeight: the images' height.
    ///   - labelLines: text lines under each tile.
    public init(columns: Int, tileWidth: Int, tileHeight: Int, labelLines: Int) {
        require(columns >= 1 && tileWidth >= 1 && tileHeight >= 1 && labelLines >= 0, "ImageGrid: sizes must be positive")
        self.columns = columns
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.labelLines = labelLines
        zoom = Swift.max(1, Swift.min(8, 96 / tileWidth))
    }

    /// The width of one cell: the scaled image and padding on both sides.
    public var cellWidth: Int { tileWidth * zoom + 2 * padding }
    /// The height of one cell: the scaled image, its label lines and padding.
    public var cellHeight: Int { tileHeight * zoom + labelLines * (PixelFont.glyphHeight + 3) + 2 * padding }

    /// The picture's size for `count` tiles: `columns` cells wide (fewer for fewer tiles), `⌈count / columns⌉` cells high.
    ///
    /// - Parameter count: the number of tiles.
    /// - Returns: width and height in pixels.
    public func size(for count: Int) -> (width: Int, height: Int) {
        let across = Swift.max(1, Swift.min(columns, count))
        let rows = Swift.max(1, (count + columns - 1) / columns)
        return (across * cellWidth, rows * cellHeight)
    }

    /// Draws the tiles: each `pixels` a `[channels, tileHeight, tileWidth]` image with values in
    /// [0, 1] (1 or 3 channels), and its text lines (cut to the cell's width).
    ///
    /// - Parameter tiles: the images, their channel counts and their labels, in reading order.
    /// - Returns: an RGB picture on white.
    public func render(_ tiles: [(pixels: [Float], channels: Int, lines: [String])]) -> DecodedImage {
        let (width, height) = size(for: tiles.count)
        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        let plane = tileWidth * tileHeight
        for (index, tile) in tiles.enumerated() {
            require(tile.pixels.count == tile.channels * plane && (tile.channels == 1 || tile.channels == 3),
                    "ImageGrid.render: tile \(index) has \(tile.pixels.count) values, expected \(plane) or \(3 * plane)")
            let left = (index % columns) * cellWidth + padding, top = (index / columns) * cellHeight + padding
            for y in 0..<(tileHeight * zoom) {
                for x in 0..<(tileWidth * zoom) {
                    let source = (y / zoom) * tileWidth + x / zoom
                    let target = ((top + y) * width + left + x) * 3
                    for c in 0..<3 {
                        let value = tile.pixels[(tile.channels == 1 ? 0 : c) * plane + source]
                        rgb[target + c] = UInt8(Swift.max(0, Swift.min(255, (value * 255).rounded())))
                    }
                }
            }
            let maxCharacters = Swift.max(1, (cellWidth - 2) / PixelFont.advance)
            for (line, text) in tile.lines.prefix(labelLines).enumerated() {
                let shown = text.count > maxCharacters ? String(text.prefix(maxCharacters - 1)) + "." : text
                let y = top + tileHeight * zoom + 3 + line * (PixelFont.glyphHeight + 3)
                draw(shown, x: left - padding + 1, y: y, into: &rgb, width: width)
            }
        }
        return DecodedImage(width: width, height: height, channels: 3, pixels: rgb)
    }

    /// Draws `text` in black with its top-left corner at (`x`, `y`).
    private func draw(_ text: String, x: Int, y: Int, into rgb: inout [UInt8], width: Int) {
        let height = rgb.count / (3 * width)
        for (position, character) in text.enumerated() {
            let rows = PixelFont.rows(of: character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<PixelFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    let px = x + position * PixelFont.advance + column, py = y + row
                    guard px >= 0, px < width, py >= 0, py < height else { continue }
                    let offset = (py * width + px) * 3
                    rgb[offset] = 0
                    rgb[offset + 1] = 0
                    rgb[offset + 2] = 0
                }
            }
        }
    }
}
