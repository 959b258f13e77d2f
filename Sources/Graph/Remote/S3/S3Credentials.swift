import Foundation

/// An AWS access key: its id, its secret and, for temporary credentials, a session token.
public struct S3Credentials: Sendable, Equatable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// Where the key came from, for error messages: `AWS_ACCESS_KEY_ID`, `/home/me/.aws/credentials [default]`.
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "given") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    /// The credentials the AWS CLI would use, in its order: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
    /// `AWS_SESSION_TOKEN`, else the profile (`AWS_PROFILE`, default `default`) in the shared credentials file,
    /// else in the config file (see ``AWSProfile``).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(GraphError) -> S3Credentials {
        try AWSProfile(environment: environment).credentials()
    }
}

/// The AWS settings of the environment and of the shared files: credentials, region and S3 endpoint.
///
/// Files: `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`, sections `[name]`) and `AWS_CONFIG_FILE`
/// (default `~/.aws/config`, sections `[default]` and `[profile name]`); profile `AWS_PROFILE`, default `default`.
public struct AWSProfile: Sendable {
    /// The profile name.
    public let name: String
    public let credentialsFile: String
    public let configFile: String
    private let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        func path(_ variable: String, _ fallback: String) -> String {
            guard let given = environment[variable], !given.isEmpty else { return home + "/.aws/" + fallback }
            return given.hasPrefix("~/") ? home + given.dropFirst() : given
        }
        name = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        credentialsFile = path("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        configFile = path("AWS_CONFIG_FILE", "config")
    }

    /// The access key: environment variables first, then this profile in the credentials file, then in the config
    /// file. Profiles that get keys some other way (roles, SSO, a credential process) are refused with what to do.
    public func credentials() throws(GraphError) -> S3Credentials {
        let id = value("AWS_ACCESS_KEY_ID"), secret = value("AWS_SECRET_ACCESS_KEY")
        switch (id, secret) {
        case let (id?, secret?):
            return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"),
                                 source: "AWS_ACCESS_KEY_ID")
        case (_?, nil):
            throw GraphError.usage("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither to use \(credentialsFile)")
        case (nil, _?):
            throw GraphError.usage("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither to use \(credentialsFile)")
        case (nil, nil):
            break
        }
        let credentialsSection = try AWSConfigFile.read(credentialsFile)?.sections[name]
        let configSection = try configSettings()
        for (file, settings) in [(credentialsFile, credentialsSection), (configFile, configSection)] {
            guard let settings else { continue }
            let label = "\(file) [\(file == configFile && name != "default" ? "profile \(name)" : name)]"
            let id = settings["aws_access_key_id"] ?? "", secret = settings["aws_secret_access_key"] ?? ""
            if !id.isEmpty, !secret.isEmpty {
                let token = settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
                return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token, source: label)
            }
            if id.isEmpty != secret.isEmpty {
                let missing = id.isEmpty ? "aws_access_key_id" : "aws_secret_access_key"
                throw GraphError.usage("\(label) has no \(missing): add it, or remove the other key")
            }
            let indirect = ["role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file"]
            if let other = indirect.first(where: { settings[$0] != nil }) {
                throw GraphError.usage("\(label) gets its keys through \(other), which Palimpsest does not do: export "
                    + "static keys instead, e.g. `eval \"$(aws configure export-credentials --profile \(name) --format env)\"`")
            }
        }
        if credentialsSection == nil, configSection == nil, name != "default" {
            throw GraphError.usage("AWS profile '\(name)' (AWS_PROFILE) is neither in \(credentialsFile) nor in \(configFile)")
        }
        throw GraphError.usage("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
            + "aws_access_key_id and aws_secret_access_key to the [\(name)] section of \(credentialsFile)")
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region` in the config file, else `us-east-1`.
    public func region() throws(GraphError) -> String {
        if let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") { return region }
        if let region = try configSettings()?["region"], !region.isEmpty { return region }
        return "us-east-1"
    }

    /// The S3 endpoint for S3-compatible servers (MinIO, Ceph, moto): `AWS_ENDPOINT_URL_S3`, else
    /// `AWS_ENDPOINT_URL`, else the profile's `endpoint_url` in the config file; nil for AWS itself.
    public func endpoint() throws(GraphError) -> URL? {
        let (text, origin): (String, String)
        if let given = value("AWS_ENDPOINT_URL_S3") {
            (text, origin) = (given, "AWS_ENDPOINT_URL_S3")
        } else if let given = value("AWS_ENDPOINT_URL") {
            (text, origin) = (given, "AWS_ENDPOINT_URL")
        } else if let given = try configSettings()?["endpoint_url"], !given.isEmpty {
            (text, origin) = (given, "endpoint_url in \(configFile)")
        } else {
            return nil
        }
        return try S3Client.endpointURL(text, origin: origin)
    }

    /// This profile's section of the config file (`[default]` or `[profile name]`).
    private func configSettings() throws(GraphError) -> [String: String]? {
        let sections = try AWSConfigFile.read(configFile)?.sections
        return name == "default" ? sections?["default"] : sections?["profile \(name)"]
    }

    private func value(_ variable: String) -> String? {
        guard let value = environment[variable], !value.isEmpty else { return nil }
        return value
    }
}
