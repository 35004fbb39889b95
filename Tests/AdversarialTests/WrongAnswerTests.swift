import Foundation
import Testing

// Class 5: runs that used to exit 0 with a wrong, empty or NaN answer: a model with NaN
// weights, an empty validation set, a loss that explodes, column options that contradict each
// other, flags whose real problem was hidden.

@Suite(.serialized) struct WrongAnswerTests {
    static func cases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        func refuse(_ name: String, _ arguments: [String], _ words: [String]) {
            cases.append(AdversarialCase(name: name, arguments: arguments, expectation: .refuse(mentioning: words), untouched: [f.out]))
        }
        let export = f.out + "/model.slope"
        let train = ["train", f.titanic, "--target", "Survived", "--epochs", "1", "--export", export]
        refuse("--cat Survived (the target)", train + ["--cat", "Survived,Sex"], ["Survived", "--cat"])
        refuse("--cont Survived (the target)", train + ["--cont", "Survived,Fare"], ["Survived", "--cont"])
        refuse("--cat Fare --cont Fare", train + ["--cat", "Fare", "--cont", "Fare"], ["Fare"])
        refuse("--cat Sex,Sex", train + ["--cat", "Sex,Sex"], ["Sex"])
        refuse("--ignore Survived", train + ["--ignore", "Survived"], ["Survived", "--ignore"])
        refuse("--ignore Fare --cont Fare", train + ["--ignore", "Fare", "--cont", "Fare,Age"], ["Fare"])
        refuse("--cat Sex,,Pclass", train + ["--cat", "Sex,,Pclass"], ["--cat"])
        refuse("--cat ''", train + ["--cat", ""], ["--cat"])
        refuse("--layers 1,,2", train + ["--layers", "1,,2"], ["--layers"])
        refuse("--layers ,", train + ["--layers", ","], ["--layers"])
        refuse("--layers ''", train + ["--layers", ""], ["--layers"])
        refuse("--lr -1 (train)", train + ["--lr", "-1"], ["--lr", "positive"])
        refuse("--lr=-1 (train)", train + ["--lr=-1"], ["--lr", "positive"])
        refuse("--lr -1 (fit)", ["fit", "quadratic", "--lr", "-1"], ["--lr", "positive"])
        refuse("--lr=-1e-3 (fit relus)", ["fit", "relus", "--lr=-1e-3"], ["--lr", "positive"])
        refuse("--wd -1", train + ["--wd", "-1"], ["--wd"])
        refuse("--valid-pct 0.0001", ["train", f.iris, "--target", "target", "--valid-pct", "0.0001", "--epochs", "1", "--export", export],
               ["--valid-pct"])
        refuse("--valid-pct 0.0001 images", ["train", f.imageFolder("wrong/folder", perClass: 3), "--images", "--size", "8",
                                             "--valid-pct", "0.0001", "--epochs", "1"], ["--valid-pct"])
        refuse("one image per class", ["train", f.imageFolder("wrong/one-each", perClass: 1), "--images", "--size", "8", "--epochs", "1"],
               ["one-each"])
        refuse("single-class image folder", ["train", f.imageFolder("wrong/one-class", classes: ["only"], perClass: 6), "--images",
                                             "--size", "8", "--epochs", "1", "--export", export], ["one-class"])
        let emptyTest = f.idxPair(folder: "wrong/empty-t10k", count: 30, height: 12, width: 12)
        f.idxPair(folder: "wrong/empty-t10k", prefix: "t10k", count: 0, height: 12, width: 12)
        refuse("empty t10k set", ["train", emptyTest, "--images", "--epochs", "1", "--export", export], ["t10k-images"])
        let digits = f.idxPair(folder: "wrong/explode", count: 64, height: 12, width: 12, labels: [0, 1, 2, 3])
        refuse("image training at --lr 1000", ["train", digits, "--images", "--epochs", "3", "--lr", "1000", "--export", export], ["--lr"])
        refuse("table training at --lr 1e30", ["train", f.iris, "--target", "target", "--epochs", "3", "--lr", "1e30", "--export", export],
               ["learning rate"])
        // A model whose weights hold NaN or infinity must not predict labels as if nothing happened.
        if let model = f.tableModel {
            for (index, value) in [(0, Float.nan), (3, Float.infinity), (40, -Float.infinity)] {
                if let damaged = ModelSurgery.setFloat(in: model, as: "wrong/nan\(index).slope", element: index, to: value) {
                    cases.append(AdversarialCase(name: "model with \(value) weight \(index)", arguments: ["predict", damaged, f.iris, "--json"],
                                                 expectation: .refuseOrSucceed(mentioning: ["nan\(index).slope"], check: predictionsAreFinite)))
                }
            }
        }
        return cases
    }

    @Test func noSilentWrongAnswers() {
        runClass("wrong answers", Self.cases())
    }
}
