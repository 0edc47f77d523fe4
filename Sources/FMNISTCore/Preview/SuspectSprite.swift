/// Draws chosen images of a version in labelled bands (what `preview --from-audit` writes): one
/// band per group ("TRAIN", "TEST", "PAIRS"), the group's name in the legend column, images in
/// the given order, `perRow` to a row, each with a caption under it (e.g. "5/3": given label 5,
/// suggested 3; a near-duplicate pair is two neighbouring cells captioned with their labels).
///
/// ```swift
/// let sprite = SuspectSprite(perRow: 10).render(bands: [SuspectSprite.Band(name: "TEST", cells: cells)])
/// let png = PNGWriter.grayscale(width: sprite.width, height: sprite.height, pixels: sprite.pixels)
/// ```
public struct SuspectSprite: Sendable {
    /// One image and its caption.
    public struct Cell: Sendable {
        public let pixels: [UInt8]
        public let caption: String
        public init(pixels: [UInt8], caption: String) {
            self.pixels = pixels
            self.caption = caption
        }
    }

    /// A named group of cells.
    public struct Band: Sendable {
        public let name: String
        public let cells: [Cell]
        public init(name: String, cells: [Cell]) {
            self.name = name
            self.cells = cells
        }
    }

    /// Images per row.
    public let perRow: Int
    /// Image side in pixels.
    public let side: Int
    let gap = 2

    public init(perRow: Int, side: Int = 28) {
        self.perRow = max(1, perRow)
        self.side = side
    }

    /// The sprite's pixels (grey, row-major).
    public func render(bands: [Band]) -> (width: Int, height: Int, pixels: [UInt8]) {
        let bands = bands.filter { !$0.cells.isEmpty }
        let captionHeight = BitmapFont.height + 2
        let cellWidth = max(side, BitmapFont.width(of: "0/0")), cellHeight = side + captionHeight
        let left = SpriteRenderer(gap: gap).legendWidth(bands.map(\.name))
        let rowsPerBand = bands.map { ($0.cells.count + perRow - 1) / perRow }
        let width = left + gap + perRow * (cellWidth + gap)
        let height = gap + rowsPerBand.reduce(0, +) * (cellHeight + gap) + bands.count * gap
        var pixels = [UInt8](repeating: SpriteRenderer.background, count: width * height)
        var y = gap
        for (band, rows) in zip(bands, rowsPerBand) {
            BitmapFont.draw(band.name, into: &pixels, width: width, x: gap + 2, y: y + (side - BitmapFont.height) / 2)
            for (position, cell) in band.cells.enumerated() {
                let x0 = left + gap + (position % perRow) * (cellWidth + gap)
                let y0 = y + (position / perRow) * (cellHeight + gap)
                for r in 0..<side where (r + 1) * side <= cell.pixels.count {
                    for c in 0..<side { pixels[(y0 + r) * width + x0 + c] = cell.pixels[r * side + c] }
                }
                BitmapFont.draw(cell.caption, into: &pixels, width: width, x: x0, y: y0 + side + 2)
            }
            y += rows * (cellHeight + gap) + gap
        }
        return (width, height, pixels)
    }
}
