import Foundation

/// Draws a sprite of samples grouped by class, like the picture in the Fashion-MNIST README:
/// `rowsPerClass` rows of `perClass` images for each class, optionally with the class names
/// drawn in a legend column on the left.
public struct SpriteRenderer: Sendable {
    /// Pixels of padding between images.
    public let gap: Int
    /// The background grey.
    public static let background: UInt8 = 40

    public init(gap: Int = 2) {
        self.gap = gap
    }

    /// The width of the legend column for these names (0 without a legend).
    public func legendWidth(_ names: [String]?) -> Int {
        guard let names, !names.isEmpty else { return 0 }
        return BitmapFont.width(of: names.max { BitmapFont.width(of: $0) < BitmapFont.width(of: $1) } ?? "") + 2 * gap + 4
    }

    /// The sprite's size for `classes` bands of `rowsPerClass` rows of `perClass` images of `rows`×`columns`.
    public func size(classes: Int, perClass: Int, rowsPerClass: Int = 1, rows: Int, columns: Int, legend: [String]? = nil) -> (width: Int, height: Int) {
        (legendWidth(legend) + gap + perClass * (columns + gap), gap + classes * rowsPerClass * (rows + gap))
    }

    /// Renders the first `perClass × rowsPerClass` images of each class (in file order) as
    /// grayscale pixels; with `legend` (one name per class), each band is labelled on the left.
    public func render(
        images: [UInt8], labels: [UInt8], rows: Int, columns: Int, classes: Int, perClass: Int, rowsPerClass: Int = 1,
        legend: [String]? = nil
    ) -> (width: Int, height: Int, pixels: [UInt8]) {
        let (width, height) = size(classes: classes, perClass: perClass, rowsPerClass: rowsPerClass, rows: rows, columns: columns, legend: legend)
        var pixels = [UInt8](repeating: Self.background, count: width * height)
        let left = legendWidth(legend)
        let wanted = perClass * rowsPerClass
        var placed = [Int](repeating: 0, count: classes)
        let imageSize = rows * columns
        for (index, label) in labels.enumerated() {
            let cls = Int(label)
            guard cls < classes, placed[cls] < wanted, (index + 1) * imageSize <= images.count else { continue }
            let x0 = left + gap + (placed[cls] % perClass) * (columns + gap)
            let y0 = gap + (cls * rowsPerClass + placed[cls] / perClass) * (rows + gap)
            for r in 0..<rows {
                let source = index * imageSize + r * columns
                let target = (y0 + r) * width + x0
                for c in 0..<columns { pixels[target + c] = images[source + c] }
            }
            placed[cls] += 1
            if placed.allSatisfy({ $0 >= wanted }) { break }
        }
        if let legend {
            let band = rowsPerClass * (rows + gap)
            for (cls, name) in legend.prefix(classes).enumerated() {
                let y = gap + cls * band + max(0, (band - gap - BitmapFont.height) / 2)
                BitmapFont.draw(name, into: &pixels, width: width, x: gap + 2, y: y)
            }
        }
        return (width, height, pixels)
    }
}

/// A tiny built-in font for the sprite's legend: 3×5 glyphs (upper case, digits, a few signs)
/// drawn at twice their size. Lower case is drawn as upper case; other characters as "?".
public enum BitmapFont {
    static let scale = 2
    /// Pixel height of a line of text.
    public static let height = 5 * scale
    /// Pixels one character advances (glyph plus spacing).
    static let advance = 4 * scale

    /// Each glyph: five rows of three columns, "#" drawn.
    static let glyphs: [Character: [String]] = [
        "A": [".#.", "#.#", "###", "#.#", "#.#"], "B": ["##.", "#.#", "##.", "#.#", "##."],
        "C": [".##", "#..", "#..", "#..", ".##"], "D": ["##.", "#.#", "#.#", "#.#", "##."],
        "E": ["###", "#..", "##.", "#..", "###"], "F": ["###", "#..", "##.", "#..", "#.."],
        "G": [".##", "#..", "#.#", "#.#", ".##"], "H": ["#.#", "#.#", "###", "#.#", "#.#"],
        "I": ["###", ".#.", ".#.", ".#.", "###"], "J": ["..#", "..#", "..#", "#.#", ".#."],
        "K": ["#.#", "#.#", "##.", "#.#", "#.#"], "L": ["#..", "#..", "#..", "#..", "###"],
        "M": ["#.#", "###", "###", "#.#", "#.#"], "N": ["##.", "#.#", "#.#", "#.#", "#.#"],
        "O": [".#.", "#.#", "#.#", "#.#", ".#."], "P": ["##.", "#.#", "##.", "#..", "#.."],
        "Q": [".#.", "#.#", "#.#", "##.", ".##"], "R": ["##.", "#.#", "##.", "#.#", "#.#"],
        "S": [".##", "#..", ".#.", "..#", "##."], "T": ["###", ".#.", ".#.", ".#.", ".#."],
        "U": ["#.#", "#.#", "#.#", "#.#", "###"], "V": ["#.#", "#.#", "#.#", "#.#", ".#."],
        "W": ["#.#", "#.#", "###", "###", "#.#"], "X": ["#.#", "#.#", ".#.", "#.#", "#.#"],
        "Y": ["#.#", "#.#", ".#.", ".#.", ".#."], "Z": ["###", "..#", ".#.", "#..", "###"],
        "0": ["###", "#.#", "#.#", "#.#", "###"], "1": [".#.", "##.", ".#.", ".#.", "###"],
        "2": ["##.", "..#", ".#.", "#..", "###"], "3": ["##.", "..#", ".#.", "..#", "##."],
        "4": ["#.#", "#.#", "###", "..#", "..#"], "5": ["###", "#..", "##.", "..#", "##."],
        "6": [".##", "#..", "###", "#.#", "###"], "7": ["###", "..#", ".#.", ".#.", ".#."],
        "8": ["###", "#.#", "###", "#.#", "###"], "9": ["###", "#.#", "###", "..#", "##."],
        "-": ["...", "...", "###", "...", "..."], "/": ["..#", "..#", ".#.", "#..", "#.."],
        ".": ["...", "...", "...", "...", ".#."], " ": ["...", "...", "...", "...", "..."],
        "?": ["###", "..#", ".#.", "...", ".#."],
    ]

    /// The glyph drawn for `character`.
    static func glyph(_ character: Character) -> [String] {
        glyphs[Character(character.uppercased())] ?? glyphs["?"]!
    }

    /// Pixel width of `text`.
    public static func width(of text: String) -> Int { max(0, text.count * advance - scale) }

    /// Draws `text` in white with its top-left corner at (`x`, `y`), clipped to the image.
    public static func draw(_ text: String, into pixels: inout [UInt8], width: Int, x: Int, y: Int, value: UInt8 = 255) {
        let height = pixels.count / max(width, 1)
        for (index, character) in text.enumerated() {
            for (row, bits) in glyph(character).enumerated() {
                for (column, bit) in bits.enumerated() where bit == "#" {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = x + index * advance + column * scale + dx, py = y + row * scale + dy
                            if px >= 0, px < width, py >= 0, py < height { pixels[py * width + px] = value }
                        }
                    }
                }
            }
        }
    }
}
