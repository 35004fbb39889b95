import Dispatch
import Foundation

/// A labelled image dataset laid out as one subfolder per class: `root/cat/1.png`, `root/dog/a.jpg`.
///
/// Class names are the subfolder names, sorted (by Unicode code point, like Python's `sorted`), and
/// a file's label is its class's index. Files are found recursively inside each class folder and
/// sorted by path; hidden files and folders (names starting with `.`) are skipped, and only PNG
/// and JPEG files count, recognised by extension (`.png`, `.jpg`, `.jpeg`, any case) or by their
/// first bytes. Listing and loading throw an ``ImageDataError`` naming the folder or file.
///
/// ```swift
/// let folder = try ImageFolder(root: "pets/train")
/// print(folder.classNames, folder.count)  // ["cat", "dog"] 200
/// let prep = ImagePreprocessing(height: 64, width: 64, channels: 3, normalization: .imageNet)
/// let set = try folder.loadAll(preprocessing: prep)  // 200 × 3 × 64 × 64 floats
/// ```
public struct ImageFolder: Sendable {
    /// The folder holding one subfolder per class, as the caller spelled it.
    public let root: String
    /// The class subfolder names, sorted; `classNames[label]` names a label.
    public let classNames: [String]
    /// Every image file's path (`root/<class>/<relative path>`), grouped by class, sorted within each.
    public let files: [String]
    /// The label of each file in ``files``.
    public let labels: [Int]

    /// How deep image files may sit below their class folder.
    static let maxDepth = 16

    /// Lists the class folders and image files under `root`.
    ///
    /// Throws when `root` is missing or a file, holds no class subfolders, or a class folder holds
    /// no images.
    ///
    /// ```swift
    /// let folder = try ImageFolder(root: "data/flowers")
    /// ```
    ///
    /// - Parameter root: The folder holding one subfolder per class.
    /// - Throws: ``ImageDataError``: `fileNotFound`, `notAFolder`, `unreadable` for a folder that cannot
    ///   be listed, `noClassFolders`, `emptyClassFolder`, or `unreadable` for a FIFO, device or socket
    ///   among the files.
    public init(root: String) throws(ImageDataError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) else { throw .fileNotFound(file: root) }
        guard isFolder.boolValue else { throw .notAFolder(path: root) }
        let entries = try Self.visibleEntries(of: root)
        var classNames: [String] = []
        var imagesAtTop = 0
        for name in entries {
            let path = Self.join(root, name)
            var entryIsFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &entryIsFolder) else { continue }
            if entryIsFolder.boolValue {
                classNames.append(name)
            } else if Self.isImageFile(path) {
                imagesAtTop += 1
            }
        }
        guard !classNames.isEmpty else { throw .noClassFolders(root: root, imagesAtTop: imagesAtTop) }
        var files: [String] = []
        var labels: [Int] = []
        for (label, name) in classNames.enumerated() {
            var found: [String] = []
            try Self.collectImages(in: Self.join(root, name), depth: 0, into: &found)
            guard !found.isEmpty else { throw .emptyClassFolder(root: root, className: name) }
            files += found
            labels += Array(repeating: label, count: found.count)
        }
        self.root = root
        self.classNames = classNames
        self.files = files
        self.labels = labels
    }

    /// The number of image files.
    ///
    /// ```swift
    /// print(try ImageFolder(root: "pets").count)
    /// ```
    public var count: Int { files.count }

    // MARK: - Loading

    /// Decodes file `index` and applies `preprocessing`: `channels × height × width` floats.
    ///
    /// ```swift
    /// let (input, label) = (try folder.load(at: 0, preprocessing: prep), folder.labels[0])
    /// ```
    ///
    /// - Parameters:
    ///   - index: The file's position in ``files``.
    ///   - preprocessing: The size, channels and normalisation to apply.
    ///   - resize: `.stretch` to resample to the size, `.fill` to scale and centre-crop.
    /// - Returns: `channels × height × width` floats, CHW.
    /// - Throws: ``ImageDataError`` from ``ImageFile/decode(path:maxPixels:)`` for that file.
    public func load(at index: Int, preprocessing: ImagePreprocessing, resize: ImageResize = .stretch) throws(ImageDataError) -> [Float] {
        require(files.indices.contains(index), "ImageFolder.load: index \(index) is outside 0..<\(files.count)")
        return try preprocessing.load(path: files[index], resize: resize)
    }

    /// Decodes and preprocesses every file, in order, using all cores. The first corrupt file (in
    /// file order) is the error thrown.
    ///
    /// ```swift
    /// let train = try ImageFolder(root: "pets/train").loadAll(preprocessing: prep)
    /// ```
    ///
    /// - Parameters:
    ///   - preprocessing: The size, channels and normalisation to apply.
    ///   - resize: `.stretch` to resample to the size, `.fill` to scale and centre-crop.
    /// - Returns: Every image, labelled, with ``classNames``.
    /// - Throws: The ``ImageDataError`` of the first file (in file order) that cannot be decoded.
    public func loadAll(preprocessing: ImagePreprocessing, resize: ImageResize = .stretch) throws(ImageDataError) -> LabeledImages {
        let size = preprocessing.outputSize
        let results = LoadResults(count: files.count, size: size)
        let files = files
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            if results.failed(before: index) { return }
            do throws(ImageDataError) {
                let floats = try preprocessing.load(path: files[index], resize: resize)
                results.store(floats, at: index)
            } catch {
                results.fail(error, at: index)
            }
        }
        if let failure = results.firstFailure { throw failure }
        return LabeledImages(images: results.values, count: files.count, channels: preprocessing.channels,
                             height: preprocessing.height, width: preprocessing.width, labels: labels, classNames: classNames)
    }

    // MARK: - Listing

    /// Whether `path` names a PNG or JPEG: by extension, else by its first bytes.
    ///
    /// ```swift
    /// ImageFolder.isImageFile("cat/001.JPG")  // true
    /// ```
    ///
    /// - Parameter path: A file path.
    /// - Returns: `true` for a `.png`, `.jpg` or `.jpeg` name (any case), or a file whose first
    ///   bytes are PNG's or JPEG's magic.
    public static func isImageFile(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), ["png", "jpg", "jpeg"].contains(name[name.index(after: dot)...].lowercased()) {
            return true
        }
        guard let head = FileBytes.prefix(path: path, count: 8) else { return false }
        return ImageFile.format(of: head) != nil
    }

    /// The names in `folder` that do not start with `.`, sorted by code point.
    private static func visibleEntries(of folder: String) throws(ImageDataError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            let permitted = FileManager.default.isReadableFile(atPath: folder)
            throw .unreadable(file: folder, reason: permitted ? "cannot list the folder" : "permission denied")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// Appends the image files under `folder` (recursively, not following links to folders).
    /// A FIFO, device or socket is refused by its type (it is never opened, so it cannot block).
    private static func collectImages(in folder: String, depth: Int, into found: inout [String]) throws(ImageDataError) {
        for name in try visibleEntries(of: folder) {
            let path = join(folder, name)
            let isLink = FileBytes.kind(of: path, followingLinks: false) == .link
            switch FileBytes.kind(of: path) {
            case .missing, .link:
                continue  // a broken link
            case .folder:
                if !isLink && depth < maxDepth { try collectImages(in: path, depth: depth + 1, into: &found) }
            case .regular:
                if isImageFile(path) { found.append(path) }
            case .other(let kind):
                throw ImageDataError(.notRegular(file: path, kind: kind))
            }
        }
    }

    private static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}

/// Output slots shared by the workers of ``ImageFolder/loadAll(preprocessing:resize:)``; each index is
/// written by one worker only, and failures are kept under a lock.
private final class LoadResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Float]
    private let size: Int
    private var failure: (index: Int, error: ImageDataError)?

    init(count: Int, size: Int) {
        values = [Float](repeating: 0, count: count * size)
        self.size = size
    }

    func store(_ floats: [Float], at index: Int) {
        lock.lock()
        defer { lock.unlock() }
        require(floats.count == size, "ImageFolder.loadAll: preprocessing gave \(floats.count) floats, expected \(size)")
        values.withUnsafeMutableBufferPointer { buffer in
            floats.withUnsafeBufferPointer { source in
                (buffer.baseAddress! + index * size).update(from: source.baseAddress!, count: size)
            }
        }
    }

    func fail(_ error: ImageDataError, at index: Int) {
        lock.lock()
        defer { lock.unlock() }
        if failure == nil || index < failure!.index { failure = (index, error) }
    }

    /// Whether a file before `index` already failed, so loading `index` is wasted work.
    func failed(before index: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return failure.map { $0.index < index } ?? false
    }

    var firstFailure: ImageDataError? {
        lock.lock()
        defer { lock.unlock() }
        return failure?.error
    }
}
