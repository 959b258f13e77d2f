import Foundation
import Graph

/// The write end of the pipe the signal handler reports to (set once, before the handler is installed).
nonisolated(unsafe) private var signalPipe: Int32 = -1

/// SIGINT and SIGTERM during `run`: the running commands are stopped (`CommandGroups.interrupt`), the executor
/// fails them and removes their staging, and the command exits with 128 + the signal. A node that does not
/// stop within the grace period (an in-process kind) is not waited for: its staging is removed and the process exits
/// at once (`_exit`, without the C libraries' exit handlers).
///
/// The signals are caught by a C handler that only writes to a pipe (caught signals revert to their default in
/// the commands, where ignored ones would stay ignored), and the mask is cleared first: a runner started by a
/// process that blocks signals (a test harness, some shells' job control) would otherwise pass the block on to
/// its commands, where a blocked SIGCHLD hangs `wait`.
final class InterruptHandler: @unchecked Sendable {
    private let lock = NSLock()
    private var signalNumber: Int32 = 0

    /// Seconds after the signal before the process exits without waiting for the executor.
    static let patience: Double = CommandGroups.grace + 3

    /// Catches SIGINT and SIGTERM from now on. Call on the main thread before any worker thread starts.
    init(store: CacheStore) {
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalPipe = fds[1]
        let readEnd = fds[0]
        for sig in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                var byte = UInt8(truncatingIfNeeded: sig)
                _ = write(signalPipe, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(sig, &action, nil)
        }
        let reader = Thread { [self] in
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) != 1 {}
            let sig = Int32(byte)
            lock.lock()
            signalNumber = sig
            lock.unlock()
            FileHandle.standardError.write(Data("palimpsest: \(sig == SIGINT ? "interrupted" : "terminated"); stopping the running commands\n".utf8))
            CommandGroups.shared.interrupt()
            Thread.sleep(forTimeInterval: Self.patience)
            store.discardActiveStaging()
            // _exit, not exit: exit runs OpenBLAS's destructor, which joins its worker threads and hangs while an
            // in-process node is inside an sgemm (the training went on after SIGTERM). Staging is gone; flush stdio.
            fflush(nil)
            _exit(128 + sig)
        }
        reader.start()
    }

    /// The signal received, if any: the exit status is 128 + it.
    var received: Int32? {
        lock.lock(); defer { lock.unlock() }
        return signalNumber == 0 ? nil : signalNumber
    }
}
