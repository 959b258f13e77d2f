import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension S3Client {
    /// A failed S3 answer as a `GraphError.io` on the object's (or bucket's) `s3://` URL, saying what went wrong
    /// and what to check. S3 explains failures in an XML `<Error>` document with a `Code` and a `Message`.
    ///
    /// - Parameter status: the status to report when `response` is a follow-up request (HEAD answers have no body).
    func failure(_ response: HTTPURLResponse, _ body: Data, action: String, key: String?, status: Int? = nil) -> GraphError {
        let place = key.map(url.describe) ?? url.description
        let status = status ?? response.statusCode
        let document = S3XMLElement.parse(body)
        guard let document, document.name == "Error", let code = document["Code"] else {
            let what = status == 404 ? "not found" : status == 403 ? "forbidden" : "failed"
            return GraphError.io(path: place, reason: "\(server) answered HTTP \(status) (\(what)) without an S3 error document: "
                + "check that the endpoint is an S3 server")
        }
        if code == "NoSuchKey" { markBucketSeen() }
        let keyID = "access key '\(credentials.accessKeyID)' (from \(credentials.source))"
        let reason: String
        switch code {
        case "NoSuchKey":
            reason = "no such object"
        case "NoSuchBucket":
            reason = "bucket '\(url.bucket)' does not exist at \(server): create it, or check the bucket name and the endpoint (AWS_ENDPOINT_URL)"
        case "InvalidAccessKeyId":
            reason = "\(server) does not know \(keyID): check AWS_ACCESS_KEY_ID or the profile's aws_access_key_id, "
                + "and that the endpoint is the server the key belongs to"
        case "SignatureDoesNotMatch":
            reason = "\(server) rejected the request signature of \(keyID): the secret access key is wrong "
                + "(check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key)"
        case "AccessDenied", "AllAccessDisabled":
            reason = "access denied to \(keyID): its policy or the bucket's policy must allow \(action) on bucket '\(url.bucket)'"
        case "InvalidToken", "ExpiredToken", "TokenRefreshRequired":
            reason = "the session token of \(keyID) is invalid or has expired: get new temporary credentials (AWS_SESSION_TOKEN)"
        case "RequestTimeTooSkewed", "RequestExpired":
            reason = "this machine's clock differs from \(server)'s by more than 15 minutes: set the clock right (NTP)"
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
            let expected = document["Region"] ?? response.value(forHTTPHeaderField: "x-amz-bucket-region")
            reason = "bucket '\(url.bucket)' is not in region \(region)" + (expected.map { " but in \($0)" } ?? "")
                + ": set AWS_REGION" + (expected.map { "=\($0)" } ?? "")
        case "BucketAlreadyExists":
            reason = "the bucket name '\(url.bucket)' is taken by another account: choose another name"
        case "XAmzContentSHA256Mismatch", "BadDigest":
            reason = "the uploaded bytes do not match their SHA-256 (did the file change while it was uploaded?)"
        default:
            let message = document["Message"].map { ": \($0)" } ?? ""
            reason = "\(server) answered HTTP \(status) \(code)\(message)"
        }
        return GraphError.io(path: place, reason: reason)
    }

    /// A request that got no (complete) HTTP answer, as a `GraphError.io` naming the server and the likely cause.
    func networkFailure(_ error: any Error, key: String?) -> GraphError {
        let place = key.map(url.describe) ?? url.description
        let reason: String
        switch (error as? URLError)?.code {
        case .cannotConnectToHost?:
            reason = "cannot reach \(server): connection refused (is the server running, and is the endpoint's port right?)"
        case .cannotFindHost?, .dnsLookupFailed?:
            reason = "cannot reach \(server): unknown host (check the endpoint URL)"
        case .notConnectedToInternet?:
            reason = "cannot reach \(server): no network"
        case .secureConnectionFailed?, .serverCertificateUntrusted?, .serverCertificateHasBadDate?,
             .serverCertificateNotYetValid?, .serverCertificateHasUnknownRoot?:
            reason = "cannot reach \(server): the TLS connection failed (check the certificate, or use http:// for a local server)"
        case .timedOut?:
            reason = "\(server) did not answer within the time limit"
        case .networkConnectionLost?:
            reason = "the connection to \(server) was lost"
        default:
            reason = "the exchange with \(server) failed: \(GraphError.reason(for: error))"
        }
        return GraphError.io(path: place, reason: reason)
    }
}
