import Foundation
import Testing

// Class 3: parsers stay linear (a 100,000-column CSV reads in seconds).
// Class 4: special files (FIFOs, devices, folders, links to them) are refused by their type,
// before they are opened, with a message that says what they are.

@Suite(.serialized) struct FileKindTests {
    static func parserCases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        let columns = 100_000
        let header = (0..<columns).map { "c\($0)" }.joined(separator: ",")
        let row = (0..<columns).map { String($0 % 10) }.joined(separator: ",")
        let wide = f.file("parsers/wide.csv", header + "\n" + row + "\n" + row + "\n")
        // A quadratic parser takes minutes on these files even in release; the debug binary the
        // tests run needs about 10 s for the 400,000-row file on an idle 2-core machine, and twice
        // that while the rest of the suite runs beside it, so the bound leaves room for load.
        var limits = ChildLimits.standard
        limits.timeout = 60
        // Reading and refusing (no x,y columns) takes one pass over the file.
        cases.append(AdversarialCase(name: "100,000-column CSV as points", arguments: ["fit", "quadratic", "--data", wide],
                                     expectation: .refuse(mentioning: ["wide.csv"]), limits: limits, memoryBudget: 512 << 20))
        // Splitting the columns and training on a few named ones is linear too.
        cases.append(AdversarialCase(name: "100,000-column CSV, train on two columns",
                                     arguments: ["train", wide, "--target", "c1", "--cont", "c2,c3", "--cat", "c4", "--valid-pct", "0.5",
                                                 "--epochs", "1", "--json"],
                                     expectation: .refuseOrSucceed(mentioning: ["wide.csv"], check: jsonIsFinite), limits: limits,
                                     memoryBudget: 512 << 20))
        cases.append(AdversarialCase(name: "100,000-column CSV, inferred columns",
                                     arguments: ["train", wide, "--target", "c1", "--valid-pct", "0.5", "--epochs", "1", "--layers", "4", "--json"],
                                     expectation: .refuseOrSucceed(mentioning: ["wide.csv"], check: jsonIsFinite), limits: limits,
                                     memoryBudget: 1 << 30))
        let quoted = f.file("parsers/quotes.csv", "x,y\n\"" + String(repeating: "\"\"", count: 500_000) + "\",1\n")
        cases.append(AdversarialCase(name: "CSV field of a million doubled quotes", arguments: ["fit", "quadratic", "--data", quoted],
                                     expectation: .refuse(mentioning: ["quotes.csv"]), limits: limits))
        let tall = f.file("parsers/tall.csv", "x,y\n" + String(repeating: "1,2\n", count: 400_000))
        cases.append(AdversarialCase(name: "400,000-row CSV of points", arguments: ["fit", "quadratic", "--data", tall, "--steps", "1", "--json"],
                                     expectation: .refuseOrSucceed(mentioning: ["tall.csv"], check: anySuccess), limits: limits))
        return cases
    }

    static func specialFileCases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        var limits = ChildLimits.standard
        limits.timeout = 15
        func refuse(_ name: String, _ arguments: [String], _ words: [String]) {
            cases.append(AdversarialCase(name: name, arguments: arguments, expectation: .refuse(mentioning: words), limits: limits,
                                         untouched: [f.out]))
        }
        let fifoCSV = f.fifo("special/table.csv")
        let fifoPNG = f.fifo("special/x.png")
        let zeroLink = f.link("special/zero.csv", to: "/dev/zero")
        let folderCSV = f.folder("special/folder.csv")
        for (label, path) in [("FIFO", fifoCSV), ("/dev/zero", "/dev/zero"), ("link to /dev/zero", zeroLink), ("folder", folderCSV)] {
            refuse("\(label) as training CSV", ["train", path, "--target", "y", "--epochs", "1"], [path, "not a regular file"])
            refuse("\(label) as points CSV", ["fit", "quadratic", "--data", path], [path, "not a regular file"])
            refuse("\(label) as relus target", ["fit", "relus", "--target", path], [path, "not a regular file"])
            refuse("\(label) as interact data", ["interact", "--port", "0", "--data", path], [path, "not a regular file"])
            refuse("\(label) as model file", ["predict", path, f.iris], [path.split(separator: "/").last.map(String.init)!, "not a regular file"])
            refuse("\(label) as inspected model", ["inspect", path], [path.split(separator: "/").last.map(String.init)!, "not a regular file"])
            if let model = f.tableModel {
                refuse("\(label) as rows to predict", ["predict", model, path], [path, "not a regular file"])
            }
        }
        if let model = f.imageModel {
            refuse("FIFO x.png to predict", ["predict", model, fifoPNG, "--json"], [fifoPNG, "not a regular file"])
            refuse("/dev/zero as image to predict", ["predict", model, "/dev/zero", "--json"], ["/dev/zero", "not a regular file"])
            let mixed = f.folder("special/predict-folder")
            f.bytes("special/predict-folder/good.png", f.pngBytes())
            f.fifo("special/predict-folder/stuck.png")
            refuse("FIFO inside a folder to predict", ["predict", model, mixed, "--json"], ["stuck.png", "not a regular file"])
        }
        let classes = f.imageFolder("special/train-folder", perClass: 3)
        f.fifo("special/train-folder/a/stuck.png")
        refuse("FIFO inside an image folder", ["train", classes, "--images", "--size", "8", "--epochs", "1"], ["stuck.png", "not a regular file"])
        let hidden = f.imageFolder("special/unnamed-fifo", perClass: 3)
        f.fifo("special/unnamed-fifo/b/noextension")
        refuse("FIFO without extension inside an image folder", ["train", hidden, "--images", "--size", "8", "--epochs", "1"],
               ["noextension", "not a regular file"])
        let idx = f.folder("special/idx")
        f.fifo("special/idx/train-images-idx3-ubyte")
        f.fifo("special/idx/train-labels-idx1-ubyte")
        refuse("FIFO as IDX images", ["train", idx + "/train-images-idx3-ubyte", "--images", "--epochs", "1"],
               ["train-images-idx3-ubyte", "not a regular file"])
        return cases
    }

    @Test func parsersAreLinear() {
        runClass("parsers", Self.parserCases())
    }

    @Test func specialFilesAreRefusedByType() {
        runClass("special files", Self.specialFileCases())
    }
}
