import Foundation
import Testing
@testable import Slope

// Helpers every test file shares: one error catcher, one temporary folder, one closeness check.

/// The error of type `E` that `body` throws, or `nil` when it succeeds; an error of another type
/// is recorded as an issue at the caller.
///
/// ```swift
/// let error = caught(CSVError.self) { try CSVReader().read(contentsOfFile: path) }
/// ```
func caught<E: Error, T>(_ type: E.Type, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> E? {
    do {
        _ = try body()
        return nil
    } catch let error as E {
        return error
    } catch {
        Issue.record("expected a \(E.self), got \(Swift.type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A fresh, empty temporary folder named after `label` (the caller removes it, or uses
/// `withTemporaryFolder`).
///
/// ```swift
/// let folder = try temporaryFolder("csv")
/// defer { try? FileManager.default.removeItem(at: folder) }
/// ```
func temporaryFolder(_ label: String = "test") throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slope-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Runs `body` with the path of a fresh temporary folder, removed afterwards.
///
/// ```swift
/// try withTemporaryFolder { folder in try write(bytes, to: folder + "/x.png") }
/// ```
func withTemporaryFolder<T>(_ label: String = "test", _ body: (String) throws -> T) throws -> T {
    let folder = try temporaryFolder(label)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder.path)
}

/// Expects `actual` to have `expected`'s shape and, element by element, its values within
/// `tolerance · max(1, |expected|)`; the issue names the first element that differs and is
/// reported at the caller's line.
///
/// ```swift
/// assertClose(model(x), Tensor([0.5, 1.5]), tolerance: 1e-6)
/// ```
func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, _ comment: @autoclosure () -> String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.shape == expected.shape else {
        Issue.record("shape \(actual.shape) is not the expected \(expected.shape) \(comment())", sourceLocation: sourceLocation)
        return
    }
    assertClose(actual.scalars, expected.scalars, tolerance: tolerance, comment(), sourceLocation: sourceLocation)
}

/// Expects two value lists of the same length to agree within `tolerance · max(1, |expected|)`.
///
/// ```swift
/// assertClose(gradient.scalars, [1, 2, 3])
/// ```
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ comment: @autoclosure () -> String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(actual.count) values, expected \(expected.count) \(comment())", sourceLocation: sourceLocation)
        return
    }
    if let index = actual.indices.first(where: { !(abs(actual[$0] - expected[$0]) <= tolerance * max(1, abs(expected[$0]))) }) {
        Issue.record("element \(index) is \(actual[index]), expected \(expected[index]) (tolerance \(tolerance)) \(comment())",
                     sourceLocation: sourceLocation)
    }
}

/// Whether `value` is within `tolerance · max(1, |expected|)` of `expected`.
///
/// ```swift
/// #expect(isClose(loss.item(), 0.6931))
/// ```
func isClose(_ value: Float, _ expected: Double, tolerance: Double = 1e-5) -> Bool {
    abs(Double(value) - expected) <= tolerance * max(1, abs(expected))
}
