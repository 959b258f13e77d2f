import CBLAS
import Dispatch
import Foundation

/// The one entry point to OpenBLAS: thread control and a row-major `sgemm` wrapper.
public enum BLAS {
    /// Number of threads OpenBLAS uses for each call.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the OpenBLAS thread count (results are bit-identical only for the same count).
    public static func setThreads(_ count: Int) {
        precondition(count >= 1)
        openblas_set_num_threads(Int32(count))
    }

    /// The kernel family OpenBLAS chose for this CPU (e.g. `Cooperlake`, `Haswell`).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The kernel family to request instead of `coreName`, or nil to keep it.
    ///
    /// On AVX-512 cores (OpenBLAS' `SkylakeX`/`Cooperlake` kernels) the `Haswell` (AVX2) kernels are faster for
    /// this network's thin GEMMs: measured on 2 Zen 4 cores, the scaled VGG16 trained at 255 instead of 208
    /// images/s and inferred at 795 instead of 639 (best of 6 runs each).
    public static func preferredCoreName(current: String) -> String? {
        ["SkylakeX", "Cooperlake", "Sapphire Rapids", "SapphireRapids"].contains(current) ? "Haswell" : nil
    }

    /// How long (log₂ of CPU cycles) an idle OpenBLAS thread spins in `sched_yield` before it sleeps: OpenBLAS'
    /// default is 28 (about 75 ms here), longer than the work between two GEMMs, so its threads competed with the
    /// elementwise, transform and im2col loops on the same 2 cores. 4 (its minimum) lets them sleep at once; measured on
    /// the scaled VGG16 (`bench --config scaled64 --compare-kernels`, 2 runs each, machine shared with builds): system
    /// time fell from 7–12 s to 1–4.5 s per run and the best training figure rose 10–20%.
    public static let preferredThreadTimeout = "4"

    /// Restarts the current executable once with OpenBLAS' environment set for this network: `OPENBLAS_CORETYPE` to
    /// `preferredCoreName` when that differs from the kernels OpenBLAS picked, `OPENBLAS_THREAD_TIMEOUT` to
    /// `preferredThreadTimeout`; a variable already set is left alone, and nothing happens when neither needs setting.
    /// OpenBLAS reads both only when it loads, so call this first thing in `main`.
    public static func relaunchWithPreferredKernels() {
        let environment = ProcessInfo.processInfo.environment
        var wanted: [(String, String)] = [("OPENBLAS_THREAD_TIMEOUT", preferredThreadTimeout)]
        if let preferred = preferredCoreName(current: coreName) { wanted.append(("OPENBLAS_CORETYPE", preferred)) }
        let set = wanted.filter { environment[$0.0] == nil }
        guard !set.isEmpty else { return }
        for (name, value) in set { setenv(name, value, 1) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        for (name, _) in set { unsetenv(name) }
    }

    /// C ← α·op(A)·op(B) + β·C, all row-major. op(A) is m×k, op(B) is k×n, C is m×n.
    @inline(__always)
    static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Parallel loops for the memory-bound kernels (im2col, col2im, pooling, ReLU) between BLAS calls.
enum Parallel {
    /// Worker count: the machine's active cores.
    static let width = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body(i)` for i in 0..<count on all cores; each i must write disjoint memory.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || width == 1 {
            for i in 0..<count { body(i) }
        } else {
            // Every caller writes disjoint memory per index, which is what makes sharing `body` safe.
            withoutActuallyEscaping(body) { escaping in
                let shared = UncheckedSendable(value: escaping)
                DispatchQueue.concurrentPerform(iterations: count) { shared.value($0) }
            }
        }
    }

    /// Splits 0..<count into at most `width` contiguous ranges of at least `grain` items and runs them in parallel.
    static func ranges(_ count: Int, grain: Int = 4096, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(width, count / max(grain, 1)))
        if parts == 1 { body(0..<count); return }
        forEach(parts) { p in body((count * p / parts)..<(count * (p + 1) / parts)) }
    }
}

/// Carries a non-Sendable value into `concurrentPerform`; only for bodies that write disjoint memory.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
}
