import Foundation
import Testing
@testable import Analysis

struct PairedTableTests {
    private func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func pairsRowsById() throws {
        let a = try IdentifiedValues.readCSV(at: write("id,score\ns1,0.5\ns2,0.75\ns3,1\n"), column: "score")
        let b = try IdentifiedValues.readCSV(at: write("id,score\r\ns3,0.25\r\ns1,0.5\r\ns2,0\r\n"), column: "score")
        let paired = try IdentifiedValues.pair(a, b)
        #expect(paired.ids == ["s1", "s2", "s3"])
        #expect(paired.a == [0.5, 0.75, 1])
        #expect(paired.b == [0.5, 0, 0.25])
    }

    @Test func reportsMismatchedIds() throws {
        let a = try IdentifiedValues.readCSV(at: write("id,correct\nx,1\ny,0\n"), column: "correct", allowed: [0, 1])
        let b = try IdentifiedValues.readCSV(at: write("id,correct\nx,1\nz,1\n"), column: "correct", allowed: [0, 1])
        #expect {
            try IdentifiedValues.pair(a, b)
        } throws: { error in
            guard case let AnalysisError.unmatchedIDs(onlyA, onlyB, _) = error else { return false }
            return onlyA == ["y"] && onlyB == ["z"]
        }
    }

    @Test func namesFileAndLineOfBadRows() throws {
        let header = try write("id,value\na,1\n")
        #expect(throws: AnalysisError.badCSV(file: header.path, line: 1, message: "expected the header 'id,score', found 'id,value'")) {
            try IdentifiedValues.readCSV(at: header, column: "score")
        }
        let notNumber = try write("id,score\na,1\nb,high\n")
        #expect(throws: AnalysisError.badCSV(file: notNumber.path, line: 3, message: "score 'high' is not a finite number")) {
            try IdentifiedValues.readCSV(at: notNumber, column: "score")
        }
        let notBinary = try write("id,correct\na,2\n")
        #expect(throws: AnalysisError.badCSV(file: notBinary.path, line: 2, message: "correct must be 0 or 1, found '2'")) {
            try IdentifiedValues.readCSV(at: notBinary, column: "correct", allowed: [0, 1])
        }
        let duplicate = try write("id,score\na,1\na,2\n")
        #expect(throws: AnalysisError.duplicateID(id: "a", source: duplicate.path, line: 3)) {
            try IdentifiedValues.readCSV(at: duplicate, column: "score")
        }
    }
}
