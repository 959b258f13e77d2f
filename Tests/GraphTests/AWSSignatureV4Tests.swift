import Foundation
import Testing
@testable import Graph

/// AWS Signature V4 against reference values: the four S3 examples that AWS publishes with their signatures (S3 API
/// reference, "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk"), and
/// cases computed by botocore's S3 signer (`scripts/sigv4-vectors`) for what those examples do not cover: ports,
/// reserved characters in keys and queries, session tokens, UNSIGNED-PAYLOAD, header whitespace.
@Suite struct AWSSignatureV4Tests {
    /// The example key of the AWS documentation.
    static let credentials = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    /// 2013-05-24T00:00:00Z, the examples' request time.
    static let date = Date(timeIntervalSince1970: 1_369_353_600)

    static func signer(region: String = "us-east-1", token: String? = nil) -> AWSSignatureV4 {
        AWSSignatureV4(credentials: S3Credentials(accessKeyID: credentials.accessKeyID,
                                                  secretAccessKey: credentials.secretAccessKey, sessionToken: token),
                       region: region)
    }

    static func signature(_ authorization: String?) -> String? {
        authorization?.components(separatedBy: "Signature=").last
    }

    @Test func publishedGetObjectExample() throws {
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test.txt"))
        let signer = Self.signer()
        let headers = signer.signedHeaders(url: url, headers: ["Range": "bytes=0-9"], payload: .empty, stamp: "20130524T000000Z")
        let (canonical, names) = signer.canonicalRequest(method: "GET", url: url, headers: headers, payload: .empty)
        #expect(canonical == """
        GET
        /test.txt

        host:examplebucket.s3.amazonaws.com
        range:bytes=0-9
        x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
        x-amz-date:20130524T000000Z

        host;range;x-amz-content-sha256;x-amz-date
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
        """)
        #expect(names == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(signer.stringToSign(canonicalRequest: canonical, timestamp: "20130524T000000Z") == """
        AWS4-HMAC-SHA256
        20130524T000000Z
        20130524/us-east-1/s3/aws4_request
        7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
        """)
        let signed = signer.sign(method: "GET", url: url, headers: ["Range": "bytes=0-9"], payload: .empty, date: Self.date)
        #expect(signed["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed["x-amz-date"] == "20130524T000000Z")
        #expect(signed["x-amz-content-sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(signed["host"] == nil && signed["x-amz-security-token"] == nil, "the HTTP client sends Host itself")
    }

    @Test func publishedPutObjectExample() throws {
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test%24file.text"))
        let body = Data("Welcome to Amazon S3.".utf8)
        #expect(AWSSignatureV4.Payload.of(body) == .sha256("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"))
        let signed = Self.signer().sign(method: "PUT", url: url,
                                        headers: ["Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"],
                                        payload: .of(body), date: Self.date)
        #expect(signed["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    /// A query parameter without a value (`?lifecycle`) is signed as `lifecycle=`.
    @Test func publishedGetBucketLifecycleExample() throws {
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/?lifecycle"))
        let signer = Self.signer()
        let headers = signer.signedHeaders(url: url, headers: [:], payload: .empty, stamp: "20130524T000000Z")
        #expect(signer.canonicalRequest(method: "GET", url: url, headers: headers, payload: .empty).request
            .split(separator: "\n", omittingEmptySubsequences: false)[1...2] == ["/", "lifecycle="])
        let signed = signer.sign(method: "GET", url: url, payload: .empty, date: Self.date)
        #expect(Self.signature(signed["Authorization"]) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func publishedListObjectsExample() throws {
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"))
        let signed = Self.signer().sign(method: "GET", url: url, payload: .empty, date: Self.date)
        #expect(Self.signature(signed["Authorization"]) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    struct SigV4Case: CustomTestStringConvertible, Sendable {
        let name, method, url: String
        let headers: [String: String]
        let body: String
        let unsigned: Bool
        let region: String
        let sessionToken: String?
        let canonicalRequest, stringToSign, signature: String
        var testDescription: String { name }
    }

    /// Printed by `scripts/sigv4-vectors` with botocore 1.44.8.
    static let botocoreCases: [SigV4Case] = [
        SigV4Case(
            name: "put object, path style on a local endpoint with a port",
            method: "PUT", url: "http://127.0.0.1:9000/examplebucket/runs/ab12/outputs/model.safetensors",
            headers: [:], body: "hello", unsigned: false,
            region: "eu-west-3", sessionToken: nil,
            canonicalRequest: "PUT\n/examplebucket/runs/ab12/outputs/model.safetensors\n\nhost:127.0.0.1:9000\nx-amz-content-sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            stringToSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/eu-west-3/s3/aws4_request\ne4a1f80e929c85904c0c4283e57b581b78755224bdf9a71fbae6f2387986c6b1",
            signature: "cd96d2dec5505fd4e42e84253a81b691d77646c389964d92bb3743bace2157b3"),
        SigV4Case(
            name: "a key with spaces, UTF-8 and reserved characters",
            method: "GET", url: "https://examplebucket.s3.amazonaws.com/a%20b/%C3%A9t%C3%A9%2Bx%24y~z%281%29.txt",
            headers: [:], body: "", unsigned: false,
            region: "us-east-1", sessionToken: nil,
            canonicalRequest: "GET\n/a%20b/%C3%A9t%C3%A9%2Bx%24y~z%281%29.txt\n\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stringToSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\nf6a834d4f502e68ff404fe1af07bd2b7d2d4acb3e2b649ebcac00ecfeca0e58e",
            signature: "eb29a26e4e26e9d42128b224efaee96b4fdf9cb0998ab458851a589a778d7811"),
        SigV4Case(
            name: "list objects V2 with query values to encode",
            method: "GET", url: "http://localhost:4566/examplebucket?list-type=2&prefix=runs%2Fa%20b&continuation-token=1%2Fab%2Bc%3D%3D&max-keys=2",
            headers: [:], body: "", unsigned: false,
            region: "us-east-1", sessionToken: nil,
            canonicalRequest: "GET\n/examplebucket\ncontinuation-token=1%2Fab%2Bc%3D%3D&list-type=2&max-keys=2&prefix=runs%2Fa%20b\nhost:localhost:4566\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stringToSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\ncfc01b64bca96370bc94d788b9994671a332e0e05b3cf99066e823d8d0130896",
            signature: "7997e02bd47e0da61833302ccd97df42f6e33772fc502f2bd7c55ad85eb95050"),
        SigV4Case(
            name: "a session token",
            method: "HEAD", url: "https://examplebucket.s3.eu-central-1.amazonaws.com/cache/ab/cdef",
            headers: [:], body: "", unsigned: false,
            region: "eu-central-1", sessionToken: "AQoDYXdzEJr//////////wEa+example/token=",
            canonicalRequest: "HEAD\n/cache/ab/cdef\n\nhost:examplebucket.s3.eu-central-1.amazonaws.com\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\nx-amz-security-token:AQoDYXdzEJr//////////wEa+example/token=\n\nhost;x-amz-content-sha256;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stringToSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/eu-central-1/s3/aws4_request\nfee03af72ce7a1af82f0b8234d446185f90441dbca5b3c5ea4cbca83b92c0071",
            signature: "601c0c6800d525ef7de04294dcc1d01737e99a45c66ff97bb041dae5bba07e60"),
        SigV4Case(
            name: "unsigned payload",
            method: "PUT", url: "https://examplebucket.s3.amazonaws.com/big.bin",
            headers: [:], body: "not hashed", unsigned: true,
            region: "us-east-1", sessionToken: nil,
            canonicalRequest: "PUT\n/big.bin\n\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD",
            stringToSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\na3551052ef614727051817de56706610f8203391f483029d248106edd5acc67e",
            signature: "edc413575271d117f9c58d7ef3c6a4dcb5a3dc70b1a0991d2fc5c66c76ffa1cc"),
        SigV4Case(
            name: "header values trimmed and inner spaces collapsed",
            method: "GET", url: "https://examplebucket.s3.amazonaws.com/photos/x.jpg",
            headers: ["X-Amz-Meta-Title": "  My   holiday  photo ", "Range": "bytes=0-9"], body: "", unsigned: false,
            region: "us-east-1", sessionToken: nil,
            canonicalRequest: "GET\n/photos/x.jpg\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\nx-amz-meta-title:My holiday photo\n\nhost;range;x-amz-content-sha256;x-amz-date;x-amz-meta-title\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stringToSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\nbdc516f8f064c5070772d962914d2eae13719a9ba1d02fdfac93683ead041c72",
            signature: "42a7ae6f45dd761312563971e7395ad8291f26194a64d0b4e59b335d5b55dba3"),
        SigV4Case(
            name: "create bucket with a location constraint",
            method: "PUT", url: "http://127.0.0.1:9000/newbucket",
            headers: [:], body: "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-central-1</LocationConstraint></CreateBucketConfiguration>", unsigned: false,
            region: "eu-central-1", sessionToken: nil,
            canonicalRequest: "PUT\n/newbucket\n\nhost:127.0.0.1:9000\nx-amz-content-sha256:270d7010e28541d025cba79779722247d464e2edd8b448b42fdf618a477e0432\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n270d7010e28541d025cba79779722247d464e2edd8b448b42fdf618a477e0432",
            stringToSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/eu-central-1/s3/aws4_request\n17d881472dc48b0df5a3bfd9d793e61e7e46b67874a6b0b36e7f90ef8bcdfcfd",
            signature: "c30073202681ec52caa6c0f1eb3d0be84ab193353c3e74160c3de477b4526216"),
    ]

    @Test(arguments: botocoreCases) func matchesBotocore(_ c: SigV4Case) throws {
        let url = try #require(URL(string: c.url))
        let signer = Self.signer(region: c.region, token: c.sessionToken)
        let payload: AWSSignatureV4.Payload = c.unsigned ? .unsigned : .of(Data(c.body.utf8))
        let headers = signer.signedHeaders(url: url, headers: c.headers, payload: payload, stamp: "20130524T000000Z")
        let (canonical, names) = signer.canonicalRequest(method: c.method, url: url, headers: headers, payload: payload)
        #expect(canonical == c.canonicalRequest)
        #expect(signer.stringToSign(canonicalRequest: canonical, timestamp: "20130524T000000Z") == c.stringToSign)
        let signed = signer.sign(method: c.method, url: url, headers: c.headers, payload: payload, date: Self.date)
        #expect(signed["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/\(c.region)/s3/aws4_request,"
            + "SignedHeaders=\(names),Signature=\(c.signature)")
        #expect(signed["x-amz-security-token"] == c.sessionToken)
        #expect(signed["x-amz-content-sha256"] == payload.headerValue)
    }

    /// The derived keys of the AWS General Reference's examples (IAM, us-east-1; that secret has a `+`).
    @Test func signingKeyDerivation() {
        let credentials = S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let signer = AWSSignatureV4(credentials: credentials, region: "us-east-1", service: "iam")
        #expect(signer.signingKey(day: "20120215").withUnsafeBytes { Hashing.hex($0) }
            == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
        #expect(signer.signingKey(day: "20150830").withUnsafeBytes { Hashing.hex($0) }
            == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func timestampsAndHosts() throws {
        #expect(AWSSignatureV4.timestamp(Self.date) == "20130524T000000Z")
        #expect(AWSSignatureV4.timestamp(Date(timeIntervalSince1970: 1_700_000_000.9)) == "20231114T221320Z")
        #expect(AWSSignatureV4.host(try #require(URL(string: "https://Bucket.s3.amazonaws.com:443/x"))) == "bucket.s3.amazonaws.com")
        #expect(AWSSignatureV4.host(try #require(URL(string: "http://127.0.0.1:80/x"))) == "127.0.0.1")
        #expect(AWSSignatureV4.host(try #require(URL(string: "http://127.0.0.1:9000/x"))) == "127.0.0.1:9000")
        #expect(AWSSignatureV4.uriEncode("a b/é+~*") == "a%20b%2F%C3%A9%2B~%2A")
        #expect(AWSSignatureV4.uriEncode("a b/é", keepSlash: true) == "a%20b/%C3%A9")
        #expect(AWSSignatureV4.canonicalQuery("prefix=a%2Fb&list-type=2&flag") == "flag=&list-type=2&prefix=a%2Fb")
    }
}
