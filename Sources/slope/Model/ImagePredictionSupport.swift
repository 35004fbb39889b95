import Slope

/// Predictions for image models (`slope predict model.slope photo.png`).
enum ImagePredictionSupport {
    static func predict(_ learner: Learner, input: String, json: Bool) throws {
        throw CommandError("image prediction is not available in this build yet")
    }
}
