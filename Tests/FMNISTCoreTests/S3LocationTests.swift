import FMNISTCore
import Foundation
import Testing

@testable import FMNISTCore

/// `s3://` URLs: parsing and validation, path-style vs virtual-hosted addressing, and the AWS
/// configuration (credentials, profile, region, endpoint) as the AWS CLI resolves it.
@Suite struct S3LocationTests {
    /// A scratch folder with AWS credentials and config files.
    final class AWSFiles {
        let folder: URL
        init(credentials: String? = nil, config: String? = nil) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-aws-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(".aws"), withIntermediateDirectories: true)
            if let credentials { try credentials.write(to: folder.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8) }
            if let config { try config.write(to: folder.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8) }
        }
        deinit { try? FileManager.default.removeItem(at: folder) }
        var home: String { folder.path }
    }

    @Test func parsesBucketAndKey() throws {
        let location = try #require(S3Location("s3://team-data/fashion/train-images-idx3-ubyte.gz"))
        #expect(location.bucket == "team-data")
        #expect(location.key == "fashion/train-images-idx3-ubyte.gz")
        #expect(S3Location("https://team-data/x") == nil)
        #expect(S3Location("S3://team-data/")?.bucket == "team-data")
    }

    @Test func validatesMirrorURLs() {
        #expect(MirrorURL.problem(with: "s3://team-data/fashion/") == nil)
        #expect(MirrorURL.problem(with: "s3://team.data.example/fashion/") == nil)
        #expect(MirrorURL.problem(with: "s3://Team/fashion/")?.contains("not an S3 bucket name") == true)
        #expect(MirrorURL.problem(with: "s3://ab/fashion/")?.contains("not an S3 bucket name") == true)
        #expect(MirrorURL.problem(with: "s3://key:secret@bucket/p/")?.contains("must not carry credentials") == true)
        #expect(MirrorURL.problem(with: "s3://bucket/p/?x=1")?.contains("query") == true)
    }

    @Test func addressing() throws {
        let location = try #require(S3Location("s3://team-data/fashion/t10k-labels-idx1-ubyte.gz"))
        // AWS: virtual-hosted, in the region.
        #expect(location.httpURL(endpoint: nil, region: "eu-west-1") == "https://team-data.s3.eu-west-1.amazonaws.com/fashion/t10k-labels-idx1-ubyte.gz")
        // A custom endpoint: path-style (a trailing slash and a base path kept right).
        #expect(location.httpURL(endpoint: "http://127.0.0.1:9000", region: "us-east-1") == "http://127.0.0.1:9000/team-data/fashion/t10k-labels-idx1-ubyte.gz")
        #expect(location.httpURL(endpoint: "https://minio.example/s3/", region: "us-east-1") == "https://minio.example/s3/team-data/fashion/t10k-labels-idx1-ubyte.gz")
        // A bucket with dots on AWS: path-style (its name would not match the TLS certificate).
        let dotted = try #require(S3Location("s3://team.data/f"))
        #expect(dotted.httpURL(endpoint: nil, region: "us-east-1") == "https://s3.us-east-1.amazonaws.com/team.data/f")
    }

    @Test func environmentCredentialsRegionAndEndpoint() throws {
        let files = try AWSFiles(credentials: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n")
        let access = try S3Access.resolve(environment: [
            "HOME": files.home, "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "ENVSECRET", "AWS_SESSION_TOKEN": "TOKEN1234",
            "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": "http://b:2",
        ])
        #expect(access.credentials?.accessKeyID == "ENVKEY")  // the environment before the file
        #expect(access.credentials?.sessionToken == "TOKEN1234")
        #expect(access.region == "eu-central-1")  // AWS_REGION before AWS_DEFAULT_REGION
        #expect(access.endpoint == "http://b:2")  // AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL
        let request = access.request(for: S3Location("s3://bucket/k")!)
        #expect(request.url == "http://b:2/bucket/k")
        #expect(request.sigv4 == "aws:amz:eu-central-1:s3")
        #expect(request.headers.contains(MirrorHeader(name: "x-amz-content-sha256", value: "UNSIGNED-PAYLOAD")))
        #expect(request.headers.contains(MirrorHeader(name: "x-amz-security-token", value: "TOKEN1234")))

        let halfPair = #expect(throws: UsageError.self) {
            try S3Access.resolve(environment: ["HOME": files.home, "AWS_ACCESS_KEY_ID": "ENVKEY"])
        }
        #expect(halfPair?.description.contains("AWS_SECRET_ACCESS_KEY") == true)
        #expect(throws: UsageError.self) {
            try S3Access.resolve(environment: ["HOME": files.home, "AWS_ENDPOINT_URL": "ftp://host"])
        }
    }

    @Test func profilesFromTheSharedFiles() throws {
        let files = try AWSFiles(
            credentials: """
                # comment
                [default]
                aws_access_key_id = DEFKEY
                aws_secret_access_key = DEFSECRET

                [team]
                aws_access_key_id=TEAMKEY
                aws_secret_access_key=TEAMSECRET
                aws_session_token = TEAMTOKEN
                """,
            config: "[default]\nregion = ap-south-1\n[profile team]\nregion = eu-north-1\n")
        let byDefault = try S3Access.resolve(environment: ["HOME": files.home])
        #expect(byDefault.credentials?.accessKeyID == "DEFKEY")
        #expect(byDefault.region == "ap-south-1")
        #expect(byDefault.endpoint == nil)
        #expect(byDefault.request(for: S3Location("s3://bkt/p/f")!).url == "https://bkt.s3.ap-south-1.amazonaws.com/p/f")

        let team = try S3Access.resolve(environment: ["HOME": files.home, "AWS_PROFILE": "team"])
        #expect(team.credentials?.accessKeyID == "TEAMKEY")
        #expect(team.credentials?.sessionToken == "TEAMTOKEN")
        #expect(team.region == "eu-north-1")
        #expect(try S3Access.resolve(environment: ["HOME": files.home, "AWS_PROFILE": "team", "AWS_DEFAULT_REGION": "us-west-1"]).region == "us-west-1")

        // Files elsewhere, named by the variables.
        let moved = try S3Access.resolve(environment: [
            "HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": files.home + "/.aws/credentials",
            "AWS_CONFIG_FILE": files.home + "/.aws/config", "AWS_PROFILE": "team",
        ])
        #expect(moved.credentials?.accessKeyID == "TEAMKEY")
        #expect(moved.region == "eu-north-1")

        let missing = #expect(throws: UsageError.self) {
            try S3Access.resolve(environment: ["HOME": files.home, "AWS_PROFILE": "nosuch"])
        }
        #expect(missing?.description.contains("nosuch") == true)
    }

    @Test func noCredentialsIsAnonymousInUsEast1() throws {
        let access = try S3Access.resolve(environment: ["HOME": "/nonexistent"])
        #expect(access.credentials == nil)
        #expect(access.region == "us-east-1")
        let request = access.request(for: S3Location("s3://bkt/f")!)
        #expect(request.sigv4 == nil)
        #expect(request.headers.isEmpty)
        // The mirror table: an anonymous s3 request carries no user, no password.
        var table = MirrorAccess()
        table.s3 = access
        let authorized = table.authorize("s3://bkt/f")
        #expect(authorized.url == "https://bkt.s3.us-east-1.amazonaws.com/f")
        #expect(authorized.user == nil && authorized.password == nil && authorized.isS3)
    }

    @Test func aCredentialsFileThatIsNotRegularIsRefused() throws {
        let files = try AWSFiles()
        let fifo = files.folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: UsageError.self) {
            try S3Access.resolve(environment: ["HOME": files.home, "AWS_SHARED_CREDENTIALS_FILE": fifo])
        }
    }

    @Test func secretsAreScrubbedAndErrorBodiesParsed() throws {
        var table = MirrorAccess()
        table.s3 = S3Access(credentials: .init(accessKeyID: "AKID", secretAccessKey: "sEcReT/Key+123", sessionToken: "T0KEN-abc", source: "test"))
        #expect(table.scrub("signed with sEcReT/Key+123 and T0KEN-abc") == "signed with *** and ***")
        let body = Data("<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error>".utf8)
        let detail = try #require(S3Access.errorDetail(body))
        #expect(detail.code == "SignatureDoesNotMatch" && detail.message == "bad sig")
        #expect(S3Access.errorDetail(Data("<html>nope</html>".utf8)) == nil)
        let failure = TransferFailure.s3(status: 403, code: "AccessDenied", message: nil)
        #expect(failure.status == 403 && !failure.isTransient && failure.skipCode == .http(403))
        #expect(failure.description.contains("AccessDenied"))
    }
}
