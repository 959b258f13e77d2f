import Foundation
import Testing
@testable import Graph

/// Credentials, region and endpoint from the environment and the AWS shared files, in the AWS CLI's order.
@Suite struct S3CredentialsTests {
    /// A fake home with `~/.aws/credentials` and `~/.aws/config` as given (nil: no such file).
    static func home(credentials: String?, config: String? = nil) throws -> URL {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("aws-home-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try credentials?.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        try config?.write(to: home.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
        return home
    }

    static func message<T>(_ body: () throws -> T) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    static let files = """
    # comment
    [default]
    aws_access_key_id = AKIDEFAULT
    aws_secret_access_key = default/secret+key

    [work]
    aws_access_key_id=AKIWORK
    aws_secret_access_key=worksecret
    aws_session_token = token==
    """

    @Test func environmentComesBeforeTheFiles() throws {
        let home = try Self.home(credentials: Self.files).path
        let env = try AWSProfile(environment: ["HOME": home, "AWS_ACCESS_KEY_ID": "AKIENV", "AWS_SECRET_ACCESS_KEY": "envsecret",
                                               "AWS_SESSION_TOKEN": "envtoken", "AWS_PROFILE": "work"]).credentials()
        #expect(env == S3Credentials(accessKeyID: "AKIENV", secretAccessKey: "envsecret", sessionToken: "envtoken", source: "AWS_ACCESS_KEY_ID"))
        let file = try AWSProfile(environment: ["HOME": home]).credentials()
        #expect(file == S3Credentials(accessKeyID: "AKIDEFAULT", secretAccessKey: "default/secret+key", source: "\(home)/.aws/credentials [default]"))
        let work = try S3Credentials.load(environment: ["HOME": home, "AWS_PROFILE": "work"])
        #expect(work.accessKeyID == "AKIWORK" && work.secretAccessKey == "worksecret" && work.sessionToken == "token==")
        #expect(Self.message { try AWSProfile(environment: ["HOME": home, "AWS_ACCESS_KEY_ID": "AKIENV"]).credentials() }
            == "error: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither to use \(home)/.aws/credentials")
    }

    @Test func sharedCredentialsFileOverrideAndConfigFileKeys() throws {
        let home = try Self.home(credentials: nil, config: """
        [default]
        region = eu-west-1
        [profile lab]
        aws_access_key_id = AKILAB
        aws_secret_access_key = labsecret
        region = eu-central-1
        endpoint_url = http://s3.lab.example:9000
        s3 =
          addressing_style = path
        """)
        let other = home.appendingPathComponent("elsewhere.ini")
        try "[default]\naws_access_key_id = AKIOTHER\naws_secret_access_key = othersecret\n".write(to: other, atomically: true, encoding: .utf8)
        #expect(try AWSProfile(environment: ["HOME": home.path, "AWS_SHARED_CREDENTIALS_FILE": other.path]).credentials().accessKeyID == "AKIOTHER")
        let lab = AWSProfile(environment: ["HOME": home.path, "AWS_PROFILE": "lab"])
        #expect(try lab.credentials().source == "\(home.path)/.aws/config [profile lab]")
        #expect(try lab.region() == "eu-central-1")
        #expect(try lab.endpoint() == URL(string: "http://s3.lab.example:9000"))
        #expect(try AWSProfile(environment: ["HOME": home.path]).region() == "eu-west-1")
        #expect(try AWSProfile(environment: ["HOME": home.path, "AWS_DEFAULT_REGION": "ap-south-1"]).region() == "ap-south-1")
        #expect(try AWSProfile(environment: ["HOME": home.path, "AWS_REGION": "sa-east-1", "AWS_DEFAULT_REGION": "ap-south-1"]).region() == "sa-east-1")
        #expect(try AWSProfile(environment: ["HOME": "/nonexistent"]).region() == "us-east-1")
        #expect(try AWSProfile(environment: ["HOME": "/nonexistent"]).endpoint() == nil)
        #expect(try AWSProfile(environment: ["HOME": home.path, "AWS_PROFILE": "lab", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
                                             "AWS_ENDPOINT_URL_S3": "https://minio.example"]).endpoint() == URL(string: "https://minio.example"))
        #expect(Self.message { try AWSProfile(environment: ["AWS_ENDPOINT_URL": "127.0.0.1:5000"]).endpoint() }
            == "error: AWS_ENDPOINT_URL: '127.0.0.1:5000' is not an endpoint URL such as http://127.0.0.1:9000 or https://s3.example.org")
    }

    @Test func missingAndUnusableCredentialsAreExplained() throws {
        let empty = try Self.home(credentials: nil).path
        #expect(Self.message { try AWSProfile(environment: ["HOME": empty]).credentials() }
            == "error: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and "
            + "aws_secret_access_key to the [default] section of \(empty)/.aws/credentials")
        let home = try Self.home(credentials: Self.files + "\n[half]\naws_access_key_id = AKIHALF\n[role]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n").path
        #expect(Self.message { try AWSProfile(environment: ["HOME": home, "AWS_PROFILE": "nope"]).credentials() }
            == "error: AWS profile 'nope' (AWS_PROFILE) is neither in \(home)/.aws/credentials nor in \(home)/.aws/config")
        #expect(Self.message { try AWSProfile(environment: ["HOME": home, "AWS_PROFILE": "half"]).credentials() }
            == "error: \(home)/.aws/credentials [half] has no aws_secret_access_key: add it, or remove the other key")
        #expect(Self.message { try AWSProfile(environment: ["HOME": home, "AWS_PROFILE": "role"]).credentials() }
            .hasPrefix("error: \(home)/.aws/credentials [role] gets its keys through role_arn, which Palimpsest does not do"))
        let broken = try Self.home(credentials: "aws_access_key_id = AKI\n[default]\njust words\n[unclosed\n").path
        #expect(Self.message { try AWSProfile(environment: ["HOME": broken]).credentials() } == """
        \(broken)/.aws/credentials:1:1: error: setting before any `[section]` header
        \(broken)/.aws/credentials:3:1: error: expected `name = value` or a `[section]` header
        \(broken)/.aws/credentials:4:1: error: expected a section header such as `[default]`
        """)
    }
}
