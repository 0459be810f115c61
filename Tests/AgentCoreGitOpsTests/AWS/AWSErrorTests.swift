import Foundation
import Testing
@testable import AgentCoreGitOps

/// Error bodies as AgentCore (rest-json), S3 and STS (XML) send them, and the advice users see.
@Suite struct AWSErrorTests {
    private func decode(_ status: Int, _ body: String, headers: [String: String] = [:],
                        operation: String = "CreateAgentRuntime", service: String = "bedrock-agentcore") -> AWSError {
        AWSErrorDecoder.decode(status: status, headers: headers, body: Data(body.utf8), operation: operation, service: service)
    }

    @Test func restJSONWithTypeInBodyOrCodeField() {
        let conflict = decode(409, #"{"__type":"ConflictException","message":"in use"}"#, headers: ["x-amzn-requestid": "r1"])
        #expect(conflict.code == "ConflictException" && conflict.isConflict && conflict.message == "in use" && conflict.requestID == "r1")

        let notFound = decode(404, #"{"code":"ResourceNotFoundException","Message":"no runtime"}"#)
        #expect(notFound.code == "ResourceNotFoundException" && notFound.isNotFound && notFound.message == "no runtime")
    }

    @Test func s3AndSTSXMLErrors() {
        let s3 = decode(400, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match the calculated checksum.</Message><RequestId>ABC</RequestId></Error>
            """, operation: "PutObject", service: "s3")
        #expect(s3.code == "BadDigest")
        #expect(s3.message.hasPrefix("The SHA256 you specified"))
        #expect(s3.requestID == "ABC")

        let sts = decode(403, """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
            <Code>InvalidIdentityToken</Code><Message>Couldn't retrieve verification key</Message></Error>
            <RequestId>r2</RequestId></ErrorResponse>
            """, operation: "AssumeRoleWithWebIdentity", service: "sts")
        #expect(sts.code == "InvalidIdentityToken" && sts.requestID == "r2")
    }

    @Test func bodilessAnswersTakeTheirCodeFromTheStatus() {
        let missing = decode(404, "", headers: ["x-amz-request-id": "r3"], operation: "HeadObject", service: "s3")
        #expect(missing.code == "NotFound" && missing.isNotFound && missing.requestID == "r3")
        let html = decode(500, "<html><body>Internal Server Error</body></html>")
        #expect(html.code == "InternalError" && html.message.contains("Internal Server Error"))
    }

    @Test func accessDeniedNamesTheIAMPermission() {
        let agentCore = decode(403, #"{"message":"User is not authorized"}"#, headers: ["x-amzn-errortype": "AccessDeniedException"])
        #expect(agentCore.description.contains("`bedrock-agentcore:CreateAgentRuntime`"))
        #expect(agentCore.description.contains("iam:PassRole"))

        let head = decode(403, "", operation: "HeadObject", service: "s3")
        #expect(head.code == "AccessDenied")
        #expect(head.description.contains("`s3:GetObject`"))
        #expect(!head.description.contains("iam:PassRole"))
    }

    @Test func credentialProblemsSayWhatToCheckOrRefresh() {
        let signature = decode(403, "<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>", service: "s3")
        #expect(signature.description.contains("Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"))
        let unknown = decode(403, #"{"__type":"UnrecognizedClientException","message":"bad token"}"#)
        #expect(unknown.description.contains("AWS rejected the credentials"))
        let expired = decode(400, "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>", service: "sts")
        #expect(expired.description.contains("Refresh them"))
    }
}

@Suite struct S3LocationTests {
    @Test func parsesBucketAndKey() throws {
        let location = try S3Location(parsing: "s3://my-bucket/agents/pr_1/abc.zip")
        #expect(location == S3Location(bucket: "my-bucket", key: "agents/pr_1/abc.zip"))
        #expect(location.description == "s3://my-bucket/agents/pr_1/abc.zip")
    }

    @Test(arguments: [
        ("my-bucket/key", "does not start with s3://"),
        ("s3://my-bucket", "no object key"),
        ("s3://my-bucket/", "the object key is empty"),
        ("s3:///key", "the bucket name is empty"),
        ("s3://My_Bucket/key", "lower-case letters"),
        ("s3://ab/key", "3 to 63 characters"),
        ("s3://my-bucket/a/../b", "'.' or '..'"),
    ])
    func rejectsWhatS3WouldNot(_ text: String, _ problem: String) {
        #expect {
            try S3Location(parsing: text)
        } throws: { error in
            let description = "\(error)"
            return description.contains(problem) && description.contains("s3://bucket-name/path/to/object.zip")
        }
    }
}
