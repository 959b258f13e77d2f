import Testing
@testable import Nodes

@Suite struct ForgettingSelectionTests {
    @Test func picksARightBWrongImagesOfTheChosenClassesSpreadEvenly() {
        //                 0  1  2  3  4  5  6  7  8  9 10 11
        let labels =      [0, 1, 1, 2, 1, 1, 1, 0, 2, 1, 1, 2]
        let predictedA =  [0, 1, 1, 2, 1, 0, 1, 0, 2, 1, 1, 2]
        let predictedB =  [1, 1, 0, 0, 2, 0, 0, 0, 1, 2, 0, 2]
        // Class 1 candidates (A right, B wrong): 2, 4, 6, 9, 10 (5 is A wrong, 1 is B right).
        // Class 2: 3, 8. Class 0: 0 (7 is B right).
        #expect(SaliencySelection.pick(labels: labels, predictedA: predictedA, predictedB: predictedB, classes: [2, 0], cap: 9) == [3, 8, 0])
        // Cap 2 of 5 candidates: positions ⌊0·5/2⌋ = 0 and ⌊1·5/2⌋ = 2 → images 2 and 6.
        #expect(SaliencySelection.pick(labels: labels, predictedA: predictedA, predictedB: predictedB, classes: [1], cap: 2) == [2, 6])
        #expect(SaliencySelection.pick(labels: labels, predictedA: predictedA, predictedB: predictedB, classes: [1, 2], cap: 3) == [2, 4, 9, 3, 8])
    }
}
