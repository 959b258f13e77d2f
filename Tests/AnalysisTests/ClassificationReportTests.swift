import Testing
@testable import Analysis

struct ClassificationReportTests {
    /// A hand-built 3-class case. Confusion (rows true, columns predicted):
    ///   a: 3 1 0
    ///   b: 1 2 1
    ///   c: 0 0 0      (class c never occurs but is predicted once)
    @Test func metricsFromHandBuiltConfusionMatrix() {
        let truth =     [0, 0, 0, 0, 1, 1, 1, 1]
        let predicted = [0, 0, 0, 1, 0, 1, 1, 2]
        let r = ClassificationReport(classNames: ["a", "b", "c"], truth: truth, predicted: predicted)
        #expect(r.confusion == [[3, 1, 0], [1, 2, 1], [0, 0, 0]])
        // a: precision 3/4, recall 3/4, F1 3/4. b: precision 2/3, recall 2/4, F1 = 2·(2/3·1/2)/(2/3+1/2) = 4/7.
        #expect(r.classes[0] == .init(name: "a", precision: 0.75, recall: 0.75, f1: 0.75, support: 4))
        #expect(abs(r.classes[1].precision - 2.0 / 3) < 1e-15 && r.classes[1].recall == 0.5)
        #expect(abs(r.classes[1].f1 - 4.0 / 7) < 1e-15)
        #expect(r.classes[2] == .init(name: "c", precision: 0, recall: 0, f1: 0, support: 0))
        #expect(abs(r.macro.precision - (0.75 + 2.0 / 3) / 3) < 1e-15)
        #expect(abs(r.macro.recall - 1.25 / 3) < 1e-15)
        #expect(abs(r.macro.f1 - (0.75 + 4.0 / 7) / 3) < 1e-15)
        #expect(r.accuracy == 5.0 / 8)
        #expect(r.confusionCSV == "true\\predicted,a,b,c\na,3,1,0\nb,1,2,1\nc,0,0,0\n")
    }
}
