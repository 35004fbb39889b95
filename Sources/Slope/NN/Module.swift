/// A part of a network: holds parameters (every stored `Tensor` property), buffers (properties
/// marked `@Buffer`) and child modules (stored `Module` properties, arrays and optionals of
/// them), found by reflection, so a layer needs no registration code. Keys are dotted paths in
/// PyTorch's style (`layers.0.weight`; camelCase names become snake_case: `runningMean` is
/// `running_mean`), in declaration order, so a PyTorch `state_dict` of the same architecture
/// lines up key for key.
///
/// ```swift
/// final class TwoLayer: Module {
///     let hidden: Linear
///     let output: Linear
///     init(generator: inout some RandomNumberGenerator) {
///         hidden = Linear(inputFeatures: 1, outputFeatures: 32, generator: &generator)
///         output = Linear(inputFeatures: 32, outputFeatures: 1, generator: &generator)
///     }
///     override func forward(_ x: Tensor) -> Tensor { output(hidden(x).relu()) }
/// }
/// TwoLayer(generator: &rng).namedParameters().map(\.key)
/// // ["hidden.weight", "hidden.bias", "output.weight", "output.bias"]
/// ```
open class Module: CustomStringConvertible, @unchecked Sendable {
    /// Whether the module is in training mode (dropout active, batch norm using batch
    /// statistics); set with `train()` and `eval()`.
    public private(set) var isTraining = true

    /// Makes a module in training mode.
    public init() {}

    // MARK: - Forward

    /// Computes the output for `input`; every layer overrides this.
    ///
    /// ```swift
    /// let y = model.forward(x)   // same as model(x)
    /// ```
    ///
    /// - Parameter input: The input batch, in the shape the layer documents.
    /// - Returns: The output; recorded for `backward()` when the input or a parameter requires grad
    ///   (the base class has no computation and stops with a message).
    open func forward(_ input: Tensor) -> Tensor {
        requireFailure("\(type(of: self)) must override forward(_:) to be called")
    }

    /// The shape `forward(_:)` gives for an input of shape `input`, or a `ShapeError` saying why
    /// the module cannot take it, worked out from the module's settings without computing
    /// anything. Each layer states here exactly the rule its `forward` applies (composite modules
    /// compose their children's with `childOutputShape`); loading a model file calls it to check
    /// that the file's preprocessing feeds the model what it accepts. The default has no rule.
    ///
    /// ```swift
    /// try model.outputShape(for: [1, 1, 28, 28])   // [1, 10]
    /// ```
    ///
    /// - Parameter input: the input's shape.
    /// - Returns: the output's shape.
    /// - Throws: `ShapeError` when the module cannot take `input` (or has no rule).
    open func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        throw ShapeError(noRuleFor: self, input: input)
    }

    /// Checks values just loaded into this module's own parameters and buffers (from a file)
    /// against the rule its `forward` relies on, beyond being finite, which loading checks for
    /// every tensor: batch norm's running variance plus ε must be positive. The default accepts
    /// any finite values.
    ///
    /// ```swift
    /// norm.runningVar.assign(Tensor([-1, 1]))
    /// norm.checkLoadedValues()   // (name: "running_var", expected: "values with running_var + ε > 0 (ε = 1e-05)", found: "-1.0 at index 0")
    /// ```
    ///
    /// - Returns: the own tensor's key name (as `ownParameters()`/`ownBuffers()` give it), what its
    ///   values must be and what was found; `nil` when the values are acceptable.
    open func checkLoadedValues() -> (name: String, expected: String, found: String)? { nil }

    /// Calls `forward(_:)`.
    ///
    /// ```swift
    /// let y = model(x)
    /// ```
    ///
    /// - Parameter input: The input batch.
    /// - Returns: `forward(input)`.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input) }

    // MARK: - Tree

    /// The direct children with their names, in declaration order (arrays give `name.0`,
    /// `name.1`, ...). Containers such as `Sequential` override this.
    ///
    /// ```swift
    /// model.namedChildren().map(\.name)   // ["0", "1", "2"]
    /// ```
    ///
    /// - Returns: Each child module with its name: the property name, `name.i` for element `i` of an
    ///   array, nothing for a `nil` optional.
    open func namedChildren() -> [(name: String, module: Module)] {
        reflectedSlots().compactMap { slot in
            if case .module(let module) = slot.value { return (slot.name, module) }
            return nil
        }
    }

    /// This module's own parameters (not its children's), with their names.
    ///
    /// - Returns: The stored `Tensor` properties not marked `@Buffer`, under their snake_case names.
    open func ownParameters() -> [(name: String, tensor: Tensor)] {
        reflectedSlots().compactMap { slot in
            if case .parameter(let tensor) = slot.value { return (slot.name, tensor) }
            return nil
        }
    }

    /// This module's own buffers (not its children's), with their names.
    ///
    /// - Returns: The stored `@Buffer` properties, under their snake_case names.
    open func ownBuffers() -> [(name: String, tensor: Tensor)] {
        reflectedSlots().compactMap { slot in
            if case .buffer(let tensor) = slot.value { return (slot.name, tensor) }
            return nil
        }
    }

    /// The direct children, in order.
    ///
    /// ```swift
    /// for child in model.children() { print(child) }
    /// ```
    ///
    /// - Returns: `namedChildren()`'s modules without their names.
    public func children() -> [Module] { namedChildren().map(\.module) }

    /// This module and every descendant, depth first, with dotted paths (`""` for this one);
    /// a module reached twice (a shared layer) is listed once, as PyTorch's `named_modules`.
    ///
    /// ```swift
    /// model.namedModules().map(\.path)   // ["", "0", "1", "2"]
    /// ```
    ///
    /// - Returns: `(path, module)` pairs, this module first with path `""`.
    public func namedModules() -> [(path: String, module: Module)] {
        var seen = Set<ObjectIdentifier>()
        return walkModules(deduplicate: true, seen: &seen)
    }

    /// Depth-first walk; with `deduplicate`, modules already in `seen` are skipped.
    private func walkModules(deduplicate: Bool, seen: inout Set<ObjectIdentifier>) -> [(path: String, module: Module)] {
        if deduplicate && !seen.insert(ObjectIdentifier(self)).inserted { return [] }
        var result: [(path: String, module: Module)] = [("", self)]
        for (name, child) in namedChildren() {
            for (path, module) in child.walkModules(deduplicate: deduplicate, seen: &seen) {
                result.append((path.isEmpty ? name : name + "." + path, module))
            }
        }
        return result
    }

    /// Every parameter in the tree with its dotted key, in a stable order (own parameters in
    /// declaration order, then each child's); a shared tensor is listed once.
    ///
    /// ```swift
    /// model.namedParameters().map(\.key)   // ["0.weight", "0.bias", "2.weight", "2.bias"]
    /// ```
    ///
    /// - Returns: `(key, tensor)` pairs with dotted keys such as `layers.0.weight`; the tensors are the
    ///   module's own (changing them changes the model).
    public func namedParameters() -> [(key: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return namedModules().flatMap { path, module in
            module.ownParameters().filter { seen.insert(ObjectIdentifier($0.tensor)).inserted }
                .map { (path.isEmpty ? $0.name : path + "." + $0.name, $0.tensor) }
        }
    }

    /// Every buffer in the tree with its dotted key.
    ///
    /// ```swift
    /// bn.namedBuffers().map(\.key)   // ["running_mean", "running_var", "num_batches_tracked"]
    /// ```
    ///
    /// - Returns: `(key, tensor)` pairs with dotted keys such as `1.running_mean`.
    public func namedBuffers() -> [(key: String, tensor: Tensor)] {
        namedModules().flatMap { path, module in
            module.ownBuffers().map { (path.isEmpty ? $0.name : path + "." + $0.name, $0.tensor) }
        }
    }

    /// The parameters alone, in `namedParameters()` order.
    ///
    /// ```swift
    /// let optimizer = SGD(model.parameters(), lr: 0.1)
    /// ```
    ///
    /// - Returns: The parameter tensors themselves, not copies.
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters and buffers together under their keys: what a `state_dict` holds (as in
    /// PyTorch, a shared layer appears under each of its paths).
    ///
    /// ```swift
    /// let state = model.stateDict()
    /// ```
    ///
    /// - Returns: Module by module in tree order, each module's parameters then its buffers, with
    ///   dotted keys; the tensors themselves.
    public func stateDict() -> [(key: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return walkModules(deduplicate: false, seen: &seen).flatMap { path, module in
            (module.ownParameters() + module.ownBuffers()).map {
                (path.isEmpty ? $0.name : path + "." + $0.name, $0.tensor)
            }
        }
    }

    /// The descendant at a dotted path (`"0.layers.1"`; `""` is this module), or a thrown
    /// error naming the first part that does not exist and what exists there.
    ///
    /// ```swift
    /// let firstBlock = try model.getSubmodule("layers.0")
    /// ```
    ///
    /// - Parameter path: Child names joined by `.` (`"0.layers.1"`); `""` is this module.
    /// - Returns: The module at that path.
    /// - Throws: `ModuleError.missingSubmodule` naming the whole path, the first missing part, the
    ///   module it was looked up in and the names of that module's children.
    public func getSubmodule(_ path: String) throws(ModuleError) -> Module {
        let parts = path.isEmpty ? [] : path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var current: Module = self
        var walked: [String] = []
        var index = 0
        while index < parts.count {
            // A child's name may itself hold dots (`embeds.0` for an array property): take the
            // longest run of parts that names a child.
            let children = current.namedChildren()
            var match: (module: Module, length: Int)?
            for length in stride(from: parts.count - index, through: 1, by: -1) {
                let name = parts[index..<(index + length)].joined(separator: ".")
                if let child = children.first(where: { $0.name == name })?.module { match = (child, length); break }
            }
            guard let match else {
                throw .missingSubmodule(path: path, missing: parts[index], parent: walked.joined(separator: "."),
                                        available: children.map(\.name))
            }
            walked.append(parts[index..<(index + match.length)].joined(separator: "."))
            current = match.module
            index += match.length
        }
        return current
    }

    /// The number of parameter values (all, or only those that require grad).
    ///
    /// ```swift
    /// print(model.parameterCount())   // 97
    /// ```
    ///
    /// - Parameter trainableOnly: `true` counts only parameters that require grad (not frozen ones).
    /// - Returns: The total number of scalar values, each shared tensor counted once.
    public func parameterCount(trainableOnly: Bool = false) -> Int {
        parameters().filter { !trainableOnly || $0.requiresGrad }.reduce(0) { $0 + $1.count }
    }

    // MARK: - Modes

    /// Puts this module and its descendants in training mode, and returns it.
    ///
    /// ```swift
    /// model.train()
    /// ```
    ///
    /// - Parameter on: `true` for training mode, `false` for evaluation mode (as `eval()`).
    /// - Returns: This module, for chaining.
    @discardableResult
    public func train(_ on: Bool = true) -> Self {
        for (_, module) in namedModules() { module.isTraining = on }
        return self
    }

    /// Puts this module and its descendants in evaluation mode, and returns it.
    ///
    /// ```swift
    /// model.eval()
    /// let prediction = noGrad { model(x) }
    /// ```
    ///
    /// - Returns: This module, for chaining.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Stops gradients for every parameter (they keep their values), and returns the module.
    ///
    /// ```swift
    /// try model.getSubmodule("0").freeze()
    /// ```
    ///
    /// - Returns: This module, for chaining.
    @discardableResult
    public func freeze() -> Self {
        for parameter in parameters() { parameter.requiresGrad(false) }
        return self
    }

    /// Lets every parameter receive gradients again, and returns the module.
    ///
    /// ```swift
    /// model.unfreeze()
    /// ```
    ///
    /// - Returns: This module, for chaining.
    @discardableResult
    public func unfreeze() -> Self {
        for parameter in parameters() { parameter.requiresGrad(true) }
        return self
    }

    /// Clears every parameter's gradient.
    ///
    /// ```swift
    /// model.zeroGrad()
    /// ```
    public func zeroGrad() {
        for parameter in parameters() { parameter.zeroGrad() }
    }

    // MARK: - Printing

    /// The settings shown between the parentheses of the printed tree
    /// (`inputFeatures: 1, outputFeatures: 32, bias: true`): a `ModuleArchitecture`'s settings,
    /// unless a module overrides this.
    open var extraDescription: String { (self as? any ModuleArchitecture)?.settingsDescription ?? "" }

    /// The module tree, printed like PyTorch's:
    /// ```
    /// Sequential(
    ///   (0): Linear(inputFeatures: 1, outputFeatures: 32, bias: true)
    ///   (1): ReLU()
    /// )
    /// ```
    public var description: String {
        let name = String(describing: type(of: self))
        let children = namedChildren()
        if children.isEmpty { return "\(name)(\(extraDescription))" }
        var lines = ["\(name)(" + (extraDescription.isEmpty ? "" : extraDescription)]
        for (childName, child) in children {
            let text = child.description.replacingOccurrences(of: "\n", with: "\n  ")
            lines.append("  (\(childName)): \(text)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }

    // MARK: - Reflection

    /// What one stored property holds.
    enum SlotValue {
        case parameter(Tensor)
        case buffer(Tensor)
        case module(Module)
    }

    /// The stored properties that hold parameters, buffers or modules, with their keys,
    /// from the base class down to this class.
    func reflectedSlots() -> [(name: String, value: SlotValue)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.insert(current, at: 0)
            mirror = current.superclassMirror
        }
        var slots: [(name: String, value: SlotValue)] = []
        for mirror in mirrors {
            for child in mirror.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                let key = Module.snakeCase(label)
                switch child.value {
                case let tensor as Tensor: slots.append((key, .parameter(tensor)))
                case let buffer as Buffer: slots.append((key, .buffer(buffer.wrappedValue)))
                case let module as Module: slots.append((key, .module(module)))
                case let modules as [Module]:
                    for (index, module) in modules.enumerated() { slots.append(("\(key).\(index)", .module(module))) }
                case let tensors as [Tensor]:
                    for (index, tensor) in tensors.enumerated() { slots.append(("\(key).\(index)", .parameter(tensor))) }
                default: continue
                }
            }
        }
        return slots
    }

    /// `runningMean` -> `running_mean`, `numBatchesTracked` -> `num_batches_tracked`.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// Marks a module's tensor as a buffer: state saved with the model that gradient descent does
/// not change (batch norm's running statistics).
///
/// ```swift
/// @Buffer var runningMean: Tensor
/// ```
@propertyWrapper
public final class Buffer: @unchecked Sendable {
    /// The buffer's tensor.
    public var wrappedValue: Tensor

    /// Wraps a tensor as a buffer.
    ///
    /// - Parameter wrappedValue: The tensor held as the buffer (its values are saved with the model).
    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue }
}

/// Errors from walking a module tree.
public enum ModuleError: Error, Equatable, CustomStringConvertible {
    /// A dotted path names a part that does not exist.
    case missingSubmodule(path: String, missing: String, parent: String, available: [String])

    /// A message naming the missing part and what exists there.
    public var description: String {
        switch self {
        case .missingSubmodule(let path, let missing, let parent, let available):
            let place = parent.isEmpty ? "the model" : "`\(parent)`"
            let choices = available.isEmpty ? "it has no submodules" : "it has: " + available.joined(separator: ", ")
            return "getSubmodule(\"\(path)\"): \(place) has no submodule `\(missing)`; \(choices)"
        }
    }
}
