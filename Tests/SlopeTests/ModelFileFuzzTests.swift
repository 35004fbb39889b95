import Foundation
import Testing
@testable import Slope

// Random damage to a valid model file: decoding and loading must either succeed or throw one
// `ModelFileError` naming the file — never crash, hang or allocate absurdly. The generator is
// seeded, so a failure reproduces; the number of rounds is bounded by count and by time.

@Suite struct ModelFileFuzzTests {
    private static let maxRounds = 5_000
    private static let timeBudget: Duration = .seconds(5)
    /// Tokens spliced into header and manifest text.
    private static let tokens = [
        "[", "]", "{", "}", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "true", "-1", "0", "1.5", "1e308", "1e999", "-0",
        "2147483648", "18446744073709551616", "9007199254740993", "[100000,100000,100000]", "\"BF16\"", "\"F64\"", "\"I64\"",
        "\"I32\"", "\"__metadata__\"", "\"slope\"", "\"format\"", "99", "[]", "{}", "\"data_offsets\"", "\"shape\"", "\"dtype\"",
        String(repeating: "[", count: 100), "\u{0}", "é", "😀",
    ]

    private struct Generator {
        var rng: SeededGenerator
        mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &rng) }
        mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &rng) }
        mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
        mutating func token() -> [UInt8] { Array(ModelFileFuzzTests.tokens[int(0..<ModelFileFuzzTests.tokens.count)].utf8) }
    }

    /// The header length a file declares.
    private static func headerLength(_ bytes: [UInt8]) -> Int {
        bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    }

    /// One random mutation of `bytes` (a valid file).
    private static func mutate(_ original: [UInt8], _ g: inout Generator) -> [UInt8] {
        var bytes = original
        let header = headerLength(original)
        switch g.int(0..<6) {
        case 0:  // flip a few bytes, mostly in the length and header
            for _ in 0..<g.int(1..<9) {
                let limit = g.chance(0.8) ? 8 + header : bytes.count
                bytes[g.int(0..<limit)] ^= UInt8(1 << g.int(0..<8)) | (g.chance(0.3) ? g.byte() : 0)
            }
        case 1:  // truncate
            bytes.removeLast(g.int(1..<bytes.count + 1))
        case 2:  // insert random bytes
            let position = g.int(0..<bytes.count + 1)
            bytes.insert(contentsOf: (0..<g.int(1..<17)).map { _ in g.byte() }, at: position)
        case 3:  // overwrite the 8-byte length
            let value: UInt64
            switch g.int(0..<4) {
            case 0: value = UInt64.random(in: 0...UInt64.max, using: &g.rng)
            case 1: value = UInt64(max(0, header + g.int(-16..<17)))
            case 2: value = UInt64(1) << UInt64(g.int(0..<64))
            default: value = UInt64(g.int(0..<bytes.count + 64))
            }
            withUnsafeBytes(of: value.littleEndian) { for i in 0..<8 { bytes[i] = $0[i] } }
        case 4:  // splice tokens into the header text, keeping the length consistent half the time
            var text = Array(bytes[8..<(8 + header)])
            for _ in 0..<g.int(1..<4) {
                let start = g.int(0..<text.count + 1)
                let end = min(text.count, start + g.int(0..<8))
                text.replaceSubrange(start..<end, with: g.token())
            }
            let length = UInt64(g.chance(0.75) ? text.count : header)
            bytes = withUnsafeBytes(of: length.littleEndian) { Array($0) } + text + Array(original[(8 + header)...])
        default:  // move a header slice elsewhere (duplicates keys, breaks nesting)
            var text = Array(bytes[8..<(8 + header)])
            let start = g.int(0..<text.count), end = min(text.count, start + g.int(1..<64))
            let slice = Array(text[start..<end])
            text.insert(contentsOf: slice, at: g.int(0..<text.count + 1))
            bytes = withUnsafeBytes(of: UInt64(text.count).littleEndian) { Array($0) } + text + Array(original[(8 + header)...])
        }
        return bytes
    }

    /// The manifest text with tokens spliced in (re-encoded, so the file itself stays valid).
    private static func mutateManifest(_ manifest: [UInt8], _ g: inout Generator) -> String {
        var text = manifest
        for _ in 0..<g.int(1..<4) {
            let start = g.int(0..<text.count + 1)
            let end = min(text.count, start + g.int(0..<6))
            text.replaceSubrange(start..<end, with: g.token())
        }
        return String(decoding: text, as: UTF8.self)
    }

    @Test(.timeLimit(.minutes(1)))
    func randomDamageGivesModelFileErrorsOnly() throws {
        let original = try ModelFileFixtures.smallFile.get()
        let (tensors, manifest) = try ModelFileFixtures.smallContents()
        let manifestBytes = Array(manifest.utf8)
        let folder = try temporaryFolder("fuzz")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("fuzz.slope").path
        var g = Generator(rng: SeededGenerator(seed: 20_240_601))
        var rounds = 0, decoded = 0, loads = 0, loaded = 0
        var errorKinds: [String: Int] = [:]

        func check(_ error: ModelFileError, round: Int) {
            errorKinds[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
            #expect(error.description.contains("fuzz.slope") || error.description.contains(path),
                    "round \(round): the error does not name the file: \(error)")
        }

        let clock = ContinuousClock()
        let start = clock.now
        while rounds < Self.maxRounds && clock.now - start < Self.timeBudget {
            rounds += 1
            // Every eighth round damages only the manifest (the file stays valid safetensors).
            let manifestRound = rounds % 8 == 0
            let bytes = manifestRound
                ? SafeTensors.encode(tensors, metadata: ["format": "slope", "slope": Self.mutateManifest(manifestBytes, &g)])
                : Self.mutate(original, &g)
            do {
                _ = try SafeTensors.decode(bytes, file: "fuzz.slope")
                decoded += 1
            } catch {
                check(error, round: rounds)
                continue
            }
            // Manifest rounds, and every third other file that decodes, go through the whole load.
            guard manifestRound || decoded % 3 == 0 else { continue }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            loads += 1
            do {
                _ = try Learner.load(from: path)
                loaded += 1
            } catch {
                check(error, round: rounds)
            }
        }
        print("ModelFileFuzzTests: \(rounds) rounds, \(decoded) decoded, \(loads) loads (\(loaded) succeeded); errors: "
              + errorKinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        #expect(rounds >= 100)
        #expect(ModelFileFixtures.entries(of: folder) == ["fuzz.slope"])
    }
}
