import Analysis
import ArgumentParser
import Foundation

/// `palimpsest stats`: the significance tests on a user's own paired per-sample files.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Significance tests on your own paired per-sample CSV files.",
        subcommands: [TTest.self, McNemar.self]
    )

    struct Files: ParsableArguments {
        @Argument(help: "CSV file of model A.") var a: String
        @Argument(help: "CSV file of model B (rows matched to A by id).") var b: String
        @Flag(help: "Print one JSON object instead of text.") var json = false
    }

    struct TTest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ttest",
            abstract: "Paired t-test on two 'id,score' files (e.g. probe F1 per repeat seed)."
        )
        @OptionGroup var files: Files

        func run() throws {
            let a = try IdentifiedValues.readCSV(at: URL(fileURLWithPath: files.a), column: "score")
            let b = try IdentifiedValues.readCSV(at: URL(fileURLWithPath: files.b), column: "score")
            let paired = try IdentifiedValues.pair(a, b)
            let result = try PairedTTestResult(a: paired.a, b: paired.b)
            if files.json { return try printJSON(result) }
            print("""
                Paired t-test: \(files.a) (A) vs \(files.b) (B), \(result.n) pairs
                  mean difference A − B = \(format(result.meanDifference))
                  t = \(format(result.t)), df = \(result.df), two-sided p = \(format(result.p))
                  Cohen's d (paired) = \(format(result.cohensD))
                """)
        }
    }

    struct McNemar: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcnemar",
            abstract: "McNemar's test on two 'id,correct' files (correct is 0 or 1)."
        )
        @OptionGroup var files: Files

        func run() throws {
            let a = try IdentifiedValues.readCSV(at: URL(fileURLWithPath: files.a), column: "correct", allowed: [0, 1])
            let b = try IdentifiedValues.readCSV(at: URL(fileURLWithPath: files.b), column: "correct", allowed: [0, 1])
            let paired = try IdentifiedValues.pair(a, b)
            let result = try McNemarResult(correctA: paired.a.map { $0 == 1 }, correctB: paired.b.map { $0 == 1 })
            let n = paired.ids.count
            if files.json { return try printJSON(result) }
            print("""
                McNemar's test: \(files.a) (A) vs \(files.b) (B), \(n) paired samples
                  b (A right, B wrong) = \(result.b)
                  c (A wrong, B right) = \(result.c)
                  exact two-sided p = \(format(result.pExact))
                  χ² (continuity-corrected) = \(format(result.chi2)), p = \(format(result.pChi2))
                """)
        }
    }
}

/// Six significant digits, in exponent form for very small or large values.
private func format(_ x: Double) -> String { String(format: "%.6g", x) }
