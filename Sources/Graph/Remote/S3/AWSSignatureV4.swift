import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests in the `Authorization` header (AWS S3 API reference, "Authenticating
/// Requests: Using the Authorization Header").
///
/// The four steps, for a request at time `T` (UTC, `yyyyMMdd'T'HHmmss'Z'`, day `D` = its first 8 characters):
/// 1. canonical request = method ⏎ URI-encoded path ⏎ canonical query ⏎ canonical headers ⏎ ⏎ signed headers ⏎
///    payload hash; headers are lower-cased, trimmed, inner runs of spaces collapsed, sorted by name;
/// 2. string to sign = `AWS4-HMAC-SHA256` ⏎ T ⏎ scope ⏎ hex(SHA-256(canonical request)), scope =
///    `D/region/s3/aws4_request`;
/// 3. signing key = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, D), region), "s3"), "aws4_request") (HMAC-SHA256);
/// 4. signature = hex(HMAC(signing key, string to sign)), sent as
///    `AWS4-HMAC-SHA256 Credential=<access key id>/<scope>,SignedHeaders=<names>,Signature=<signature>`.
public struct AWSSignatureV4: Sendable {
    /// What `x-amz-content-sha256` says about the body.
    public enum Payload: Sendable, Equatable {
        /// The body's SHA-256 as 64 lower-case hex digits; the server checks the body against it.
        case sha256(String)
        /// `UNSIGNED-PAYLOAD`: the body is not part of the signature (for HTTPS, where TLS protects it).
        case unsigned

        /// The payload of an empty body.
        public static let empty = Payload.sha256(Hashing.sha256(""))

        /// The payload of `data`.
        public static func of(_ data: Data) -> Payload { .sha256(Hashing.hex(SHA256.hash(data: data))) }

        /// The `x-amz-content-sha256` value, also the last line of the canonical request.
        public var headerValue: String {
            switch self {
            case .sha256(let hex): return hex
            case .unsigned: return "UNSIGNED-PAYLOAD"
            }
        }
    }

    public let credentials: S3Credentials
    public let region: String
    public let service: String

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request so that it is signed: `Authorization`, `x-amz-date`, `x-amz-content-sha256`
    /// and, for temporary credentials, `x-amz-security-token`.
    ///
    /// - Parameters:
    ///   - url: the request URL exactly as it will be sent (path and query percent-encoded as S3 expects; the
    ///     query is re-encoded canonically for the signature, so it should already be encoded that way).
    ///   - headers: further headers to sign (e.g. `Range`, `x-amz-meta-…`); they must be sent unchanged.
    ///   - date: the request time, which the server accepts within 15 minutes of its own clock.
    public func sign(method: String, url: URL, headers: [String: String] = [:], payload: Payload,
                     date: Date) -> [String: String] {
        let stamp = Self.timestamp(date)
        let added = signedHeaders(url: url, headers: headers, payload: payload, stamp: stamp)
        let (canonical, names) = canonicalRequest(method: method, url: url, headers: added, payload: payload)
        let signature = self.signature(stringToSign: stringToSign(canonicalRequest: canonical, timestamp: stamp),
                                       day: String(stamp.prefix(8)))
        var result = added
        result.removeValue(forKey: "host")
        result["Authorization"] = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(day: String(stamp.prefix(8)))),"
            + "SignedHeaders=\(names),Signature=\(signature)"
        return result
    }

    /// The headers that enter the signature: the caller's plus `host`, `x-amz-date`, `x-amz-content-sha256` and
    /// `x-amz-security-token` (when the credentials have a session token).
    func signedHeaders(url: URL, headers: [String: String], payload: Payload, stamp: String) -> [String: String] {
        var result = headers
        result["host"] = Self.host(url)
        result["x-amz-date"] = stamp
        result["x-amz-content-sha256"] = payload.headerValue
        if let token = credentials.sessionToken { result["x-amz-security-token"] = token }
        return result
    }

    /// Step 1: the canonical request and the `;`-joined signed header names.
    func canonicalRequest(method: String, url: URL, headers: [String: String], payload: Payload)
        -> (request: String, signedHeaders: String) {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var path = components?.percentEncodedPath ?? "/"
        if path.isEmpty { path = "/" }
        let canonicalHeaders = headers.map { (name: $0.key.lowercased(), value: Self.trimAll($0.value)) }
            .sorted { $0.name < $1.name }
        let names = canonicalHeaders.map(\.name).joined(separator: ";")
        let lines = [
            method.uppercased(),
            path,
            Self.canonicalQuery(components?.percentEncodedQuery ?? ""),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            names,
            payload.headerValue,
        ]
        return (lines.joined(separator: "\n"), names)
    }

    /// Step 2: the string to sign for a canonical request made at `timestamp` (`yyyyMMdd'T'HHmmss'Z'`).
    func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        ["AWS4-HMAC-SHA256", timestamp, scope(day: String(timestamp.prefix(8))), Hashing.sha256(canonicalRequest)]
            .joined(separator: "\n")
    }

    /// Step 3: the key derived from the secret for one day (`yyyyMMdd`), region and service.
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// Step 4: the signature of a string to sign, as 64 hex digits.
    func signature(stringToSign: String, day: String) -> String {
        Hashing.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day)))
    }

    func scope(day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// The `Host` header HTTP clients send for `url`: the host, with the port unless it is the scheme's default.
    static func host(_ url: URL) -> String {
        let host = (url.host ?? "").lowercased()
        guard let port = url.port else { return host }
        let defaultPort = url.scheme?.lowercased() == "https" ? 443 : 80
        return port == defaultPort ? host : "\(host):\(port)"
    }

    /// SigV4's URI encoding: every byte of the UTF-8 form except `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case hex);
    /// `/` too unless `keepSlash` (object key paths keep their slashes).
    public static func uriEncode(_ string: String, keepSlash: Bool = false) -> String {
        var result = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                result.append("/")
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// The canonical query string: each name and value percent-decoded and then URI-encoded, pairs sorted by name
    /// and then value, joined with `&`; a name without `=` gets an empty value (`?lifecycle` → `lifecycle=`).
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (uriEncode(name), uriEncode(value))
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Header values as signed: leading and trailing whitespace removed, inner runs of spaces as one space.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
