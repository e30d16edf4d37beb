import Testing
import MoonEngine
@testable import MoonAnalysis

@Suite struct ClassLabelsTests {
    @Test func labelsPassThroughAndScoresReduceByArgmax() throws {
        #expect(try ClassLabels.from(labels([2, 0, 1]), "f", "pred") == [2, 0, 1])
        #expect(try ClassLabels.from(T([2, 0, 1], [3, 1]), "f", "pred") == [2, 0, 1])
        let scores = T([0.1, 0.7, 0.2,
                        0.9, 0.0, 0.1,
                        -3, -2, -1], [3, 3])
        #expect(try ClassLabels.from(scores, "f", "pred") == [1, 0, 2])
    }

    @Test func rejectsFractionsNegativesAndBadRanks() {
        #expect(message { try ClassLabels.from(T([0, 1.5], [2]), "metrics.accuracy", "labels") }
                == "metrics.accuracy: labels must be class labels 0..K-1, found 1.5 at position 2")
        #expect(message { try ClassLabels.from(T([-1], [1]), "f", "labels") }?.contains("found -1.0 at position 1") == true)
        #expect(message { try ClassLabels.from(T([0, 0, 0, 0, 0, 0, 0, 0], [2, 2, 2]), "f", "pred") }?.contains("{2,2,2}") == true)
    }
}

@Suite struct MetricsTests {
    // Hand-computed: y = 0 1 2 2 2, pred = 0 0 2 2 1 → right at positions 1, 3, 4.
    let y = labels([0, 1, 2, 2, 2])
    let pred = labels([0, 0, 2, 2, 1])

    @Test func accuracy() throws {
        #expect(try Metrics.accuracy(pred, y) == 0.6)
        let scores = T([5, 1, 0,  0, 2, 1,  0, 0, 3], [3, 3])
        #expect(try Metrics.accuracy(scores, labels([0, 1, 1])) == 2.0 / 3.0)
    }

    @Test func confusionMatrixRowsAreTrueLabels() throws {
        let m = try Metrics.confusionMatrix(pred, y, k: 3)
        #expect(m.shape == [3, 3])
        #expect(m.toArray() == [1, 0, 0,
                                1, 0, 0,
                                0, 1, 2])
        // k defaults to the largest label + 1; a larger k pads with zeros.
        #expect(try Metrics.confusionMatrix(pred, y).shape == [3, 3])
        #expect(try Metrics.confusionMatrix(pred, y, k: 4).toArray().reduce(0, +) == 5)
    }

    @Test func misclassifiedPositions() throws {
        #expect(try Metrics.misclassified(pred, y) == [1, 4])
    }

    @Test func meanAbsoluteError() throws {
        // |1-0| + |2-4| + |3-3| + |-1-1| = 5 over 4.
        #expect(try Metrics.mae(T([1, 2, 3, -1], [4]), T([0, 4, 3, 1], [4])) == 1.25)
        #expect(try Metrics.mae(T([1, 2], [2, 1]), T([2, 2], [2])) == 0.5)
        #expect(message { try Metrics.mae(T([1, 2, 3], [3]), T([1, 2], [2])) }
                == "metrics.mae: predictions of shape {3} do not match targets of shape {2}")
    }

    @Test func badInputNamesTheCall() {
        #expect(message { try Metrics.accuracy(labels([0, 1]), labels([0])) } == "metrics.accuracy: 2 predictions but 1 labels")
        #expect(message { try Metrics.confusionMatrix(self.pred, self.y, k: 2) }
                == "metrics.confusion_matrix: true label 2 at position 3 is out of range for 2 classes (labels are 0..1)")
        #expect(message { try Metrics.accuracy(labels([]), labels([])) }?.contains("no samples") == true)
        #expect(message { try ClassificationReport([0, 3], [0, 1], classNames: ["a", "b"]) }
                == "metrics.report: predicted label 3 at position 2 is out of range for 2 classes (labels are 0..1)")
    }
}

@Suite struct ClassificationReportTests {
    // scikit-learn's documented example: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].
    let report = try! ClassificationReport([0, 0, 2, 2, 1], [0, 1, 2, 2, 2], classNames: ["class 0", "class 1", "class 2"])

    @Test func perClassFigures() {
        let c = report.classes
        #expect(c.map(\.support) == [1, 1, 3])
        #expect(c[0].precision == 0.5 && c[0].recall == 1 && Swift.abs(c[0].f1 - 2.0 / 3.0) < 1e-12)
        #expect(c[1].precision == 0 && c[1].recall == 0 && c[1].f1 == 0)
        #expect(c[2].precision == 1 && Swift.abs(c[2].recall - 2.0 / 3.0) < 1e-12 && Swift.abs(c[2].f1 - 0.8) < 1e-12)
    }

    @Test func averagesAndAccuracy() {
        #expect(report.accuracy == 0.6)
        #expect(Swift.abs(report.macroAverage.precision - 0.5) < 1e-12)
        #expect(Swift.abs(report.macroAverage.recall - 5.0 / 9.0) < 1e-12)
        #expect(Swift.abs(report.macroAverage.f1 - (2.0 / 3.0 + 0.8) / 3) < 1e-12)
        #expect(Swift.abs(report.weightedAverage.precision - 0.7) < 1e-12)
        #expect(Swift.abs(report.weightedAverage.recall - 0.6) < 1e-12)
        #expect(Swift.abs(report.weightedAverage.f1 - (2.0 / 3.0 + 2.4) / 5) < 1e-12)
        #expect(report.weightedAverage.support == 5)
    }

    @Test func printsLikeScikitLearn() {
        let expected = """
                          precision    recall  f1-score   support

                 class 0       0.50      1.00      0.67         1
                 class 1       0.00      0.00      0.00         1
                 class 2       1.00      0.67      0.80         3

                accuracy                           0.60         5
               macro avg       0.50      0.56      0.49         5
            weighted avg       0.70      0.60      0.61         5
            """
        #expect(report.text() == expected)
    }

    @Test func namesDefaultToLabelsAndDigitsWiden() throws {
        let r = try ClassificationReport([1, 1], [1, 0])
        #expect(r.classes.map(\.name) == ["0", "1"])
        #expect(r.text(digits: 4).contains("0.5000"))
    }

    @Test func fixedRounding() {
        #expect(fixed(0.666666, 2) == "0.67")
        #expect(fixed(0.005, 2) == "0.01")
        #expect(fixed(1, 3) == "1.000")
        #expect(fixed(-0.25, 1) == "-0.2")
        #expect(fixed(0.125, 2) == "0.12")
    }
}
