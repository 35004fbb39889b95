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
                ("continuous", .array(prep.continuous.map(\.json))),
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

    /// Reads the JSON form, naming the field of any problem (`preprocessing.continuous.2.std`).
    init(json: JSON, file: String) throws(ModelFileError) {
        do { self = try Preprocessing(reading: JSONReader(json, path: "preprocessing")) } catch { throw .manifest(file: file, error) }
    }

    /// Reads the JSON form through a reader: the rule for what a model file's preprocessing may
    /// hold, which export and training apply to what they are about to write.
    ///
    /// - Parameter reader: the preprocessing's object.
    /// - Throws: `JSONReadError` naming the first member that is missing, of the wrong kind or out
    ///   of range.
    init(reading reader: JSONReader) throws(JSONReadError) {
        let kind = reader["kind"]
        switch try kind.string() {
        case "none": self = .none
        case "tabular": self = .tabular(try TabularPreprocessor(reading: reader))
        case "image": self = .image(try ImagePreprocessing(reading: reader))
        default: throw kind.failure("none, tabular or image")
        }
    }
}

/// The numbers a Float holds (normalisation runs in Float).
let floatRange = -Double(Float.greatestFiniteMagnitude)...Double(Float.greatestFiniteMagnitude)
/// The positive numbers a Float holds at full precision (a scale smaller than this, a denormal,
/// turns ordinary values into infinities).
let positiveFloatRange = Double(Float.leastNormalMagnitude)...Double(Float.greatestFiniteMagnitude)

extension TabularPreprocessor {
    /// Reads a tabular preprocessing: vocabularies with `#na#` first and no repeats, indicators
    /// with `#na#, False, True`, continuous columns by ``Continuous/init(reading:)``, at least two
    /// classes for classification, and a target mean and std that fit a Float.
    ///
    /// - Parameter reader: the preprocessing's object.
    /// - Throws: `JSONReadError` naming the member.
    init(reading reader: JSONReader) throws(JSONReadError) {
        let target = try reader["target"].string()
        let taskReader = reader["task"]
        guard let task = TabularTask(rawValue: try taskReader.string()) else { throw taskReader.failure("classification or regression") }
        var categorical: [Categorical] = []
        for entry in try reader["categorical"].optional({ (list) throws(JSONReadError) in try list.array() }) ?? [] {
            let name = try entry["name"].string()
            let vocabularyReader = entry["vocabulary"]
            let vocabulary = try vocabularyReader.strings()
            guard vocabulary.first == TabularPreprocessor.missing, Set(vocabulary).count == vocabulary.count else {
                throw vocabularyReader.failure("distinct values starting with #na#")
            }
            let indicatorOf = try entry["indicatorOf"].optional { (value) throws(JSONReadError) in try value.string() }
            if indicatorOf != nil && vocabulary != [TabularPreprocessor.missing, "False", "True"] {
                throw vocabularyReader.failure("[\"#na#\", \"False\", \"True\"] for a missing-value indicator")
            }
            categorical.append(Categorical(name: name, vocabulary: vocabulary, indicatorOf: indicatorOf))
        }
        var continuous: [Continuous] = []
        for entry in try reader["continuous"].optional({ (list) throws(JSONReadError) in try list.array() }) ?? [] {
            continuous.append(try Continuous(reading: entry))
        }
        let classesReader = reader["classes"]
        let classes = try classesReader.strings()
        if task == .classification && classes.count < 2 { throw classesReader.failure("at least two class names") }
        self.init(categorical: categorical, continuous: continuous, target: target, task: task, classes: classes,
                  targetMean: try reader["targetMean"].double(in: floatRange), targetStd: try reader["targetStd"].double(in: positiveFloatRange))
    }
}

extension TabularPreprocessor.Continuous {
    /// Reads a continuous column's fill value, mean and std: the rule Normalize needs, since it
    /// computes `Float((value − mean) / std)`: the fill value and mean fit a Float, the std is a
    /// positive normal Float, and the fill value normalises to a finite Float. Fitting checks the
    /// training data against the same rule.
    ///
    /// - Parameter reader: the column's object (`{"name", "fill", "mean", "std"}`).
    /// - Throws: `JSONReadError` naming the member.
    init(reading reader: JSONReader) throws(JSONReadError) {
        let name = try reader["name"].string()
        let fill = try reader["fill"].double(in: floatRange)
        let mean = try reader["mean"].double(in: floatRange)
        let stdReader = reader["std"]
        let std = try stdReader.double(in: positiveFloatRange)
        guard Float((fill - mean) / std).isFinite else {
            throw stdReader.failure("a std by which the fill value \(fill) normalises to a finite Float (mean \(mean))")
        }
        self.init(name: name, fill: fill, mean: mean, std: std)
    }
}

extension TabularPreprocessor.Continuous {
    /// The JSON form: `{"name", "fill", "mean", "std"}`.
    var json: JSON {
        .object([("name", .string(name)), ("fill", .number(fill)), ("mean", .number(mean)), ("std", .number(std))])
    }
}

extension ImagePreprocessing {
    /// Reads an image preprocessing: a size of at most ``InputLimits/imagePixels``, 1 or 3
    /// channels, and per channel a mean and a positive normal std by which every pixel in
    /// [0, 1] normalises to a finite Float (what `apply(to:resize:)` computes).
    ///
    /// - Parameter reader: the preprocessing's object.
    /// - Throws: `JSONReadError` naming the member.
    init(reading reader: JSONReader) throws(JSONReadError) {
        let height = try reader["height"].int(in: 1...16_384), width = try reader["width"].int(in: 1...16_384)
        let limit = InputLimits.imagePixels
        guard height * width <= limit.value else {
            throw reader["height"].failure("height × width (\(height) × \(width)) of at most \(limit) pixels")
        }
        let channelsReader = reader["channels"]
        let channels = try channelsReader.int(in: 1...3)
        guard channels == 1 || channels == 3 else { throw channelsReader.failure("1 or 3") }
        var mean: [Float] = [], std: [Float] = []
        for value in try reader["mean"].array(count: channels...channels) { mean.append(try value.float()) }
        for (channel, value) in try reader["std"].array(count: channels...channels).enumerated() {
            let scale = try value.float(in: Float.leastNormalMagnitude...Float.greatestFiniteMagnitude)
            guard ((0 - mean[channel]) / scale).isFinite, ((1 - mean[channel]) / scale).isFinite else {
                throw value.failure("a std by which pixels in [0, 1] normalise to finite Floats (mean \(mean[channel]))")
            }
            std.append(scale)
        }
        let resize = try reader["fastaiResize"].optional { (rule) throws(JSONReadError) -> FastAIResize in
            _ = try rule.members(allowed: ["method", "padMode"])
            let methodReader = rule["method"], padReader = rule["padMode"]
            guard let method = FastAIResize.Method(rawValue: try methodReader.string()) else { throw methodReader.failure("crop, squish or pad") }
            guard let padMode = FastAIResize.PadMode(rawValue: try padReader.string()) else {
                throw padReader.failure("zeros, border or reflection")
            }
            return FastAIResize(method: method, padMode: padMode)
        }
        self.init(height: height, width: width, channels: channels, mean: mean, std: std, fastaiResize: resize)
    }
}
