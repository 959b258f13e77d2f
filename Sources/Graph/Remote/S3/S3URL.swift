import Foundation

/// A place in S3-compatible storage: `s3://bucket/prefix`. Keys given to ``S3Client`` are relative to the prefix.
public struct S3URL: Sendable, Hashable, CustomStringConvertible {
    public let bucket: String
    /// The key prefix without leading or trailing `/`; empty for the bucket's root.
    public let prefix: String

    /// - Precondition: `bucket` is a valid bucket name (``S3URL/init(_:)`` checks user input).
    public init(bucket: String, prefix: String = "") {
        precondition(Self.problem(bucket: bucket) == nil, "invalid bucket name \(bucket)")
        self.bucket = bucket
        self.prefix = prefix.split(separator: "/").joined(separator: "/")
    }

    /// Parses `s3://bucket` or `s3://bucket/some/prefix` (a trailing `/` is ignored).
    public init(_ text: String) throws(GraphError) {
        guard text.hasPrefix("s3://") else {
            throw GraphError.usage("\(text): expected an S3 URL such as s3://bucket/prefix")
        }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        if let problem = Self.problem(bucket: bucket) { throw GraphError.usage("\(text): \(problem)") }
        let prefix = String(rest.dropFirst(bucket.count))
        if prefix.contains("//") { throw GraphError.usage("\(text): empty path segment ('//') in the prefix") }
        self.init(bucket: bucket, prefix: prefix)
    }

    /// The object key of `key` (relative, `/`-separated) under the prefix.
    public func objectKey(_ key: String) -> String { prefix.isEmpty ? key : prefix + "/" + key }

    /// `s3://bucket/key` of `key`, for messages.
    public func describe(_ key: String) -> String { "s3://\(bucket)/\(objectKey(key))" }

    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    /// What is wrong with a bucket name under S3's rules (3 to 63 lower-case letters, digits, dots and hyphens,
    /// starting and ending with a letter or digit); nil when it is valid.
    static func problem(bucket: String) -> String? {
        let allowed = bucket.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        let ends = [bucket.unicodeScalars.first, bucket.unicodeScalars.last].allSatisfy {
            $0.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) } ?? false
        }
        guard (3...63).contains(bucket.count), allowed, ends, !bucket.contains("..") else {
            return "bucket '\(bucket)' is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens, "
                + "starting and ending with a letter or digit)"
        }
        return nil
    }
}
