extension IDXFile {
    /// Loads an images file `[count, rows, columns]` and a labels file `[count]` (MNIST layout),
    /// scaling pixels from 0...255 to 0...1.
    ///
    /// Throws when either file is missing or malformed, when the images file is not 3-D or the
    /// labels file not 1-D, or when their counts differ; every error names the file.
    ///
    /// ```swift
    /// let train = try IDXFile.readLabeledImages(imagesPath: "train-images-idx3-ubyte.gz",
    ///                                           labelsPath: "train-labels-idx1-ubyte.gz")
    /// print(train.count, train.height, train.width)  // 60000 28 28
    /// ```
    ///
    /// - Parameters:
    ///   - imagesPath: The images file (magic `00 00 08 03`), plain or gzipped.
    ///   - labelsPath: The labels file (magic `00 00 08 01`), plain or gzipped, one label per image.
    /// - Returns: The images as one-channel `[count, rows, columns]` values in 0...1 with their labels.
    /// - Throws: ``ImageDataError``: any error of ``IDXFile/read(path:)`` for either file,
    ///   `unexpectedShape` for a file of the wrong rank or empty images, `countMismatch` when the
    ///   files hold different counts.
    public static func readLabeledImages(imagesPath: String, labelsPath: String) throws(ImageDataError) -> LabeledImages {
        let (imageShape, pixels) = try read(path: imagesPath)
        guard imageShape.count == 3 else {
            throw .unexpectedShape(file: imagesPath, expected: "a 3-D images file [count, rows, columns] (magic 00 00 08 03)", found: imageShape)
        }
        guard imageShape[1] >= 1, imageShape[2] >= 1 else {
            throw .unexpectedShape(file: imagesPath, expected: "images of at least 1x1 pixels", found: imageShape)
        }
        let (labelShape, labelBytes) = try read(path: labelsPath)
        guard labelShape.count == 1 else {
            throw .unexpectedShape(file: labelsPath, expected: "a 1-D labels file [count] (magic 00 00 08 01)", found: labelShape)
        }
        guard imageShape[0] == labelShape[0] else {
            throw .countMismatch(imagesFile: imagesPath, images: imageShape[0], labelsFile: labelsPath, labels: labelShape[0])
        }
        return LabeledImages(images: unitFloats(pixels), count: imageShape[0], channels: 1,
                             height: imageShape[1], width: imageShape[2], labels: labelBytes.map { Int($0) })
    }
}

/// Bytes 0...255 as floats 0...1 (`byte / 255`, exact to the float nearest each quotient).
func unitFloats(_ bytes: [UInt8]) -> [Float] {
    let table = (0 ... 255).map { Float($0) / 255 }
    return [Float](unsafeUninitializedCapacity: bytes.count) { output, count in
        bytes.withUnsafeBufferPointer { input in
            table.withUnsafeBufferPointer { lookup in
                for index in 0 ..< input.count { output[index] = lookup[Int(input[index])] }
            }
        }
        count = bytes.count
    }
}
