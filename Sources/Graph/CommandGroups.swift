import Foundation

/// The process groups of the commands this runner started, so they die with it.
///
/// Each command runs as the leader of its own process group (Foundation's `Process` does so), which keeps a
/// terminal's Ctrl-C and a kill of the runner's group from reaching it. So the runner kills the groups itself:
/// - on SIGINT/SIGTERM, `interrupt()` sends SIGTERM to every group, then SIGKILL after `grace` seconds;
/// - on any death of the runner, SIGKILL included, a watcher process (`/bin/sh`, started with the first command)
///   sees the end of a pipe only the runner holds open and sends SIGKILL to the groups still registered.
public final class CommandGroups: @unchecked Sendable {
    /// The one registry of the process.
    public static let shared = CommandGroups()

    /// Seconds between SIGTERM and SIGKILL on an interrupt.
    public static let grace: Double = 2

    private let lock = NSLock()
    private var groups: Set<pid_t> = []
    private var watcherPipe: Int32 = -1
    private var watcher: Process?
    private var interruptedFlag = false

    /// True once `interrupt()` ran: no new command starts and running ones are being stopped.
    public var interrupted: Bool {
        lock.lock(); defer { lock.unlock() }
        return interruptedFlag
    }

    /// Records a started command's process group; returns false (and kills it) when the runner is interrupted.
    @discardableResult
    public func register(_ group: pid_t) -> Bool {
        lock.lock()
        if interruptedFlag {
            lock.unlock()
            kill(-group, SIGKILL)
            return false
        }
        groups.insert(group)
        startWatcherLocked()
        tellWatcherLocked("+\(group)")
        lock.unlock()
        return true
    }

    /// Forgets a command whose process has exited.
    public func unregister(_ group: pid_t) {
        lock.lock()
        groups.remove(group)
        tellWatcherLocked("-\(group)")
        lock.unlock()
    }

    /// Stops every registered command: SIGTERM now, SIGKILL to the groups left after `grace` seconds.
    public func interrupt() {
        lock.lock()
        interruptedFlag = true
        let now = groups
        lock.unlock()
        for g in now { kill(-g, SIGTERM) }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.grace) { [self] in
            lock.lock()
            let left = groups
            lock.unlock()
            for g in left { kill(-g, SIGKILL) }
        }
    }

    /// Starts the watcher: it reads `+group`/`-group` lines and, at end of input (the runner is gone), kills
    /// the groups left. The pipe's write end is close-on-exec, so no command holds it open.
    private func startWatcherLocked() {
        guard watcherPipe < 0 else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let script = """
        trap '' INT TERM HUP
        groups=' '
        while IFS= read -r line; do
          case $line in
            +*) groups="$groups${line#+} " ;;
            -*) groups=$(printf '%s' "$groups" | sed "s/ ${line#-} / /") ;;
          esac
        done
        for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
        """
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: "/bin/sh")
        watcher.arguments = ["-c", script]
        // The read end stays with the Process object (kept alive for the runner's lifetime); an open read end
        // in the runner does not delay the end of input, which only the write end decides.
        watcher.standardInput = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        do { try watcher.run() } catch {
            close(fds[1])
            return
        }
        self.watcher = watcher
        watcherPipe = fds[1]
    }

    private func tellWatcherLocked(_ line: String) {
        guard watcherPipe >= 0 else { return }
        _ = (line + "\n").withCString { write(watcherPipe, $0, strlen($0)) }
    }
}
