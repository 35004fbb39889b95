import Foundation
@testable import Slope

// Edits of valid model files (plain safetensors: an 8-byte little-endian header length, the JSON
// header, the tensor bytes) and seeded random mutations of any file.

enum ModelSurgery {
    /// The header text and the tensor bytes of a safetensors file.
    static func split(_ bytes: [UInt8]) -> (header: String, data: [UInt8])? {
        guard bytes.count >= 8 else { return nil }
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length >= 0, 8 + length <= bytes.count else { return nil }
        return (String(decoding: bytes[8..<(8 + length)], as: UTF8.self), Array(bytes[(8 + length)...]))
    }

    /// A safetensors file from a header text and tensor bytes.
    static func join(header: String, data: [UInt8]) -> [UInt8] {
        let text = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(text.count).littleEndian) { bytes += $0 }
        return bytes + text + data
    }

    /// A model file's bytes with its checksums computed afresh (what a crafted file does, so that
    /// a case reaches the load check it is about rather than the checksum), or nil when the bytes
    /// are not a model file with a JSON manifest.
    static func reseal(_ bytes: [UInt8]) -> [UInt8]? {
        guard let contents = try? SafeTensors.decode(bytes, file: "reseal"), let text = contents.metadata["slope"],
              let manifest = try? JSONParser.parse(Array(text.utf8)), manifest.objectValue != nil else { return nil }
        return ModelFileChecksum.encodeModelFile(contents.tensors, manifest: manifest)
    }

    /// Copies the model at `path` to `name` in the workspace with its manifest (the JSON text in
    /// `__metadata__.slope`) rewritten by `edit` and its checksums recomputed; the path of the
    /// copy, or nil.
    static func rewriteManifest(of path: String, as name: String, _ edit: (String) -> String) -> String? {
        guard let original = FileManager.default.contents(atPath: path), let (header, data) = split([UInt8](original)),
              let parsed = try? JSONParser.parse(Array(header.utf8), maxDepth: 16), case .object(let pairs) = parsed else { return nil }
        let rebuilt = pairs.map { key, value -> (String, JSON) in
            guard key == "__metadata__", case .object(let metadata) = value else { return (key, value) }
            return (key, .object(metadata.map { name, text in
                guard name == "slope", case .string(let manifest) = text else { return (name, text) }
                return (name, .string(edit(manifest)))
            }))
        }
        let edited = join(header: JSON.object(rebuilt).description, data: data)
        return Fixtures.shared.bytes(name, reseal(edited) ?? edited)
    }

    /// Copies the model at `path` with float `element` of the tensor data (counted from its start)
    /// set to `value`, with the checksums recomputed when `reseal` is true (a crafted file) and
    /// left as they were otherwise (a damaged one).
    static func setFloat(in path: String, as name: String, element: Int, to value: Float, reseal resealing: Bool = true) -> String? {
        guard let original = FileManager.default.contents(atPath: path), let (header, data) = split([UInt8](original)) else { return nil }
        var tensors = data
        let offset = element * 4
        guard offset + 4 <= tensors.count else { return nil }
        withUnsafeBytes(of: value.bitPattern.littleEndian) { for i in 0..<4 { tensors[offset + i] = $0[i] } }
        let edited = join(header: header, data: tensors)
        return Fixtures.shared.bytes(name, resealing ? reseal(edited) ?? edited : edited)
    }
}

extension ModelSurgery {
    /// The byte span of the first tensor (in the header's order) whose key starts with
    /// `keyPrefix`, counted from the start of the file, with its key.
    static func span(in bytes: [UInt8], keyPrefix: String) -> (key: String, range: Range<Int>)? {
        guard let (header, _) = split(bytes), let parsed = try? JSONParser.parse(Array(header.utf8), maxDepth: 16),
              case .object(let pairs) = parsed else { return nil }
        let start = 8 + header.utf8.count
        for (key, value) in pairs where key != "__metadata__" && key.hasPrefix(keyPrefix) {
            guard let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2,
                  let begin = offsets[0].numberValue, let end = offsets[1].numberValue else { return nil }
            return (key, (start + Int(begin))..<(start + Int(end)))
        }
        return nil
    }

    /// Copies the model at `path` with float `index` of the first tensor whose key starts with
    /// `keyPrefix` set to `value`, checksums recomputed (a crafted file).
    static func setValue(in path: String, as name: String, keyPrefix: String, index: Int, to value: Float) -> String? {
        guard var bytes = FileManager.default.contents(atPath: path).map([UInt8].init),
              let (_, range) = span(in: bytes, keyPrefix: keyPrefix), range.count >= 4 * (index + 1) else { return nil }
        withUnsafeBytes(of: value.bitPattern.littleEndian) { for i in 0..<4 { bytes[range.lowerBound + 4 * index + i] = $0[i] } }
        return Fixtures.shared.bytes(name, reseal(bytes) ?? bytes)
    }

    /// Copies the model at `path` with one bit flipped in the middle of the first tensor whose key
    /// starts with `keyPrefix`, checksums left as they were (a damaged file).
    static func flipBit(in path: String, as name: String, keyPrefix: String) -> String? {
        guard var bytes = FileManager.default.contents(atPath: path).map([UInt8].init),
              let (_, range) = span(in: bytes, keyPrefix: keyPrefix), !range.isEmpty else { return nil }
        bytes[range.lowerBound + range.count / 2] ^= 0x04
        return Fixtures.shared.bytes(name, bytes)
    }
}

/// Seeded random damage to a file's bytes: flipped bits, overwritten runs, cuts, insertions and
/// duplicated spans, a few at a time.
struct Mutator {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &rng) }

    /// One damaged copy of `original`; `protectedPrefix` bytes at the start are left alone half the time.
    mutating func mutate(_ original: [UInt8], protectedPrefix: Int = 0) -> [UInt8] {
        var bytes = original
        let low = int(0..<2) == 0 ? Swift.min(protectedPrefix, bytes.count) : 0
        for _ in 0..<int(1..<4) {
            guard bytes.count > low + 1 else { break }
            switch int(0..<6) {
            case 0:  // flip bits
                for _ in 0..<int(1..<8) { bytes[int(low..<bytes.count)] ^= UInt8(1 << int(0..<8)) }
            case 1:  // overwrite a run with a special byte
                let start = int(low..<bytes.count)
                let value: UInt8 = [0x00, 0xFF, 0x7F, 0x80, 0x22, 0x2C, 0x0A][int(0..<7)]
                for i in start..<Swift.min(bytes.count, start + int(1..<16)) { bytes[i] = value }
            case 2:  // cut the tail
                bytes.removeLast(int(1..<Swift.max(2, bytes.count - low)))
            case 3:  // insert random bytes
                let at = int(low..<bytes.count + 1)
                bytes.insert(contentsOf: (0..<int(1..<32)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 4:  // duplicate a span
                let start = int(low..<bytes.count)
                let span = Array(bytes[start..<Swift.min(bytes.count, start + int(1..<256))])
                bytes.insert(contentsOf: span, at: int(low..<bytes.count + 1))
            default:  // a 32-bit big-endian or little-endian extreme somewhere
                let at = int(low..<Swift.max(low + 1, bytes.count - 4))
                let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x0001_0000, 0x7F80_0000, 0x7FC0_0000][int(0..<7)]
                for i in 0..<4 where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
            }
        }
        return bytes
    }
}
