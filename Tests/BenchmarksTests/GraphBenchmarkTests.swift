import Testing
@testable import Benchmarks

/// The graph benchmark runs its generated graph and reruns it fully cached (it throws otherwise).
@Suite struct GraphBenchmarkTests {
    @Test func benchmarkRunsAndIsFullyCached() throws {
        let seconds = try GraphBenchmark.plannedCachedRerun(nodes: 40)
        #expect(seconds > 0)
    }
}
