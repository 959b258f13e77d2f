import Foundation

/// What a REMOTE argument names: a remote's name (from the experiment's `remotes:` or the config file) or a
/// location: a directory (`/shared/remote`, `file:///shared/remote`), a static HTTP(S) server
/// (`https://lab.example/results`), S3-compatible object storage (`s3://bucket/prefix`) or an export archive
/// (`results.tar`, `https://…/results.tar`).
public enum RemoteLocation: Sendable, Equatable {
    case directory(URL)
    case http(URL)
    case s3(S3URL)
    case archive(URL)
    case httpArchive(URL)

    /// The config file with named remotes: `$PALIMPSEST_CONFIG`, else `$XDG_CONFIG_HOME/palimpsest/config.yaml`,
    /// else `~/.config/palimpsest/config.yaml`. It holds `remotes: {name: location}` like an experiment file.
    public static func configFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["PALIMPSEST_CONFIG"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("palimpsest/config.yaml")
    }

    /// Named remotes of the config file (empty when it does not exist).
    public static func configuredRemotes(file: URL = configFile()) throws(GraphError) -> [String: String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
        guard let root = try SpecNode.parse(text, file: file.path) else { return [:] }
        guard case .mapping(let pairs, _) = root else {
            throw GraphError.invalid([Diagnostic(root.location, "expected a mapping with 'remotes:', found \(root.shape)")])
        }
        var out: [String: String] = [:]
        for pair in pairs {
            guard pair.key == "remotes" else {
                throw GraphError.invalid([Diagnostic(pair.keyLocation, "unknown key '\(pair.key)'; expected: remotes")])
            }
            guard case .mapping(let remotes, _) = pair.value else {
                throw GraphError.invalid([Diagnostic(pair.value.location, "remotes: expected a mapping of remote name to location, found \(pair.value.shape)")])
            }
            for remote in remotes {
                guard case .scalar(.string(let location), _) = remote.value, !location.isEmpty else {
                    throw GraphError.invalid([Diagnostic(remote.value.location, "remotes.\(remote.key): expected a directory or URL, found \(remote.value.shape)")])
                }
                out[remote.key] = location
            }
        }
        return out
    }

    /// Resolves `text`: a name of `experiment`'s `remotes:` (relative directories there resolve against the
    /// experiment's directory), else of the config file, else a location (relative to the current directory).
    public static func resolve(_ text: String, experiment: Experiment?, configured: [String: String]) throws(GraphError) -> RemoteLocation {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let experiment, let named = experiment.remotes[text] { return try parse(named, base: experiment.directory) }
        if let named = configured[text] { return try parse(named, base: cwd) }
        return try parse(text, base: cwd)
    }

    /// Parses a location; relative paths resolve against `base`.
    public static func parse(_ text: String, base: URL) throws(GraphError) -> RemoteLocation {
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: text), url.host != nil else { throw GraphError.usage("remote \(text): not a valid URL") }
            return url.path.lowercased().hasSuffix(".tar") ? .httpArchive(url) : .http(url)
        }
        if lower.hasPrefix("s3://") { return .s3(try S3URL(text)) }
        let path: URL
        if lower.hasPrefix("file://") {
            guard let url = URL(string: text), url.isFileURL else { throw GraphError.usage("remote \(text): not a valid file:// URL") }
            path = url.standardizedFileURL
        } else if let scheme = text.range(of: "://") {
            throw GraphError.usage("remote \(text): unknown scheme '\(text[..<scheme.lowerBound])'; expected a directory, file://, http(s)://, s3:// or a .tar archive")
        } else {
            path = URL(fileURLWithPath: text, relativeTo: base).standardizedFileURL
        }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory)
        if path.path.lowercased().hasSuffix(".tar") && (!exists || !isDirectory.boolValue) { return .archive(path) }
        return .directory(path)
    }

    /// A reader for pulling. An HTTP archive is downloaded into `scratch` first (the cache's `tmp/`).
    public func reader(scratch: URL, progress: (Int64) -> Void = { _ in }) throws(GraphError) -> RemoteReader {
        switch self {
        case .directory(let url): return try DirectoryRemote(root: url, create: false)
        case .http(let url): return HTTPRemote(base: url)
        case .s3(let url): return S3Remote(client: try S3Client(url: url))
        case .archive(let url): return try ArchiveRemote(file: url)
        case .httpArchive(let url): return try ArchiveRemote.download(url, into: scratch, progress: progress)
        }
    }

    /// A writer for pushing (directory and S3 remotes; the others are read-only).
    public func writer() throws(GraphError) -> RemoteWriter {
        switch self {
        case .directory(let url): return try DirectoryRemote(root: url, create: true)
        case .s3(let url): return S3Remote(client: try S3Client(url: url))
        case .http(let url): throw GraphError.usage("remote \(url.absoluteString) is HTTP, which is read-only: push to the directory the server publishes")
        case .archive(let url), .httpArchive(let url):
            throw GraphError.usage("remote \(url.relativeString) is an archive: write one with `palimpsest export FILE --out \(url.lastPathComponent)`")
        }
    }
}
