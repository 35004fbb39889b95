import Foundation

/// A file written by `torch.save` (a `state_dict`, a whole module, or a fastai `export.pkl`),
/// read without running anything: the zip archive (one top folder, whatever its name, holding
/// `data.pkl`, `byteorder` and the storages `data/<key>`), the pickle as a symbolic
/// ``PickleGraph``, and tensors rebuilt from `_rebuild_tensor_v2` / `_rebuild_parameter` /
/// `_rebuild_from_type_v2` with their storage offset and strides. A pickle that calls a function
/// able to run code (`os.system`, `eval`, `subprocess.Popen`, ...) is refused by name before
/// anything else is looked at.
///
/// ```swift
/// let torch = try TorchFile.read(path: "resnet18.pth")
/// let weights = try torch.stateDict()   // [("conv1.weight", Tensor [64, 3, 7, 7]), ...]
/// ```
public struct TorchFile: Sendable {
    /// The file's name, for messages.
    public let file: String
    /// The archive.
    public let archive: ZipArchive
    /// The top folder's name with its slash (`resnet18/`).
    public let folder: String
    /// The pickle's graph.
    public let graph: PickleGraph
    /// Whether the storages are little-endian (the `byteorder` entry; little when absent).
    public let littleEndian: Bool

    /// Whether `bytes` start like a zip archive (`PK\u{3}\u{4}`), as every `torch.save` file does.
    ///
    /// - Parameter bytes: the first bytes of a file.
    /// - Returns: whether they are a zip signature.
    public static func looksLikeArchive(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    /// Reads a file written by `torch.save`.
    ///
    /// - Parameter path: the file.
    /// - Returns: the file, its pickle run symbolically.
    /// - Throws: ``ModelFileError`` naming the file and what is wrong (``ModelFileError/refusedGlobal(file:global:)``
    ///   for a pickle that would run code).
    public static func read(path: String) throws(ModelFileError) -> TorchFile {
        let limit = InputLimits.modelFileBytes
        let data: [UInt8]
        do { data = try FileBytes.read(path: path, limit: limit.value, setting: limit.setting) } catch {
            if case .notFound = error { throw .io(file: path, reason: "no such file") }
            throw .io(file: path, reason: error.reason)
        }
        return try TorchFile(data, file: (path as NSString).lastPathComponent)
    }

    /// Reads the bytes of a file written by `torch.save`.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - file: its name, for messages.
    ///   - limits: the bounds for its pickle.
    /// - Throws: ``ModelFileError``.
    public init(_ bytes: [UInt8], file: String, limits: PickleLimits = PickleLimits()) throws(ModelFileError) {
        guard TorchFile.looksLikeArchive(bytes) else {
            if bytes.first == 0x80 {
                throw .malformed(file: file, reason: "a bare pickle (PyTorch's legacy format before 1.6, or pickle.dump); "
                                 + "Slope reads the zip files torch.save writes since PyTorch 1.6")
            }
            throw .malformed(file: file, reason: "not a PyTorch file (no zip signature)")
        }
        let archive = try ZipArchive(bytes, file: file)
        let pickles = archive.entries.map(\.name).filter { $0.hasSuffix("/data.pkl") && $0.dropLast(9).firstIndex(of: "/") == nil }
        guard pickles.count == 1, let pickleName = pickles.first else {
            throw .malformed(file: file, reason: "expected one top folder holding data.pkl, found \(pickles.count)")
        }
        let folder = String(pickleName.dropLast(8))
        if let stray = archive.entries.first(where: { !$0.name.hasPrefix(folder) }) {
            throw .malformed(file: file, reason: "entry `\(stray.name)` lies outside the archive's folder `\(folder)`")
        }
        self.archive = archive
        self.file = file
        self.folder = folder
        if archive.contains(folder + "byteorder") {
            let order = String(decoding: try archive.contents(of: folder + "byteorder"), as: UTF8.self)
            guard order == "little" || order == "big" else { throw .malformed(file: file, reason: "byteorder `\(order.prefix(20))`") }
            littleEndian = order == "little"
        } else {
            littleEndian = true
        }
        do { graph = try PickleMachine.run(Array(try archive.contents(of: pickleName)), limits: limits) } catch {
            throw .malformed(file: file, reason: "data.pkl: \(error)")
        }
        if let refused = graph.globalNames.first(where: TorchFile.runsCode) { throw .refusedGlobal(file: file, global: refused) }
    }

    // MARK: - Refusing code

    /// Modules whose every function can run code or touch the system.
    static let refusedModules: Set<String> = [
        "os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "pty", "importlib", "runpy", "code", "codeop", "ctypes",
        "multiprocessing", "signal", "webbrowser", "pickle", "_pickle", "marshal", "pdb", "timeit", "platform", "commands",
        "asyncio", "threading", "_thread", "http", "urllib", "ftplib", "smtplib", "telnetlib", "zipimport", "site", "distutils",
        "setuptools", "pip", "torch.hub", "pydoc",
    ]
    /// Built-in functions that run or load code.
    static let refusedBuiltins: Set<String> = [
        "eval", "exec", "execfile", "compile", "__import__", "open", "input", "breakpoint", "globals", "locals", "vars", "delattr",
        "setattr", "exit", "quit", "help", "memoryview",
    ]

    /// Whether a global named `module.name` can run code or touch the system (`posix.system`,
    /// `builtins.eval`, `subprocess.Popen`, ...).
    ///
    /// - Parameter dotted: `module.name`.
    /// - Returns: whether Slope refuses a file that names it.
    static func runsCode(_ dotted: String) -> Bool {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let name = parts.last else { return false }
        let module = parts.dropLast().joined(separator: ".")
        if ["builtins", "__builtin__"].contains(module) { return refusedBuiltins.contains(name) }
        var prefix = ""
        for part in parts.dropLast() {
            prefix = prefix.isEmpty ? part : prefix + "." + part
            if refusedModules.contains(prefix) { return true }
        }
        return false
    }

    // MARK: - Tensors

    /// The dtypes a storage may hold: the element size and the conversion to `Float`.
    enum DType: String, CaseIterable {
        case float32 = "FloatStorage", float64 = "DoubleStorage", float16 = "HalfStorage", bfloat16 = "BFloat16Storage"
        case int64 = "LongStorage", int32 = "IntStorage", int16 = "ShortStorage", int8 = "CharStorage", uint8 = "ByteStorage"
        case bool = "BoolStorage"

        var size: Int {
            switch self {
            case .float64, .int64: return 8
            case .float32, .int32: return 4
            case .float16, .bfloat16, .int16: return 2
            case .int8, .uint8, .bool: return 1
            }
        }

        /// The value of the element whose bytes (in little-endian order) start at `raw`.
        func value(_ raw: UnsafePointer<UInt8>) -> Float {
            var bits: UInt64 = 0
            for index in 0..<size { bits |= UInt64(raw[index]) << (8 * UInt64(index)) }
            switch self {
            case .float32: return Float(bitPattern: UInt32(truncatingIfNeeded: bits))
            case .float64: return Float(Double(bitPattern: bits))
            case .float16: return TorchFile.halfToFloat(UInt16(truncatingIfNeeded: bits))
            case .bfloat16: return Float(bitPattern: UInt32(truncatingIfNeeded: bits) << 16)
            case .int64: return Float(Int64(bitPattern: bits))
            case .int32: return Float(Int32(truncatingIfNeeded: bits))
            case .int16: return Float(Int16(truncatingIfNeeded: bits))
            case .int8: return Float(Int8(truncatingIfNeeded: bits))
            case .uint8: return Float(UInt8(truncatingIfNeeded: bits))
            case .bool: return bits == 0 ? 0 : 1
            }
        }
    }

    /// IEEE half precision to single, exactly (subnormals, infinities and NaN included).
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign = UInt32(half >> 15) << 31
        let exponent = UInt32(half >> 10) & 0x1F
        var mantissa = UInt32(half) & 0x3FF
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            var shift: UInt32 = 0
            while mantissa & 0x400 == 0 { mantissa <<= 1; shift += 1 }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | (113 - shift) << 23 | mantissa << 13)
        }
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }

    /// The names of the functions that rebuild tensors.
    static let tensorRebuilders: Set<String> = [
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state", "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type",
    ]

    /// Whether a value is a tensor (a call of one of PyTorch's tensor rebuilders).
    ///
    /// - Parameter value: a value of the graph.
    /// - Returns: whether ``tensor(_:key:)`` applies.
    public func isTensor(_ value: PickleValue) -> Bool {
        graph.className(value).map(TorchFile.tensorRebuilders.contains) ?? false
    }

    /// Rebuilds a tensor as `Float` values: its storage's dtype converted, read at its storage
    /// offset with its strides.
    ///
    /// - Parameters:
    ///   - value: a tensor in the graph.
    ///   - key: its name, for messages.
    /// - Returns: the tensor.
    /// - Throws: ``ModelFileError`` naming the key.
    public func tensor(_ value: PickleValue, key: String) throws(ModelFileError) -> Tensor {
        try tensor(value, key: key, depth: 0)
    }

    private func fail(_ key: String, _ reason: String) -> ModelFileError { .malformed(file: file, reason: "tensor `\(key)`: \(reason)") }

    private func tensor(_ value: PickleValue, key: String, depth: Int) throws(ModelFileError) -> Tensor {
        guard depth < 8, let instance = graph.instance(value), let name = graph.globalName(instance.callee) else {
            throw fail(key, "not a tensor")
        }
        let arguments = instance.arguments
        switch name {
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let data = arguments.first else { throw fail(key, "\(name) without its data") }
            return try tensor(data, key: key, depth: depth + 1)
        case "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type":
            // (func, type, args, state): the tensor is func(*args); the subclass (a fastai TensorBase) is dropped.
            guard arguments.count >= 3, let function = graph.globalName(arguments[0]),
                  TorchFile.tensorRebuilders.contains(function), let inner = graph.items(arguments[2]) else {
                throw fail(key, "\(name) that does not rebuild a plain tensor")
            }
            var rebuilt = instance
            rebuilt.callee = arguments[0]
            rebuilt.arguments = inner
            return try rebuild(rebuilt, function: function, key: key)
        default:
            return try rebuild(instance, function: name, key: key)
        }
    }

    private func rebuild(_ instance: PickleInstance, function: String, key: String) throws(ModelFileError) -> Tensor {
        guard function == "torch._utils._rebuild_tensor_v2" || function == "torch._utils._rebuild_tensor" else {
            throw fail(key, "\(function) is not a tensor rebuild Slope reads")
        }
        let arguments = instance.arguments
        guard arguments.count >= 4 else { throw fail(key, "\(function) with \(arguments.count) arguments, expected at least 4") }
        guard case .persistentID(let id)? = graph.node(arguments[0]), let idItems = graph.items(id), idItems.count == 5,
              idItems[0] == .string("storage"), let storageType = graph.globalName(idItems[1]),
              case .string(let storageKey) = idItems[2], case .int(let numel) = idItems[4] else {
            throw fail(key, "its storage is not a ('storage', type, key, location, numel) reference")
        }
        let typeName = storageType.split(separator: ".").last.map(String.init) ?? storageType
        let dtype: DType
        if let known = DType(rawValue: typeName) { dtype = known } else if typeName == "UntypedStorage" { dtype = .uint8 } else {
            throw .unsupportedDType(file: file, key: key, dtype: storageType)
        }
        guard case .int(let offset) = arguments[1], offset >= 0 else { throw fail(key, "a storage offset that is not a whole number ≥ 0") }
        let shape = try integers(arguments[2], key: key, what: "size")
        let strides = try integers(arguments[3], key: key, what: "stride")
        guard strides.count == shape.count else { throw fail(key, "\(shape.count) sizes but \(strides.count) strides") }
        guard shape.count <= 16, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw fail(key, "a size or stride that is negative, or more than 16 axes")
        }
        guard let count = checkedProduct(shape), count <= InputLimits.modelParameters.value else {
            throw fail(key, "shape \(shape) holds more than \(InputLimits.modelParameters) values")
        }
        let bytes = try archive.contents(of: folder + "data/" + storageKey)
        let needed = numel.multipliedReportingOverflow(by: dtype.size)
        guard numel >= 0, !needed.overflow, needed.partialValue <= bytes.count else {
            throw fail(key, "storage `\(storageKey)` holds \(bytes.count) bytes, fewer than its \(numel) elements of \(dtype.size) bytes")
        }
        var last = offset
        if count > 0 {
            for (size, stride) in zip(shape, strides) {
                let (step, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
                guard !overflow, last <= Int.max - step else { throw fail(key, "strides that overflow") }
                last += step
            }
            guard last < numel else { throw fail(key, "size \(shape) with stride \(strides) at offset \(offset) reads past its storage of \(numel) elements") }
        }
        var values = [Float](repeating: 0, count: count)
        let little = littleEndian
        bytes.withUnsafeBufferPointer { raw in
            let base = raw.baseAddress!
            var element = [UInt8](repeating: 0, count: dtype.size)
            func read(_ index: Int) -> Float {
                let start = base + index * dtype.size
                if little { return dtype.value(start) }
                for byte in 0..<dtype.size { element[byte] = start[dtype.size - 1 - byte] }
                return element.withUnsafeBufferPointer { dtype.value($0.baseAddress!) }
            }
            var contiguous = true
            var expected = 1
            for (size, stride) in zip(shape, strides).reversed() where size != 1 {
                if stride != expected { contiguous = false }
                expected *= size
            }
            if contiguous {
                if little && dtype == .float32 {
                    values.withUnsafeMutableBytes { out in
                        out.copyMemory(from: UnsafeRawBufferPointer(start: base + offset * 4, count: count * 4))
                    }
                } else {
                    for index in 0..<count { values[index] = read(offset + index) }
                }
                return
            }
            // A strided view: walk the multi-index.
            var position = [Int](repeating: 0, count: shape.count)
            var source = offset
            for index in 0..<count {
                values[index] = read(source)
                var axis = shape.count - 1
                while axis >= 0 {
                    position[axis] += 1
                    source += strides[axis]
                    if position[axis] < shape[axis] { break }
                    source -= strides[axis] * shape[axis]
                    position[axis] = 0
                    axis -= 1
                }
            }
        }
        return Tensor(shape: shape, scalars: values)
    }

    private func integers(_ value: PickleValue, key: String, what: String) throws(ModelFileError) -> [Int] {
        var items = graph.items(value)
        if items == nil, graph.className(value) == "torch.Size", let first = graph.instance(value)?.arguments.first {
            items = graph.items(first)
        }
        guard let items else { throw fail(key, "its \(what) is not a tuple") }
        var numbers: [Int] = []
        for item in items {
            guard case .int(let number) = item else { throw fail(key, "its \(what) holds something other than whole numbers") }
            numbers.append(number)
        }
        return numbers
    }

    // MARK: - State dicts

    /// The tensors of a `state_dict` saved with `torch.save(model.state_dict())`, in order (also
    /// found under `state_dict` or `model_state_dict` of a checkpoint dict).
    ///
    /// - Returns: the keys and tensors.
    /// - Throws: ``ModelFileError`` when the file holds no dict of tensors.
    public func stateDict() throws(ModelFileError) -> [(key: String, tensor: Tensor)] {
        var root = graph.root
        if let entries = graph.entries(root), !entries.contains(where: { isTensor($0.value) }) {
            for name in ["state_dict", "model_state_dict"] {
                if let inner = graph.member(root, name) { root = inner; break }
            }
        }
        guard let entries = graph.entries(root) else {
            let kind = graph.className(root).map { "a `\($0)`" } ?? "no dict"
            throw .malformed(file: file, reason: "expected a state_dict (a dict of tensors), found \(kind); "
                             + "for torch.save(model) use Module.load(from:)")
        }
        var tensors: [(key: String, tensor: Tensor)] = []
        for entry in entries {
            guard case .string(let key) = entry.key else { throw .malformed(file: file, reason: "a state_dict key that is not a string") }
            guard isTensor(entry.value) else {
                if let name = graph.className(entry.value) {
                    throw .unsupportedClass(file: file, path: key, className: name, reason: "a state_dict holds tensors only")
                }
                throw .malformed(file: file, reason: "state_dict entry `\(key)` is not a tensor")
            }
            tensors.append((key, try tensor(entry.value, key: key)))
        }
        return tensors
    }
}
