import Foundation
import Testing
@testable import Slope

// MARK: - Helpers

/// `../shared/data` next to the package root, found from this file's path.
private let sharedData = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/data").path
private let fashionMNIST = sharedData + "/fashion-mnist"
private let fashionMNISTPresent = FileManager.default.fileExists(atPath: fashionMNIST + "/t10k-images-idx3-ubyte.gz")
    && FileManager.default.fileExists(atPath: fashionMNIST + "/t10k-labels-idx1-ubyte.gz")


/// SplitMix64: a small seeded generator so every fuzz run sees the same mutations.
private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A smooth colour gradient with some texture, `channels` 1 to 4.
private func gradient(width: Int, height: Int, channels: Int) -> DecodedImage {
    var pixels: [UInt8] = []
    for y in 0 ..< height {
        for x in 0 ..< width {
            let values = [x * 255 / max(width - 1, 1), y * 255 / max(height - 1, 1), (x + y) * 255 / max(width + height - 2, 1), 128 + (x * 7 + y * 3) % 100]
            pixels += values.prefix(channels).map { UInt8($0) }
        }
    }
    return DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
}

private func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}


/// CRC-32 (as in PNG chunks and gzip).
private func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0 ..< 8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// Rewrites every complete chunk's CRC so mutations reach libpng's decoding instead of its CRC check.
private func fixingPNGChecksums(_ png: [UInt8]) -> [UInt8] {
    var bytes = png
    var offset = 8
    while offset + 12 <= bytes.count {
        let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        guard length <= bytes.count - offset - 12 else { break }
        let crc = crc32(bytes[offset + 4 ..< offset + 8 + length])
        let at = offset + 8 + length
        bytes[at] = UInt8(crc >> 24)
        bytes[at + 1] = UInt8(crc >> 16 & 0xFF)
        bytes[at + 2] = UInt8(crc >> 8 & 0xFF)
        bytes[at + 3] = UInt8(crc & 0xFF)
        offset = at + 4
    }
    return bytes
}

// MARK: - IDX

@Suite("IDX files")
struct IDXFileTests {
    @Test func encodesTheDocumentedLayout() throws {
        #expect(IDXFile.encode(shape: [2], bytes: [7, 3]) == [0, 0, 8, 1, 0, 0, 0, 2, 7, 3])
        let (shape, bytes) = try IDXFile.parse([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 9, 8] + Array(repeating: 5, count: 510), source: "inline")
        #expect(shape == [1, 2, 256])
        #expect(bytes.count == 512 && bytes.prefix(2) == [9, 8])
    }

    @Test func roundTripsPlainAndGzipped() throws {
        try withTemporaryFolder("images") { folder in
            var random = SeededRandom(state: 1)
            let bytes = (0 ..< 3 * 5 * 4).map { _ in UInt8.random(in: 0 ... 255, using: &random) }
            try IDXFile.write(path: folder + "/plain.idx", shape: [3, 5, 4], bytes: bytes)
            try IDXFile.write(path: folder + "/packed.idx.gz", shape: [3, 5, 4], bytes: bytes, compressed: true)
            // A gzipped file made directly with zlib, under a name without `.gz`: detected by magic.
            try write(Gzip.compress(IDXFile.encode(shape: [3, 5, 4], bytes: bytes), level: 9), to: folder + "/no-extension")
            for name in ["plain.idx", "packed.idx.gz", "no-extension"] {
                let (shape, read) = try IDXFile.read(path: folder + "/" + name)
                #expect(shape == [3, 5, 4], "\(name)")
                #expect(read == bytes, "\(name)")
            }
            let packed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/packed.idx.gz")))
            #expect(packed.prefix(2) == [0x1F, 0x8B])
            // Two gzip members back to back (as `cat a.gz b.gz` makes) read as one stream.
            let file = IDXFile.encode(shape: [3, 5, 4], bytes: bytes)
            let members = Gzip.compress(Array(file.prefix(10))) + Gzip.compress(Array(file.dropFirst(10)))
            #expect(try IDXFile.parse(members, source: "members").bytes == bytes)
            // Only the writer's own file is left: no temporary files.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["no-extension", "packed.idx.gz", "plain.idx"])
        }
    }

    @Test func loadsLabeledImagesScaledToUnitRange() throws {
        try withTemporaryFolder("images") { folder in
            try IDXFile.write(path: folder + "/images", shape: [2, 1, 3], bytes: [0, 255, 51, 102, 0, 255], compressed: true)
            try IDXFile.write(path: folder + "/labels", shape: [2], bytes: [4, 1])
            let set = try IDXFile.readLabeledImages(imagesPath: folder + "/images", labelsPath: folder + "/labels")
            #expect(set.count == 2 && set.channels == 1 && set.height == 1 && set.width == 3)
            #expect(set.images == [0, 1, 0.2, 0.4, 0, 1])
            #expect(set.labels == [4, 1])
        }
    }

    @Test func malformedFilesThrowErrorsNamingTheFile() throws {
        try withTemporaryFolder("images") { folder in
            let good = IDXFile.encode(shape: [4, 2, 2], bytes: Array(repeating: 7, count: 16))
            let cases: [(String, [UInt8], (ImageDataError) -> Bool)] = [
                ("empty", [], { if case .truncated(_, 4, 0) = $0 { true } else { false } }),
                ("text", Array("hello world".utf8), { if case .badIDXMagic(_, [0x68, 0x65, 0x6C, 0x6C]) = $0 { true } else { false } }),
                ("float", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], { if case .unsupportedIDXType(_, 0x0D) = $0 { true } else { false } }),
                ("no-rank", [0, 0, 8, 0], { if case .badIDXMagic = $0 { true } else { false } }),
                ("short-header", [0, 0, 8, 3, 0, 0, 0, 4], { if case .truncated(_, 16, 8) = $0 { true } else { false } }),
                ("truncated", Array(good.dropLast(5)), { if case .truncated(_, 32, 27) = $0 { true } else { false } }),
                ("trailing", good + [1], { if case .trailingData(_, 32) = $0 { true } else { false } }),
                ("absurd", [0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0], { if case .absurdDimensions(_, [65536, 65536, 65536], _) = $0 { true } else { false } }),
                ("truncated.gz", Gzip.compress(Array(good.dropLast(5))), { if case .truncated(_, 32, 27) = $0 { true } else { false } }),
                ("cut.gz", Array(Gzip.compress(good).dropLast(12)), { if case .corruptGzip = $0 { true } else { false } }),
                ("garbage.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], { if case .corruptGzip = $0 { true } else { false } }),
                ("trailing-junk.gz", Gzip.compress(good) + [1, 2, 3], { if case .corruptGzip = $0 { true } else { false } }),
            ]
            for (name, bytes, matches) in cases {
                let path = folder + "/" + name
                try write(bytes, to: path)
                let error = caught(ImageDataError.self) { try IDXFile.read(path: path) }
                #expect(error.map(matches) == true, "\(name): \(String(describing: error))")
                #expect(error?.description.hasPrefix(path) == true, "\(name): \(String(describing: error))")
            }
            #expect(caught(ImageDataError.self) { try IDXFile.read(path: folder + "/missing") } == .fileNotFound(file: folder + "/missing"))
            if case .unreadable = caught(ImageDataError.self, { try IDXFile.read(path: folder) }) {} else { Issue.record("a folder should be unreadable") }
        }
    }

    @Test func gzipBombsCostNoMoreThanTheHeaderDeclares() throws {
        // 64 MiB of zeros after a header declaring 16 bytes: rejected without inflating it all.
        let bomb = Gzip.compress(IDXFile.encode(shape: [16], bytes: Array(repeating: 0, count: 16)) + Array(repeating: 0, count: 64 << 20), level: 9)
        #expect(bomb.count < 200_000)
        #expect(caught(ImageDataError.self) { try IDXFile.parse(bomb, source: "bomb.gz") } == .trailingData(file: "bomb.gz", expectedBytes: 24))
        // A header declaring 2^27 bytes (within IDXFile.maxElements) in a tiny stream: the output buffer is
        // bounded by what the stream can hold.
        let liar = Gzip.compress([0, 0, 8, 1, 0x08, 0, 0, 0] + Array(repeating: 1, count: 100))
        guard case .truncated(_, let expected, let found) = caught(ImageDataError.self, { try IDXFile.parse(liar, source: "liar.gz") }) else {
            Issue.record("expected truncated")
            return
        }
        #expect(expected == 8 + (1 << 27) && found == 108)
        // 2^30 is past the limit: refused from the header alone.
        let absurd = Gzip.compress([0, 0, 8, 1, 0x40, 0, 0, 0] + Array(repeating: 1, count: 100))
        if case .absurdDimensions = caught(ImageDataError.self, { try IDXFile.parse(absurd, source: "absurd.gz") }) {} else {
            Issue.record("expected absurdDimensions")
        }
    }

    @Test func mismatchedPairsAreRejected() throws {
        try withTemporaryFolder("images") { folder in
            try IDXFile.write(path: folder + "/images", shape: [3, 2, 2], bytes: Array(repeating: 1, count: 12))
            try IDXFile.write(path: folder + "/labels", shape: [2], bytes: [0, 1])
            try IDXFile.write(path: folder + "/flat", shape: [12], bytes: Array(repeating: 1, count: 12))
            let mismatch = caught(ImageDataError.self) { try IDXFile.readLabeledImages(imagesPath: folder + "/images", labelsPath: folder + "/labels") }
            #expect(mismatch == .countMismatch(imagesFile: folder + "/images", images: 3, labelsFile: folder + "/labels", labels: 2))
            let flat = caught(ImageDataError.self) { try IDXFile.readLabeledImages(imagesPath: folder + "/flat", labelsPath: folder + "/labels") }
            if case .unexpectedShape(let file, _, [12]) = flat { #expect(file == folder + "/flat") } else { Issue.record("\(String(describing: flat))") }
            let swapped = caught(ImageDataError.self) { try IDXFile.readLabeledImages(imagesPath: folder + "/images", labelsPath: folder + "/images") }
            if case .unexpectedShape(let file, _, [3, 2, 2]) = swapped { #expect(file == folder + "/images") } else { Issue.record("\(String(describing: swapped))") }
        }
    }

    @Test(.enabled(if: fashionMNISTPresent, "needs ../shared/data/fashion-mnist"))
    func loadsFashionMNISTTestSet() throws {
        let set = try IDXFile.readLabeledImages(imagesPath: fashionMNIST + "/t10k-images-idx3-ubyte.gz",
                                                labelsPath: fashionMNIST + "/t10k-labels-idx1-ubyte.gz")
        #expect(set.count == 10000 && set.height == 28 && set.width == 28 && set.channels == 1)
        #expect(set.images.count == 10000 * 784)
        #expect(set.labels.prefix(3) == [9, 2, 1])  // ankle boot, pullover, trouser
        var perClass = [Int](repeating: 0, count: 10)
        for label in set.labels {
            try #require((0 ..< 10).contains(label))
            perClass[label] += 1
        }
        #expect(perClass == Array(repeating: 1000, count: 10))
        #expect(set.images.min() == 0 && set.images.max() == 1)
        let stats = ChannelStatistics.measure(set)
        #expect(abs(stats.mean[0] - 0.2868) < 0.001 && abs(stats.std[0] - 0.3524) < 0.001, "\(stats)")
    }
}

// MARK: - PNG and JPEG

@Suite("Image files")
struct ImageFileTests {
    @Test(arguments: [1, 2, 3, 4], [false, true])
    func pngRoundTrips(channels: Int, interlaced: Bool) throws {
        let image = gradient(width: 13, height: 7, channels: channels)
        let bytes = ImageFile.encodePNG(image, interlaced: interlaced)
        #expect(ImageFile.format(of: bytes) == .png)
        let decoded = try ImageFile.decode(bytes: bytes, source: "memory")
        // Gray and RGB come back exactly; alpha is composited onto white.
        #expect(decoded == image.converted(toChannels: channels <= 2 ? 1 : 3))
        if channels == 4 {
            // Pixel (0, 0): RGB (0, 0, 0) at alpha 128 over white: (0·128 + 255·127 + 127) / 255 = 127.
            #expect(decoded.pixel(x: 0, y: 0) == [127, 127, 127])
        }
    }

    @Test func writesAtomicallyAndDecodesFromDisk() throws {
        try withTemporaryFolder("images") { folder in
            let image = gradient(width: 5, height: 4, channels: 3)
            try ImageFile.writePNG(image, path: folder + "/out.png")
            try ImageFile.writePNG(image, path: folder + "/out.png")  // replaces the file
            #expect(try ImageFile.decode(path: folder + "/out.png") == image)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.png"])
            let missingFolder = caught(ImageDataError.self) { try ImageFile.writePNG(image, path: folder + "/nope/out.png") }
            if case .writeFailed(let file, _) = missingFolder { #expect(file == folder + "/nope/out.png") } else { Issue.record("expected writeFailed") }
        }
    }

    @Test func pngVariantsDecodeTo8Bit() throws {
        // 16-bit gray: sample 257·k scales to exactly k.
        let sixteen = try ImageFile.encodePNG(rows: [0x00, 0x00, 0x01, 0x01, 0xFF, 0xFF, 0x80, 0x80], width: 4, height: 1, colorType: 0, bitDepth: 16)
        #expect(try ImageFile.decode(bytes: sixteen, source: "16").pixels == [0, 1, 255, 128])
        // 16-bit RGBA, interlaced: opaque red, and transparent (composited to white).
        let rgba16 = try ImageFile.encodePNG(rows: [0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0], width: 2, height: 1,
                                             colorType: 6, bitDepth: 16, interlaced: true)
        let decoded16 = try ImageFile.decode(bytes: rgba16, source: "rgba16")
        #expect(decoded16.channels == 3 && decoded16.pixels == [255, 0, 0, 255, 255, 255])
        // 1-bit gray: 1010 → 255 0 255 0.
        let bits = try ImageFile.encodePNG(rows: [0b1010_0000], width: 4, height: 1, colorType: 0, bitDepth: 1)
        #expect(try ImageFile.decode(bytes: bits, source: "bits").pixels == [255, 0, 255, 0])
        // 4-bit palette with a half-transparent entry: indices 0 1 2.
        let palette: [UInt8] = [10, 20, 30, 200, 100, 0, 0, 0, 0]
        let indexed = try ImageFile.encodePNG(rows: [0x01, 0x20], width: 3, height: 1, colorType: 3, bitDepth: 4,
                                              palette: palette, transparency: [255, 255, 0])
        let decodedPalette = try ImageFile.decode(bytes: indexed, source: "palette")
        #expect(decodedPalette.channels == 3)
        #expect(decodedPalette.pixels == [10, 20, 30, 200, 100, 0, 255, 255, 255])
        // Gray with a tRNS colour key: value 9 is transparent (white), others opaque.
        let keyed = try ImageFile.encodePNG(rows: [9, 50], width: 2, height: 1, colorType: 0, bitDepth: 8, transparency: [0, 9])
        #expect(try ImageFile.decode(bytes: keyed, source: "keyed") == DecodedImage(width: 2, height: 1, channels: 1, pixels: [255, 50]))
        // Gray + alpha: 0 at alpha 0 → white; 100 at alpha 255 → 100.
        let grayAlpha = try ImageFile.encodePNG(rows: [0, 0, 100, 255], width: 2, height: 1, colorType: 4, bitDepth: 8)
        #expect(try ImageFile.decode(bytes: grayAlpha, source: "ga").pixels == [255, 100])
    }

    @Test(arguments: [false, true])
    func jpegDecodesWhatLibjpegEncoded(progressive: Bool) throws {
        let image = gradient(width: 32, height: 24, channels: 3)
        let bytes = ImageFile.encodeJPEG(image, quality: 95, progressive: progressive)
        #expect(ImageFile.format(of: bytes) == .jpeg)
        let decoded = try ImageFile.decode(bytes: bytes, source: "memory")
        #expect(decoded.width == 32 && decoded.height == 24 && decoded.channels == 3)
        let error = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
        #expect(Double(error.reduce(0, +)) / Double(error.count) < 3 && error.max()! < 40)

        let gray = gradient(width: 16, height: 16, channels: 1)
        let decodedGray = try ImageFile.decode(bytes: ImageFile.encodeJPEG(gray, quality: 100, progressive: progressive), source: "gray")
        #expect(decodedGray.channels == 1 && decodedGray.width == 16)
        #expect(zip(decodedGray.pixels, gray.pixels).allSatisfy { abs(Int($0) - Int($1)) <= 3 })
    }

    @Test func jpegFileOnDiskIsChosenByMagicNotExtension() throws {
        try withTemporaryFolder("images") { folder in
            let image = DecodedImage(width: 8, height: 8, channels: 3, pixels: Array(repeating: 200, count: 192))
            try ImageFile.writeJPEG(image, path: folder + "/actually-a-jpeg.png")
            let decoded = try ImageFile.decode(path: folder + "/actually-a-jpeg.png")
            #expect(decoded.channels == 3 && decoded.pixels.allSatisfy { abs(Int($0) - 200) <= 2 })
        }
    }

    @Test func corruptAndTruncatedImagesThrow() throws {
        let png = ImageFile.encodePNG(gradient(width: 40, height: 30, channels: 3))
        let jpeg = ImageFile.encodeJPEG(gradient(width: 40, height: 30, channels: 3))
        var badCRC = png
        badCRC[20] ^= 0xFF  // inside IHDR's width
        var badJPEG = jpeg
        for index in jpeg.count / 2 ..< jpeg.count / 2 + 40 { badJPEG[index] = 0xFF }
        let cases: [(String, [UInt8])] = [
            ("half.png", Array(png.prefix(png.count / 2))),
            ("signature-only.png", Array(png.prefix(8))),
            ("no-end.png", Array(png.dropLast(6))),
            ("bad-crc.png", badCRC),
            ("half.jpg", Array(jpeg.prefix(jpeg.count / 2))),
            ("header-only.jpg", Array(jpeg.prefix(3))),
            ("scrambled.jpg", badJPEG),
        ]
        for (name, bytes) in cases {
            let error = caught(ImageDataError.self) { try ImageFile.decode(bytes: bytes, source: name) }
            guard case .corruptImage(let file, let format, let reason) = error else {
                Issue.record("\(name): expected corruptImage, got \(String(describing: error))")
                continue
            }
            #expect(file == name && format == (name.hasSuffix("png") ? "PNG" : "JPEG") && !reason.isEmpty)
        }
        #expect(caught(ImageDataError.self) { try ImageFile.decode(bytes: Array("GIF89a".utf8), source: "x.gif") }
            == .unknownImageFormat(file: "x.gif", found: Array("GIF89a".utf8)))
        #expect(caught(ImageDataError.self) { try ImageFile.decode(bytes: [], source: "empty") }
            == .unknownImageFormat(file: "empty", found: []))
        #expect(caught(ImageDataError.self) { try ImageFile.decode(bytes: png, source: "big.png", maxPixels: 1000) }
            == .imageTooLarge(file: "big.png", width: 40, height: 30, limit: 1000))
        #expect(caught(ImageDataError.self) { try ImageFile.decode(bytes: jpeg, source: "big.jpg", maxPixels: 1000) }
            == .imageTooLarge(file: "big.jpg", width: 40, height: 30, limit: 1000))
        #expect(caught(ImageDataError.self) { try ImageFile.decode(path: "/nonexistent/cat.png") } == .fileNotFound(file: "/nonexistent/cat.png"))
        // A tiny file whose header claims 8000 × 8000 pixels is refused before the pixels are allocated.
        for interlaced in [false, true] {
            var liar = ImageFile.encodePNG(gradient(width: 2, height: 2, channels: 4), interlaced: interlaced)
            liar.replaceSubrange(16 ..< 24, with: [0, 0, 0x1F, 0x40, 0, 0, 0x1F, 0x40])
            liar = fixingPNGChecksums(liar)
            let error = caught(ImageDataError.self) { try ImageFile.decode(bytes: liar, source: "liar.png") }
            guard case .corruptImage("liar.png", "PNG", let reason) = error else {
                Issue.record("expected corruptImage, got \(String(describing: error))")
                continue
            }
            #expect(reason.contains("8000 x 8000"), "\(reason)")
        }
    }

    @Test func cmykJPEGIsRejectedClearly() throws {
        let cmyk = ImageFile.encodeJPEG(samples: Array(repeating: 100, count: 4 * 4 * 4), width: 4, height: 4, channels: 4)
        let error = caught(ImageDataError.self) { try ImageFile.decode(bytes: cmyk, source: "cmyk.jpg") }
        guard case .unsupportedImage("cmyk.jpg", "JPEG", let reason) = error else {
            Issue.record("expected unsupportedImage, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("CMYK"))
    }

    @Test func fuzzedFilesNeverCrash() throws {
        let png = ImageFile.encodePNG(gradient(width: 24, height: 17, channels: 4))
        let interlaced = ImageFile.encodePNG(try ImageFile.decode(bytes: png, source: "png"), interlaced: true)
        let palette = try ImageFile.encodePNG(rows: Array(repeating: 0x12, count: 8 * 4), width: 8, height: 8, colorType: 3, bitDepth: 4,
                                              palette: [1, 2, 3, 4, 5, 6, 7, 8, 9], transparency: [0, 128])
        let baseline = ImageFile.encodeJPEG(gradient(width: 24, height: 17, channels: 3), quality: 80)
        let progressive = ImageFile.encodeJPEG(gradient(width: 24, height: 17, channels: 3), quality: 80, progressive: true)
        let idx = IDXFile.encode(shape: [3, 4, 5], bytes: Array(repeating: 9, count: 60))
        let seeds: [(String, [UInt8], Bool)] = [
            ("png", png, true), ("interlaced", interlaced, true), ("palette", palette, true),
            ("baseline", baseline, false), ("progressive", progressive, false),
            ("idx", idx, false), ("idx.gz", Gzip.compress(idx), false),
        ]
        var random = SeededRandom(state: 42)
        var decoded = 0, rejected = 0
        for (name, seed, isPNG) in seeds {
            let deadline = Date().addingTimeInterval(0.6)
            for round in 0 ..< 300 where Date() < deadline {
                var bytes = seed
                for _ in 0 ..< Int.random(in: 1 ... 4, using: &random) {
                    let index = Int.random(in: 0 ..< bytes.count, using: &random)
                    switch Int.random(in: 0 ..< 5, using: &random) {
                    case 0: bytes[index] = UInt8.random(in: 0 ... 255, using: &random)
                    case 1: bytes[index] ^= 1 << UInt8.random(in: 0 ..< 8, using: &random)
                    case 2: bytes.removeLast(min(bytes.count - 1, Int.random(in: 1 ... 64, using: &random)))
                    case 3: bytes.insert(contentsOf: (0 ..< Int.random(in: 1 ... 8, using: &random)).map { _ in UInt8.random(in: 0 ... 255, using: &random) }, at: index)
                    default: bytes[index] = [0x00, 0xFF, 0x7F, 0x80][Int.random(in: 0 ..< 4, using: &random)]
                    }
                }
                // Keep the signature intact half the time, and the PNG checksums valid, so the decoders go deep.
                if round % 2 == 0 { bytes.replaceSubrange(0 ..< min(4, bytes.count), with: seed.prefix(min(4, bytes.count))) }
                if isPNG && round % 3 != 0 { bytes = fixingPNGChecksums(bytes) }
                let outcome: Bool
                if name.hasPrefix("idx") {
                    outcome = (try? IDXFile.parse(bytes, source: name)) != nil
                } else {
                    outcome = (try? ImageFile.decode(bytes: bytes, source: name, maxPixels: 1 << 20)) != nil
                }
                if outcome { decoded += 1 } else { rejected += 1 }
            }
        }
        #expect(decoded + rejected > 500)
        #expect(rejected > 0)
    }
}

// MARK: - Resizing, channels, normalisation

@Suite("Image transforms")
struct ImageTransformTests {
    @Test func bilinearEnlargementInterpolatesBetweenPixelCentres() {
        // Output centres map to source x = -0.25, 0.25, 0.75, 1.25: 0, 63.75, 191.25, 255.
        let line = DecodedImage(width: 2, height: 1, channels: 1, pixels: [0, 255])
        #expect(line.resized(width: 4, height: 1).pixels == [0, 64, 191, 255])
        // Same vertically, and per channel.
        let column = DecodedImage(width: 1, height: 2, channels: 3, pixels: [0, 100, 200, 255, 100, 0])
        #expect(column.resized(width: 1, height: 4).pixels == [0, 100, 200, 64, 100, 150, 191, 100, 50, 255, 100, 0])
    }

    @Test func shrinkingAverages() {
        // 4 → 2 with a triangle of half-width 2: output 0 weighs sources 0, 1, 2 as 0.75, 0.75, 0.25 (normalised).
        let line = DecodedImage(width: 4, height: 1, channels: 1, pixels: [0, 0, 140, 140])
        #expect(line.resized(width: 2, height: 1).pixels == [20, 120])  // 140·0.25/1.75 = 20
        // A checkerboard shrinks to flat gray instead of aliasing.
        let checker = DecodedImage(width: 8, height: 8, channels: 1, pixels: (0 ..< 64).map { ($0 / 8 + $0 % 8) % 2 == 0 ? 0 : 254 })
        #expect(checker.resized(width: 2, height: 2).pixels.allSatisfy { abs(Int($0) - 127) <= 1 })
        // Constant stays constant; same size is the identity.
        let flat = DecodedImage(width: 7, height: 5, channels: 3, pixels: Array(repeating: 77, count: 105))
        #expect(flat.resized(width: 3, height: 11).pixels.allSatisfy { $0 == 77 })
        let image = gradient(width: 6, height: 4, channels: 3)
        #expect(image.resized(width: 6, height: 4) == image)
    }

    @Test func cropsAndAspectPreservingResizes() {
        let image = DecodedImage(width: 4, height: 3, channels: 1, pixels: Array(1 ... 12))
        #expect(image.centerCropped(width: 2, height: 1) == DecodedImage(width: 2, height: 1, channels: 1, pixels: [6, 7]))
        // (4 − 1) / 2 = 1.5 rounds to even: column 2.
        #expect(image.centerCropped(width: 1, height: 3).pixels == [3, 7, 11])
        // Larger than the image: zero border, image in the middle.
        let padded = image.centerCropped(width: 6, height: 3)
        #expect(padded.pixels == [0, 1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 0, 9, 10, 11, 12, 0])
        let wide = gradient(width: 640, height: 480, channels: 1)
        let scaled = wide.resized(shorterSide: 64)
        #expect(scaled.width == 85 && scaled.height == 64)
        let filled = wide.resizedToFill(width: 32, height: 48)
        #expect(filled.width == 32 && filled.height == 48)
    }

    @Test func channelConversionsAndCHWFloats() {
        let rgb = DecodedImage(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 10, 20, 30])
        // (19595·255 + 0x8000) >> 16 = 76; (19595·10 + 38470·20 + 7471·30 + 0x8000) >> 16 = 18.
        #expect(rgb.converted(toChannels: 1).pixels == [76, 18])
        #expect(DecodedImage(width: 1, height: 1, channels: 1, pixels: [9]).converted(toChannels: 3).pixels == [9, 9, 9])
        #expect(rgb.chwFloats() == [1, Float(10) / 255, 0, Float(20) / 255, 0, Float(30) / 255])
    }

    @Test func statisticsMeasureAndNormalize() throws {
        // Two 1×2 RGB images; channel 0 values 0, 1, 1, 0 → mean 0.5, std 0.5; channel 1 constant → std 1.
        let set = LabeledImages(images: [0, 1, 0.25, 0.25, 0, 0, 1, 0, 0.25, 0.25, 0.5, 0.5], count: 2, channels: 3, height: 1, width: 2, labels: [0, 1])
        let stats = ChannelStatistics.measure(set)
        #expect(stats.mean == [0.5, 0.25, 0.25])
        #expect(stats.std == [0.5, 1, 0.25])
        var normalized = set
        stats.normalize(&normalized)
        #expect(normalized.images == [-1, 1, 0, 0, -1, -1, 1, -1, 0, 0, 1, 1])
        #expect(ChannelStatistics.measure(chwImages: [[0, 1, 0.25, 0.25, 0, 0], [1, 0, 0.25, 0.25, 0.5, 0.5]], channels: 3) == stats)
        #expect(stats.normalized([0.5, 1, 0.25, 0.25, 0, 0.5]) == [0, 1, 0, 0, -1, 1])
    }

    @Test func statisticsAreCodableAndValidated() throws {
        let json = try JSONEncoder().encode(ChannelStatistics.imageNet)
        #expect(try JSONDecoder().decode(ChannelStatistics.self, from: json) == .imageNet)
        let zeroStd = Data(#"{"mean": [0.5], "std": [0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ChannelStatistics.self, from: zeroStd) }
        let ragged = Data(#"{"mean": [0.5, 0.5], "std": [1]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ChannelStatistics.self, from: ragged) }
    }

    @Test func preprocessingAppliesConversionResizeAndNormalization() throws {
        let prep = ImagePreprocessing(height: 6, width: 8, channels: 3, normalization: .imageNet)
        #expect(prep.mean == ChannelStatistics.imageNet.mean && prep.std == ChannelStatistics.imageNet.std)
        // A flat RGB image of 124 normalises to (124/255 − 0.485) / 0.229 on channel 0.
        let flat = DecodedImage(width: 20, height: 10, channels: 3, pixels: Array(repeating: 124, count: 600))
        for resize in [ImageResize.stretch, .fill] {
            let floats = prep.apply(to: flat, resize: resize)
            #expect(floats.count == prep.outputSize && prep.outputSize == 3 * 6 * 8)
            #expect(abs(floats[0] - (124.0 / 255 - 0.485) / 0.229) < 1e-5)
            #expect(abs(floats[48] - (124.0 / 255 - 0.456) / 0.224) < 1e-5)
        }
        // Gray input is expanded to 3 channels; without normalisation the values stay in 0...1.
        let plain = ImagePreprocessing(height: 3, width: 3, channels: 3, normalization: nil)
        #expect(plain.apply(to: DecodedImage(width: 3, height: 3, channels: 1, pixels: Array(repeating: 51, count: 9))) == Array(repeating: 0.2, count: 27))
        // 4 × 2 → 2 × 2: `.fill` keeps the scale and crops the middle columns (exact black and white);
        // `.stretch` halves the width, averaging 255·0.25/1.75 ≈ 36 and 255·1.5/1.75 ≈ 219.
        let halves = DecodedImage(width: 4, height: 2, channels: 1, pixels: [0, 0, 255, 255, 0, 0, 255, 255])
        let gray = ImagePreprocessing(height: 2, width: 2, channels: 1, normalization: nil)
        #expect(gray.apply(to: halves, resize: .fill) == [0, 1, 0, 1])
        #expect(gray.apply(to: halves, resize: .stretch) == [36, 219, 36, 219].map { Float($0) / 255 })
    }
}

// MARK: - Image folders

@Suite("Image folders")
struct ImageFolderTests {
    private func solid(_ value: UInt8, width: Int = 6, height: Int = 4) -> DecodedImage {
        DecodedImage(width: width, height: height, channels: 3, pixels: Array(repeating: value, count: width * height * 3))
    }

    @Test func listsClassesAndFilesDeterministically() throws {
        try withTemporaryFolder("images") { root in
            let manager = FileManager.default
            for path in ["cat/sub", "dog", ".git", "cat/.cache"] {
                try manager.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
            }
            try ImageFile.writePNG(solid(10), path: root + "/cat/b.png")
            try ImageFile.writePNG(solid(20), path: root + "/cat/a.png")
            try ImageFile.writeJPEG(solid(30), path: root + "/cat/sub/c.jpg")
            try ImageFile.writePNG(solid(40), path: root + "/cat/.hidden.png")
            try ImageFile.writePNG(solid(40), path: root + "/cat/.cache/d.png")
            try write(Array("not an image".utf8), to: root + "/cat/notes.txt")
            try ImageFile.writeJPEG(solid(200, width: 12, height: 12), path: root + "/dog/x.JPG")
            try ImageFile.writePNG(solid(250), path: root + "/dog/no-extension")  // recognised by magic
            try ImageFile.writePNG(solid(40), path: root + "/.git/e.png")
            try write(Array("readme".utf8), to: root + "/README.txt")

            let folder = try ImageFolder(root: root)
            #expect(folder.classNames == ["cat", "dog"])
            #expect(folder.files == ["cat/a.png", "cat/b.png", "cat/sub/c.jpg", "dog/no-extension", "dog/x.JPG"].map { root + "/" + $0 })
            #expect(folder.labels == [0, 0, 0, 1, 1])

            let prep = ImagePreprocessing(height: 2, width: 3, channels: 1, normalization: nil)
            let set = try folder.loadAll(preprocessing: prep)
            #expect(set.count == 5 && set.channels == 1 && set.height == 2 && set.width == 3 && set.classNames == ["cat", "dog"])
            let firstPixels = stride(from: 0, to: set.images.count, by: 6).map { (set.images[$0] * 255).rounded() }
            #expect(firstPixels[0] == 20 && firstPixels[1] == 10 && abs(firstPixels[2] - 30) <= 2 && abs(firstPixels[3] - 250) <= 0 && abs(firstPixels[4] - 200) <= 2)
            #expect(try folder.load(at: 1, preprocessing: prep) == Array(set.images[6 ..< 12]))
        }
    }

    @Test func layoutProblemsAreNamed() throws {
        try withTemporaryFolder("images") { root in
            #expect(caught(ImageDataError.self) { try ImageFolder(root: root) } == .noClassFolders(root: root, imagesAtTop: 0))
            try ImageFile.writePNG(solid(1), path: root + "/loose.png")
            #expect(caught(ImageDataError.self) { try ImageFolder(root: root) } == .noClassFolders(root: root, imagesAtTop: 1))
            #expect(caught(ImageDataError.self) { try ImageFolder(root: root + "/loose.png") } == .notAFolder(path: root + "/loose.png"))
            #expect(caught(ImageDataError.self) { try ImageFolder(root: root + "/missing") } == .fileNotFound(file: root + "/missing"))
            try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
            try write([1, 2, 3], to: root + "/empty/data.bin")
            #expect(caught(ImageDataError.self) { try ImageFolder(root: root) } == .emptyClassFolder(root: root, className: "empty"))
        }
    }

    @Test func corruptImagesAreNamedWhenLoading() throws {
        try withTemporaryFolder("images") { root in
            try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
            try ImageFile.writePNG(solid(1), path: root + "/a/1.png")
            let png = ImageFile.encodePNG(solid(2))
            try write(Array(png.prefix(png.count / 2)), to: root + "/a/2.png")
            try write(Array("not really".utf8), to: root + "/a/3.jpg")
            let folder = try ImageFolder(root: root)
            #expect(folder.count == 3)
            let error = caught(ImageDataError.self) { try folder.loadAll(preprocessing: ImagePreprocessing(height: 2, width: 2, channels: 3, normalization: nil)) }
            guard case .corruptImage(let file, "PNG", _) = error else {
                Issue.record("expected corruptImage, got \(String(describing: error))")
                return
            }
            #expect(file == root + "/a/2.png")
            let unknown = caught(ImageDataError.self) { try folder.load(at: 2, preprocessing: ImagePreprocessing(height: 2, width: 2, channels: 3, normalization: nil)) }
            #expect(unknown == .unknownImageFormat(file: root + "/a/3.jpg", found: Array("not real".utf8)))
        }
    }
}
