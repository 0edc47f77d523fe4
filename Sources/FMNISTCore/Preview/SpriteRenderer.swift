import Foundation

/// Draws a sprite of samples grouped by class: one row per class, `perClass` images per row,
/// like the picture in the Fashion-MNIST README.
public struct SpriteRenderer: Sendable {
    /// Pixels of padding between images.
    public let gap: Int

    public init(gap: Int = 2) {
        self.gap = gap
    }

    /// The sprite's size for `classes` rows of `perClass` images of `rows`×`columns`.
    public func size(classes: Int, perClass: Int, rows: Int, columns: Int) -> (width: Int, height: Int) {
        (gap + perClass * (columns + gap), gap + classes * (rows + gap))
    }

    /// Renders the first `perClass` images of each class (in file order) as grayscale pixels.
    public func render(
        images: [UInt8], labels: [UInt8], rows: Int, columns: Int, classes: Int, perClass: Int
    ) -> (width: Int, height: Int, pixels: [UInt8]) {
        let (width, height) = size(classes: classes, perClass: perClass, rows: rows, columns: columns)
        var pixels = [UInt8](repeating: 40, count: width * height)
        var placed = [Int](repeating: 0, count: classes)
        let imageSize = rows * columns
        for (index, label) in labels.enumerated() {
            let cls = Int(label)
            guard cls < classes, placed[cls] < perClass, (index + 1) * imageSize <= images.count else { continue }
            let x0 = gap + placed[cls] * (columns + gap)
            let y0 = gap + cls * (rows + gap)
            for r in 0..<rows {
                let source = index * imageSize + r * columns
                let target = (y0 + r) * width + x0
                for c in 0..<columns { pixels[target + c] = images[source + c] }
            }
            placed[cls] += 1
            if placed.allSatisfy({ $0 >= perClass }) { break }
        }
        return (width, height, pixels)
    }
}
