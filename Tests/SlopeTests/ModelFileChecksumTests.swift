import Foundation
import Testing
@testable import Slope

// The CRC-32 checksums of model files: written by export, compared on load, so a damaged file
// says "the file is damaged" naming the manifest or the tensor; files written before checksums
// existed still load.

@Suite struct ModelFileChecksumTests {
    /// Loads `bytes` as `model.slope` (from memory) and returns the error, or nil.
    private func loadError(_ bytes: [UInt8]) -> ModelFileError? {
        caught(ModelFileError.self) { try Learner.load(bytes: bytes, file: "model.slope") }
    }

    /// The header length and the span of each tensor's data in `bytes`, read independently of
    /// SafeTensors (with Foundation's JSON parser).
    private func spans(_ bytes: [UInt8]) throws -> (dataStart: Int, spans: [String: Range<Int>], header: [String: Any]) {
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        var spans: [String: Range<Int>] = [:]
        for (key, value) in header where key != "__metadata__" {
            let offsets = try #require((value as? [String: Any])?["data_offsets"] as? [Int])
            spans[key] = (8 + length + offsets[0])..<(8 + length + offsets[1])
        }
        return (8 + length, spans, header)
    }

    @Test func crc32IsZlibsChecksum() {
        // The standard check value of CRC-32 (ISO-HDLC, as zlib, gzip and PNG use it).
        #expect(ModelFileChecksum.hex(ModelFileChecksum.crc32(Array("123456789".utf8))) == "cbf43926")
        #expect(ModelFileChecksum.crc32([]) == 0)
        #expect(ModelFileChecksum.parse("cbf43926") == 0xcbf4_3926)
        #expect(ModelFileChecksum.parse("cbf4392") == nil)
        #expect(ModelFileChecksum.parse("cbf4392g") == nil)
        #expect(ModelFileChecksum.parse("+bf43926") == nil)
    }

    @Test func exportWritesAChecksumPerTensorAndOneOfTheManifest() throws {
        let bytes = try ModelFileFixtures.smallFile.get()
        let (_, spans, header) = try spans(bytes)
        let metadata = try #require(header["__metadata__"] as? [String: String])
        let text = try #require(metadata["slope"])
        #expect(metadata[ModelFileChecksum.manifestKey] == ModelFileChecksum.hex(ModelFileChecksum.crc32(Array(text.utf8))))
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let sums = try #require(manifest[ModelFileChecksum.tensorsField] as? [String: String])
        #expect(Set(sums.keys) == Set(spans.keys))
        #expect(spans.count > 5)
        for (key, span) in spans {
            #expect(sums[key] == ModelFileChecksum.hex(ModelFileChecksum.crc32(Array(bytes[span]))), "tensor \(key)")
        }
    }

    @Test func aFlippedBitInAnyTensorNamesThatTensor() throws {
        let bytes = try ModelFileFixtures.smallFile.get()
        for (key, span) in try spans(bytes).spans where !span.isEmpty {
            for position in [span.lowerBound, span.lowerBound + span.count / 2, span.upperBound - 1] {
                var damaged = bytes
                damaged[position] ^= 0x10
                let error = try #require(loadError(damaged), "flip at \(position) in \(key) loaded")
                guard case .damaged(let file, let part) = error else { Issue.record("not damage: \(error)"); continue }
                #expect(file == "model.slope")
                #expect(part.hasPrefix("the data of tensor `\(key)` has CRC-32 "), "\(part)")
                #expect("\(error)".hasPrefix("model.slope: the file is damaged: the data of tensor `\(key)`"))
            }
        }
    }

    @Test func aChangedDigitInTheManifestIsDamage() throws {
        let bytes = try ModelFileFixtures.smallFile.get()
        let (dataStart, _, _) = try spans(bytes)
        // Every digit of the header text that belongs to the manifest (after `"slope":"`), changed
        // to another digit: the JSON stays valid, only the checksum can tell.
        let header = Array(bytes[8..<dataStart])
        let marker = Array(#""slope":"{"#.utf8)
        let start = try #require((0...(header.count - marker.count)).first { Array(header[$0..<($0 + marker.count)]) == marker })
        var checked = 0
        for index in (start + marker.count)..<header.count where (0x30...0x38).contains(header[index]) && checked < 200 {
            var damaged = bytes
            damaged[8 + index] += 1
            let error = try #require(loadError(damaged), "digit \(index) changed and the file loaded")
            #expect("\(error)".hasPrefix("model.slope: the file is damaged: the manifest"), "\(error)")
            checked += 1
        }
        #expect(checked > 50)
    }

    @Test func filesWrittenBeforeChecksumsLoadAndPredictTheSame() throws {
        let contents = try SafeTensors.decode(try ModelFileFixtures.smallFile.get(), file: "small.slope")
        let text = try #require(contents.metadata["slope"])
        let pairs = try #require(try JSONParser.parse(Array(text.utf8)).objectValue)
        let old = JSON.object(pairs.filter { $0.0 != ModelFileChecksum.tensorsField }).description
        let oldBytes = SafeTensors.encode(contents.tensors, metadata: ["format": "slope", "slope": old])
        let loaded = try Learner.load(bytes: oldBytes, file: "old.slope")
        let current = try Learner.load(bytes: try ModelFileFixtures.smallFile.get(), file: "small.slope")
        let table = try CSVReader().parse(ModelFileFixtures.smallCSV, source: "small.csv")
        #expect(try loaded.predict(rows: table) == current.predict(rows: table))
        // An old file is still checked for everything else: a NaN weight is refused.
        let tensors = contents.tensors
        let index = try ModelFileFixtures.firstIndex(tensors) { $0.key.hasSuffix("weight") }
        tensors[index].tensor.storage[0] = .nan
        let error = caught(ModelFileError.self) {
            try Learner.load(bytes: SafeTensors.encode(tensors, metadata: ["format": "slope", "slope": old]), file: "old.slope")
        }
        guard case .nonFinite(let file, let key, let position, let value) = error else { Issue.record("expected nonFinite, got \(String(describing: error))"); return }
        #expect(file == "old.slope" && key == tensors[index].key && position == 0 && value.isNaN)
    }

    @Test func oneChecksumWithoutTheOtherIsDamage() throws {
        let contents = try SafeTensors.decode(try ModelFileFixtures.smallFile.get(), file: "small.slope")
        let text = try #require(contents.metadata["slope"])
        // The tensors' checksums, but no checksum of the manifest.
        let withoutManifestSum = SafeTensors.encode(contents.tensors, metadata: ["format": "slope", "slope": text])
        #expect(loadError(withoutManifestSum) == .damaged(file: "model.slope",
                part: "the manifest has tensor checksums but `__metadata__` has no slopeManifestCRC32"))
        // A checksum of a manifest without tensor checksums.
        let pairs = try #require(try JSONParser.parse(Array(text.utf8)).objectValue)
        let bare = JSON.object(pairs.filter { $0.0 != ModelFileChecksum.tensorsField }).description
        let withoutTensorSums = SafeTensors.encode(contents.tensors, metadata: [
            "format": "slope", "slope": bare, ModelFileChecksum.manifestKey: ModelFileChecksum.hex(ModelFileChecksum.crc32(Array(bare.utf8))),
        ])
        #expect(loadError(withoutTensorSums) == .damaged(file: "model.slope",
                part: "`__metadata__` has a slopeManifestCRC32 but the manifest has no tensorCRC32"))
        // A tensor checksum list that misses a tensor, or names one the file lacks.
        var sums = try #require(pairs.first { $0.0 == ModelFileChecksum.tensorsField }?.1.objectValue)
        let dropped = sums.removeFirst()
        for table in [sums, sums + [dropped, ("extra.weight", .string("00000000"))]] {
            let edited = JSON.object(pairs.filter { $0.0 != ModelFileChecksum.tensorsField } + [(ModelFileChecksum.tensorsField, .object(table))])
            let text = edited.description
            let bytes = SafeTensors.encode(contents.tensors, metadata: [
                "format": "slope", "slope": text, ModelFileChecksum.manifestKey: ModelFileChecksum.hex(ModelFileChecksum.crc32(Array(text.utf8))),
            ])
            let error = try #require(loadError(bytes))
            #expect("\(error)".hasPrefix("model.slope: the file is damaged: "), "\(error)")
            // The first tensor has no checksum in either list (it was dropped, then appended after the others).
            let named = table.contains { $0.0 == dropped.0 } ? "`extra.weight`" : "`\(dropped.0)`"
            #expect("\(error)".contains(named), "\(error)")
        }
    }

    /// Every single-byte change of a file (a seeded sample of positions and values) is refused,
    /// or loads a model that predicts bit for bit as the original (a change the format ignores,
    /// such as a space of the header's padding turned into another space-like byte).
    @Test func singleByteDamageIsRefusedOrHarmless() throws {
        let bytes = try ModelFileFixtures.smallFile.get()
        let table = try CSVReader().parse(ModelFileFixtures.smallCSV, source: "small.csv")
        let expected = try Learner.load(bytes: bytes, file: "small.slope").predict(rows: table)
        var rng = SeededGenerator(seed: 20_261_202)
        var refused = 0, harmless = 0
        for _ in 0..<400 {
            var damaged = bytes
            let position = Int.random(in: 0..<bytes.count, using: &rng)
            damaged[position] ^= UInt8.random(in: 1...255, using: &rng)
            do {
                let learner = try Learner.load(bytes: damaged, file: "damaged.slope")
                #expect(try learner.predict(rows: table) == expected, "byte \(position) changed: the file loads and predicts differently")
                harmless += 1
            } catch {
                #expect("\(error)".hasPrefix("damaged.slope"), "\(error)")
                refused += 1
            }
        }
        #expect(refused > 350, "\(refused) refused, \(harmless) harmless")
    }
}
