import Foundation
import Testing
@testable import Slope

// The strict, limited JSON parser that reads safetensors headers and manifests.

private func parse(_ text: String, maxDepth: Int = 64, maxBytes: Int = 64 << 20) throws(JSONParser.ParseError) -> JSON {
    try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth, maxBytes: maxBytes)
}

/// The error parsing `text` throws, or `nil` when it parses.
private func parseError(_ text: String, maxDepth: Int = 64, maxBytes: Int = 64 << 20) -> JSONParser.ParseError? {
    do {
        _ = try parse(text, maxDepth: maxDepth, maxBytes: maxBytes)
        return nil
    } catch {
        return error
    }
}

@Suite struct JSONParserValidTests {
    @Test func nestedDocument() throws {
        let value = try parse(#" { "a" : [1, {"b": null, "c": [true, false]}], "d": "x", "e": {} , "f": [] } "#)
        #expect(value.objectValue?.map(\.0) == ["a", "d", "e", "f"])
        #expect(value["a"]?.arrayValue?.count == 2)
        #expect(value["a"]?.arrayValue?[0].numberValue == 1)
        #expect(value["a"]?.arrayValue?[1]["b"] == .null)
        #expect(value["a"]?.arrayValue?[1]["c"]?.arrayValue?.compactMap(\.boolValue) == [true, false])
        #expect(value["d"]?.stringValue == "x")
        #expect(value["e"]?.objectValue?.isEmpty == true)
        #expect(value["f"]?.arrayValue?.isEmpty == true)
        #expect(value["missing"] == nil)
        #expect(value.description == #"{"a":[1,{"b":null,"c":[true,false]}],"d":"x","e":{},"f":[]}"#)
    }

    @Test func whitespaceOfAllFourKinds() throws {
        #expect(try parse("\t\r\n [ 1 ,\n2\t] \r\n").arrayValue?.compactMap(\.numberValue) == [1, 2])
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""\" \\ \/ \b \f \n \r \t""#).stringValue == "\" \\ / \u{08} \u{0C} \n \r \t")
        #expect(try parse(#""\u00e9\u4E2D\u0041\u0000""#).stringValue == "é中A\u{0}")
        #expect(try parse(#""\ud83d\ude00 smile""#).stringValue == "😀 smile")
        #expect(try parse(#""\uD834\uDD1E""#).stringValue == "𝄞")
        #expect(try parse("\"é中😀\"").stringValue == "é中😀")
        #expect(try parse(#""""#).stringValue == "")
    }

    @Test func numbers() throws {
        let cases: [(String, Double)] = [("0", 0), ("-0", 0), ("42", 42), ("-1.5e3", -1500), ("2E-2", 0.02), ("1e+2", 100),
                                         ("3.25", 3.25), ("123456789012", 123_456_789_012), ("1.7976931348623157e308", .greatestFiniteMagnitude),
                                         ("5e-324", .leastNonzeroMagnitude), ("0.1", 0.1)]
        for (text, expected) in cases {
            #expect(try parse(text).numberValue == expected, "\(text)")
            #expect(try parse("[\(text)]").arrayValue?.first?.numberValue == expected, "\(text)")
        }
    }

    @Test func writtenJSONParsesBackToTheSameValue() throws {
        let value = JSON.object([
            ("text", .string("quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{0} emoji 😀 é")),
            ("numbers", .array([.int(0), .int(-7), .number(0.1), .number(-1.5e300), .float(0.5735), .int(1 << 52)])),
            ("nested", .object([("empty", .array([])), ("null", .null), ("flags", .array([.bool(true), .bool(false)]))])),
        ])
        let parsed = try JSONParser.parse(Array(value.description.utf8))
        #expect(parsed == value)
        #expect(parsed["text"]?.stringValue == "quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{0} emoji 😀 é")
        #expect(parsed["numbers"]?.arrayValue?[4].numberValue == 0.5735)
    }

    @Test func depthUpToTheLimitIsAccepted() throws {
        // `maxDepth` containers around a scalar.
        let text = String(repeating: "[", count: 16) + "1" + String(repeating: "]", count: 16)
        #expect(throws: Never.self) { try parse(text, maxDepth: 16) }
        let objects = String(repeating: "{\"k\":", count: 64) + "1" + String(repeating: "}", count: 64)
        #expect(throws: Never.self) { try parse(objects) }
    }

    @Test func sizeUpToTheLimitIsAccepted() throws {
        #expect(try parse("[1,2]", maxBytes: 5).arrayValue?.count == 2)
    }
}

@Suite struct JSONParserRejectionTests {
    @Test func trailingCommas() {
        #expect(parseError("[1,2,]")?.offset == 5)
        #expect(parseError(#"{"a":1,}"#)?.offset == 7)
        #expect(parseError(#"{"a":1,}"#)?.reason.contains("key") == true)
        #expect(parseError("[,]")?.offset == 1)
        #expect(parseError("[1 2]")?.offset == 3)
    }

    @Test func unterminatedStrings() {
        let error = parseError(#""abc"#)
        #expect(error?.offset == 4)
        #expect(error?.reason.contains("unterminated") == true)
        #expect(error?.description == "unterminated string at byte 4")
        #expect(parseError(#"{"key"#) != nil)
        #expect(parseError(#"["abc\"#) != nil)
        #expect(parseError(#""\u12"#) != nil)
    }

    @Test func controlCharactersInStrings() {
        for byte in [0x00, 0x0A, 0x09, 0x1F] as [UInt8] {
            let bytes: [UInt8] = [0x22, 0x61, byte, 0x62, 0x22]
            do {
                _ = try JSONParser.parse(bytes)
                Issue.record("control character \(byte) was accepted")
            } catch {
                #expect(error.reason.contains("control character"))
                // The offset points at the control character or just after it.
                #expect((2...3).contains(error.offset))
            }
        }
    }

    @Test func loneSurrogates() {
        for text in [#""\ud800""#, #""\ud800x""#, #""\ud800\u0041""#, #""\udc00""#, #""\ude00\ud83d""#, #""a\uDBFF""#] {
            let error = parseError(text)
            #expect(error != nil, "\(text)")
            #expect(error.map { $0.offset > 0 && $0.offset <= text.utf8.count } == true, "\(text)")
        }
        #expect(parseError(#""\ud800\u0041""#)?.reason.contains("surrogate") == true)
    }

    @Test func invalidEscapesAndUTF8() {
        #expect(parseError(#""\x41""#)?.reason.contains("escape") == true)
        #expect(parseError(#""\u00G0""#)?.reason.contains("hex") == true)
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0xFF]] {
            #expect(throws: JSONParser.ParseError.self) { try JSONParser.parse(bytes) }
        }
    }

    @Test func depthOverTheLimit() {
        let error = parseError("[[[1]]]", maxDepth: 2)
        #expect(error?.offset == 3)
        #expect(error?.reason.contains("deeper than 2") == true)
        #expect(parseError(String(repeating: "[", count: 66) + "1" + String(repeating: "]", count: 66)) != nil)
        // Far past the limit, open or closed: rejected at the limit, no stack overflow.
        for count in [10_000, 1_000_000] {
            #expect(parseError(String(repeating: "[", count: count))?.offset == 65)
            #expect(parseError(String(repeating: "{\"a\":", count: count))?.reason.contains("deeper") == true)
        }
    }

    @Test func sizeOverTheLimit() {
        let error = parseError("[1,2,3]", maxBytes: 6)
        #expect(error?.offset == 0)
        #expect(error?.reason.contains("larger than the limit") == true)
    }

    @Test func nonFiniteNumbersAndOtherNonJSONLiterals() {
        for (text, offset) in [("NaN", 0), ("Infinity", 0), ("-Infinity", 0), ("nan", 0), ("[NaN]", 1), ("[1,Infinity]", 3),
                               (#"{"a":-Infinity}"#, 5), ("1e999", 0), ("-1e999", 0), ("undefined", 0), ("True", 0), ("nul", 0),
                               ("'a'", 0)] {
            let error = parseError(text)
            #expect(error?.offset == offset, "\(text): \(String(describing: error))")
        }
    }

    @Test func nonJSONNumberForms() {
        // RFC 8259: no leading `+`, no leading zeros, digits on both sides of `.`, digits after `e`.
        for text in ["+1", "01", "-01", "1.", "1.e5", ".5", "-.5", "-", "1e", "1e+", "0x10", "1..2", "--1"] {
            #expect(parseError(text) != nil, "`\(text)` is not JSON")
        }
    }

    @Test func emptyAndTrailingText() {
        #expect(parseError("")?.offset == 0)
        #expect(parseError("   ")?.offset == 3)
        #expect(parseError("{} x")?.offset == 3)
        #expect(parseError("[1] [2]")?.offset == 4)
        #expect(parseError(#"{"a" 1}"#)?.reason.contains("`:`") == true)
        #expect(parseError(#"{1:2}"#)?.offset == 1)
    }
}
