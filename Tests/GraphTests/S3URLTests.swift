import Foundation
import Testing
@testable import Graph

/// `s3://bucket/prefix` parsing and the object keys under a prefix.
@Suite struct S3URLTests {
    static func message<T>(_ body: () throws -> T) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func parsesAndChecksURLs() throws {
        let url = try S3URL("s3://my-bucket/papers/2026/")
        #expect(url.bucket == "my-bucket" && url.prefix == "papers/2026")
        #expect(url.objectKey("ab/cd") == "papers/2026/ab/cd" && url.description == "s3://my-bucket/papers/2026")
        #expect(try S3URL("s3://my.bucket").prefix == "" && S3URL("s3://my.bucket").objectKey("k") == "k")
        #expect(Self.message { try S3URL("https://my-bucket/x") } == "error: https://my-bucket/x: expected an S3 URL such as s3://bucket/prefix")
        #expect(Self.message { try S3URL("s3://My_Bucket/x") }.contains("bucket 'My_Bucket' is not a valid bucket name"))
        #expect(Self.message { try S3URL("s3://ab") }.contains("bucket 'ab' is not a valid bucket name"))
        #expect(Self.message { try S3URL("s3://bucket/a//b") } == "error: s3://bucket/a//b: empty path segment ('//') in the prefix")
    }

    /// AWS: virtual-hosted style, path style for bucket names with dots; an endpoint: path style under its path.
    @Test func requestURLs() throws {
        let key = S3Credentials(accessKeyID: "AKID", secretAccessKey: "secret")
        func url(_ s3: String, _ endpoint: String?, key objectKey: String?, query: [(String, String)] = []) throws -> String {
            let client = S3Client(url: try S3URL(s3), endpoint: endpoint.flatMap { URL(string: $0) }, credentials: key, region: "eu-west-1")
            return client.requestURL(objectKey: objectKey.map(client.url.objectKey), query: query).absoluteString
        }
        #expect(try url("s3://my-bucket/runs", nil, key: "a b/c+d") == "https://my-bucket.s3.eu-west-1.amazonaws.com/runs/a%20b/c%2Bd")
        #expect(try url("s3://my-bucket", nil, key: nil, query: [("list-type", "2"), ("prefix", "a/b")])
            == "https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=a%2Fb")
        #expect(try url("s3://my.bucket", nil, key: "k") == "https://s3.eu-west-1.amazonaws.com/my.bucket/k")
        #expect(try url("s3://my-bucket/p", "http://127.0.0.1:9000", key: "k") == "http://127.0.0.1:9000/my-bucket/p/k")
        #expect(try url("s3://my-bucket", "https://objects.example.org/s3/", key: nil, query: [("max-keys", "1")])
            == "https://objects.example.org/s3/my-bucket?max-keys=1")
    }
}
