import Foundation

/// A problem with an image or IDX file, described so that the person who owns the file can fix it.
///
/// Every message names the file or folder (as the caller spelled it) and says what was expected
/// and what was found. `"\(error)"` and `error.localizedDescription` both print that message.
///
/// ```swift
/// do {
///     let image = try ImageFile.decode(path: "cat.png")
/// } catch {
///     print(error)  // cat.png: corrupt PNG: IHDR: CRC error
/// }
/// ```
public enum ImageDataError: Error, Equatable, Sendable {
    /// The file or folder does not exist.
    case fileNotFound(file: String)
    /// The file exists but could not be read (a directory, no permission, an I/O failure).
    case unreadable(file: String, reason: String)
    /// The file is larger than this reader accepts.
    case fileTooLarge(file: String, bytes: Int, limit: Int)
    /// An IDX file does not start with `00 00 <type> <dimensions>`.
    case badIDXMagic(file: String, found: [UInt8])
    /// An IDX file holds elements of a type other than unsigned bytes (type code 0x08).
    case unsupportedIDXType(file: String, typeCode: UInt8)
    /// An IDX file declares a shape whose element count is absurd (over `limit`).
    case absurdDimensions(file: String, shape: [Int], limit: Int)
    /// An IDX file declares a shape other than the one the caller needs (e.g. labels that are not 1-D).
    case unexpectedShape(file: String, expected: String, found: [Int])
    /// The file holds fewer bytes than its header declares.
    case truncated(file: String, expectedBytes: Int, foundBytes: Int)
    /// The file holds more bytes than its header declares.
    case trailingData(file: String, expectedBytes: Int)
    /// A gzip-compressed file could not be inflated.
    case corruptGzip(file: String, reason: String)
    /// The images file and the labels file hold different numbers of items.
    case countMismatch(imagesFile: String, images: Int, labelsFile: String, labels: Int)
    /// The file is neither a PNG nor a JPEG (judged by its first bytes, not its extension).
    case unknownImageFormat(file: String, found: [UInt8])
    /// A PNG or JPEG file is corrupt or cut short.
    case corruptImage(file: String, format: String, reason: String)
    /// A valid image in a variant that is not decoded (e.g. CMYK JPEG).
    case unsupportedImage(file: String, format: String, reason: String)
    /// The image has more pixels than the decoder's limit.
    case imageTooLarge(file: String, width: Int, height: Int, limit: Int)
    /// The file could not be written; nothing was left at the destination.
    case writeFailed(file: String, reason: String)
    /// A path that should be a folder is a file.
    case notAFolder(path: String)
    /// An image folder holds no class subfolders.
    case noClassFolders(root: String, imagesAtTop: Int)
    /// A class subfolder holds no PNG or JPEG files.
    case emptyClassFolder(root: String, className: String)
    /// The validation images do not fit the training images (another size, classes training lacks).
    case validationMismatch(file: String, reason: String)
    /// No validation images: an empty `t10k` set, or a share (`--valid-pct`) too small for the set.
    case noValidationImages(source: String, reason: String)
    /// The training images hold one class only: there is nothing to tell apart.
    case singleClass(source: String, className: String)
    /// The images would take more floats than ``InputLimits/imageSetFloats`` allows.
    case imageSetTooLarge(source: String, images: Int, floats: Int, limit: Int)
}

extension ImageDataError {
    /// The image-data error for a file that could not be read or written.
    ///
    /// ```swift
    /// do { _ = try FileBytes.read(path: path, limit: 1 << 20) } catch { throw ImageDataError(error) }
    /// ```
    /// - Parameter access: what ``FileBytes`` found.
    public init(_ access: FileAccessError) {
        switch access {
        case .notFound(let file): self = .fileNotFound(file: file)
        case .writeFailed(let file, let reason): self = .writeFailed(file: file, reason: reason)
        default: self = .unreadable(file: access.file, reason: access.reason)
        }
    }
}

// MARK: - Messages

extension ImageDataError: LocalizedError, CustomStringConvertible {
    /// The message a user can act on, e.g. `train-images.gz: truncated: expected 7840016 bytes, found 4000`.
    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "\(file): no such file or folder; check the path and the current directory"
        case .unreadable(let file, let reason):
            return "\(file): cannot read the file: \(reason)"
        case .fileTooLarge(let file, let bytes, let limit):
            return "\(file): the file is \(bytes) bytes, more than the limit of \(limit) bytes"
        case .badIDXMagic(let file, let found):
            return "\(file): not an IDX file: expected it to start with 00 00 08 <dimensions> "
                + "(e.g. 00 00 08 03 for images, 00 00 08 01 for labels), found \(Self.hex(found))"
        case .unsupportedIDXType(let file, let code):
            let names: [UInt8: String] = [0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"]
            let name = names[code].map { " (\($0))" } ?? ""
            return "\(file): IDX element type 0x\(Self.hex([code]))\(name) is not supported; expected 0x08 (unsigned bytes)"
        case .absurdDimensions(let file, let shape, let limit):
            return "\(file): the header declares shape \(shape), more than the limit of \(limit) elements "
                + "(set \(InputLimits.idxElements.setting) to raise it); the header may be corrupt"
        case .unexpectedShape(let file, let expected, let found):
            return "\(file): expected \(expected), found shape \(found)"
        case .truncated(let file, let expected, let found):
            return "\(file): truncated: expected \(expected) bytes (from the header), found \(found); the file may be cut short, download it again"
        case .trailingData(let file, let expected):
            return "\(file): expected \(expected) bytes (from the header), found more; the header does not match the data"
        case .corruptGzip(let file, let reason):
            return "\(file): corrupt gzip data: \(reason)"
        case .countMismatch(let imagesFile, let images, let labelsFile, let labels):
            return "\(imagesFile) holds \(images) images but \(labelsFile) holds \(labels) labels; expected the same count"
        case .unknownImageFormat(let file, let found):
            return "\(file): not a PNG or JPEG file: expected it to start with 89 50 4E 47 (PNG) or FF D8 FF (JPEG), "
                + "found \(found.isEmpty ? "an empty file" : Self.hex(found))"
        case .corruptImage(let file, let format, let reason):
            return "\(file): corrupt \(format): \(reason)"
        case .unsupportedImage(let file, let format, let reason):
            return "\(file): unsupported \(format): \(reason)"
        case .imageTooLarge(let file, let width, let height, let limit):
            return "\(file): the image is \(width) x \(height) pixels, more than the limit of \(limit) pixels"
        case .writeFailed(let file, let reason):
            return "\(file): cannot write the file: \(reason)"
        case .notAFolder(let path):
            return "\(path): expected a folder, found a file"
        case .noClassFolders(let root, let imagesAtTop):
            let hint = imagesAtTop > 0 ? " (it holds \(imagesAtTop) images directly; move them into one subfolder per class)" : ""
            return "\(root): no class subfolders; expected \(root)/<class name>/<image files>\(hint)"
        case .emptyClassFolder(let root, let className):
            return "\(root)/\(className): the class folder holds no PNG or JPEG files"
        case .validationMismatch(let file, let reason):
            return "\(file): the validation set does not fit the training set: \(reason)"
        case .noValidationImages(let source, let reason):
            return "\(source): no validation images: \(reason)"
        case .singleClass(let source, let className):
            return "\(source): every training image is of class `\(className)`; a classifier needs at least two classes"
        case .imageSetTooLarge(let source, let images, let floats, let limit):
            return "\(source): \(images) images at this size take \(floats) floats, more than the limit of \(limit) "
                + "(set \(InputLimits.imageSetFloats.setting) to raise it); use a smaller --size or fewer images"
        }
    }

    /// The same message as ``description``, for `error.localizedDescription`.
    public var errorDescription: String? { description }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
}
