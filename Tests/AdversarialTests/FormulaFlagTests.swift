import Foundation
import Testing

// `slope interact --function FORMULA` through the real binary: a formula serves a page that fits
// it; a bad or hostile formula is refused before serving, naming the column, without a crash
// or a hang.

@Suite("slope interact --function")
struct FormulaFlagTests {
    @Test func badFormulasAreRefusedWithTheirColumn() {
        let cases: [(String, String)] = [
            ("a*sin(b*x", "formula column 10: expected `)`"),
            ("a*sine(x) + c", "formula column 3: unknown function `sine`"),
            ("2x", "formula column 2: expected an operator"),
            (String(repeating: "(", count: 100_000) + "x", "at most 1000 characters"),
            (String(repeating: "-", count: 999) + "x", "nests deeper than 100"),
        ]
        for (formula, words) in cases {
            let run = runSlope(["interact", "--port", "0", "--function=" + formula])
            let label = formula.count > 40 ? "\(formula.prefix(20))… (\(formula.count) characters)" : formula
            #expect(run.status != nil && run.status != 0, "`\(label)`: status \(String(describing: run.status)), signal \(String(describing: run.signal))")
            #expect(!run.timedOut, "`\(label)` hung")
            #expect(run.stderr.contains("--function") && run.stderr.contains(words), "`\(label)`: \(run.stderr.prefix(300))")
            #expect(run.stderr.count < 1_000, "the message does not echo a long formula whole")
        }
    }

    @Test func aFormulaServesAPageThatFitsIt() throws {
        let server = try #require(InteractChild(arguments: ["--function", "a*sin(b*x) + c"]), "slope interact did not start")
        defer { server.stop() }
        let json = ["Content-Type: application/json"]
        let created = try HostileHTTPTests.exchange(server, HostileHTTPTests.request("POST", "/api/session", host: "127.0.0.1:\(server.port)",
                                                                                     headers: json, body: "{}")).get()
        #expect(created.status == 201)
        #expect(created.body.contains(#""function":"a*sin(b*x) + c""#), "\(created.body.prefix(200))")
        #expect(created.body.contains(#""params":[{"name":"a","value":1,"#), "\(created.body.prefix(300))")
        let session = try #require(created.body.firstMatch(of: /"session":"([^"]+)"/)?.1)
        let step = try HostileHTTPTests.exchange(server, HostileHTTPTests.request("POST", "/api/step?session=\(session)", host: "127.0.0.1:\(server.port)",
                                                                                  headers: json, body: #"{"lr":0.01}"#)).get()
        #expect(step.status == 200)
        #expect(step.body.contains(#""steps":1"#))
    }
}
