/// The fitted preprocessing as plain JSON data, for model files.
extension Preprocessing {
    /// The JSON form written into a model's manifest.
    public var json: JSON {
        switch self {
        case .none:
            return .object([("kind", .string("none"))])
        case .tabular(let prep):
            return .object([
                ("kind", .string("tabular")), ("target", .string(prep.target)), ("task", .string(prep.task.rawValue)),
                ("classes", .array(prep.classes.map(JSON.string))),
                ("categorical", .array(prep.categorical.map { column in
                    var pairs: [(String, JSON)] = [("name", .string(column.name)), ("vocabulary", .array(column.vocabulary.map(JSON.string)))]
                    if let source = column.indicatorOf { pairs.append(("indicatorOf", .string(source))) }
                    return .object(pairs)
                })),
                ("continuous", .array(prep.continuous.map { column in
                    .object([("name", .string(column.name)), ("fill", .number(column.fill)), ("mean", .number(column.mean)),
                             ("std", .number(column.std))])
                })),
                ("targetMean", .number(prep.targetMean)), ("targetStd", .number(prep.targetStd)),
            ])
        case .image(let prep):
            var pairs: [(String, JSON)] = [
                ("kind", .string("image")), ("height", .int(prep.height)), ("width", .int(prep.width)),
                ("channels", .int(prep.channels)), ("mean", .floats(prep.mean)), ("std", .floats(prep.std)),
            ]
            if let resize = prep.fastaiResize {
                pairs.append(("fastaiResize", .object([("method", .string(resize.method.rawValue)), ("padMode", .string(resize.padMode.rawValue))])))
            }
            return .object(pairs)
        }
    }

    /// Reads the JSON form, naming the field of any problem.
    init(json: JSON, file: String) throws(ModelFileError) {
        func fail(_ field: String, _ expected: String) -> ModelFileError { .manifest(file: file, field: "preprocessing.\(field)", expected: expected) }
        func strings(_ value: JSON?, _ field: String) throws(ModelFileError) -> [String] {
            guard let values = value?.arrayValue else { throw fail(field, "a list of strings") }
            var result: [String] = []
            for value in values {
                guard let text = value.stringValue else { throw fail(field, "a list of strings") }
                result.append(text)
            }
            return result
        }
        func number(_ value: JSON?, _ field: String) throws(ModelFileError) -> Double {
            guard let number = value?.numberValue else { throw fail(field, "a number") }
            return number
        }
        switch json["kind"]?.stringValue {
        case "none":
            self = .none
        case "tabular":
            guard let target = json["target"]?.stringValue else { throw fail("target", "a string") }
            guard let task = json["task"]?.stringValue.flatMap(TabularTask.init) else { throw fail("task", "classification or regression") }
            var categorical: [TabularPreprocessor.Categorical] = []
            for (index, entry) in (json["categorical"]?.arrayValue ?? []).enumerated() {
                guard let name = entry["name"]?.stringValue else { throw fail("categorical[\(index)].name", "a string") }
                let vocabulary = try strings(entry["vocabulary"], "categorical[\(index)].vocabulary")
                guard vocabulary.first == TabularPreprocessor.missing, Set(vocabulary).count == vocabulary.count else {
                    throw fail("categorical[\(index)].vocabulary", "distinct values starting with #na#")
                }
                let indicatorOf = entry["indicatorOf"]?.stringValue
                if indicatorOf != nil && vocabulary != [TabularPreprocessor.missing, "False", "True"] {
                    throw fail("categorical[\(index)].vocabulary", "[\"#na#\", \"False\", \"True\"] for a missing-value indicator")
                }
                categorical.append(.init(name: name, vocabulary: vocabulary, indicatorOf: indicatorOf))
            }
            var continuous: [TabularPreprocessor.Continuous] = []
            for (index, entry) in (json["continuous"]?.arrayValue ?? []).enumerated() {
                guard let name = entry["name"]?.stringValue else { throw fail("continuous[\(index)].name", "a string") }
                let std = try number(entry["std"], "continuous[\(index)].std")
                guard std > 0 else { throw fail("continuous[\(index)].std", "a positive number") }
                continuous.append(.init(name: name, fill: try number(entry["fill"], "continuous[\(index)].fill"),
                                        mean: try number(entry["mean"], "continuous[\(index)].mean"), std: std))
            }
            let classes = try strings(json["classes"], "classes")
            if task == .classification && classes.count < 2 { throw fail("classes", "at least two class names") }
            let targetStd = try number(json["targetStd"], "targetStd")
            guard targetStd > 0 else { throw fail("targetStd", "a positive number") }
            self = .tabular(TabularPreprocessor(categorical: categorical, continuous: continuous, target: target, task: task,
                                                classes: classes, targetMean: try number(json["targetMean"], "targetMean"),
                                                targetStd: targetStd))
        case "image":
            func size(_ key: String) throws(ModelFileError) -> Int {
                guard let value = json[key]?.numberValue, value == value.rounded(), value >= 1, value <= 16_384 else {
                    throw fail(key, "a size in 1...16384")
                }
                return Int(value)
            }
            let channels = try size("channels")
            guard channels == 1 || channels == 3 else { throw fail("channels", "1 or 3") }
            func floats(_ key: String) throws(ModelFileError) -> [Float] {
                guard let values = json[key]?.arrayValue, values.count == channels else { throw fail(key, "\(channels) numbers") }
                var result: [Float] = []
                for value in values {
                    guard let number = value.numberValue else { throw fail(key, "\(channels) numbers") }
                    result.append(Float(number))
                }
                return result
            }
            let std = try floats("std")
            guard std.allSatisfy({ $0 > 0 }) else { throw fail("std", "positive numbers") }
            var resize: FastAIResize?
            if let rule = json["fastaiResize"] {
                guard let method = rule["method"]?.stringValue.flatMap(FastAIResize.Method.init) else {
                    throw fail("fastaiResize.method", "crop, squish or pad")
                }
                guard let padMode = rule["padMode"]?.stringValue.flatMap(FastAIResize.PadMode.init) else {
                    throw fail("fastaiResize.padMode", "zeros, border or reflection")
                }
                resize = FastAIResize(method: method, padMode: padMode)
            }
            self = .image(ImagePreprocessing(height: try size("height"), width: try size("width"), channels: channels,
                                             mean: try floats("mean"), std: std, fastaiResize: resize))
        default:
            throw fail("kind", "none, tabular or image")
        }
    }
}
