// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "agentcore-gitops",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "AgentCoreGitOps", targets: ["AgentCoreGitOps"]),
        .executable(name: "agentcore", targets: ["agentcore"]),
        .executable(name: "prod-promote", targets: ["prod-promote"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: SHA-256 and HMAC from OpenSSL's libcrypto, deflate from zlib.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // The core library: AWS, GitHub, packaging and the three flows, in one folder each.
        .target(
            name: "AgentCoreGitOps",
            dependencies: ["CLibCrypto", "CZlib"]
        ),
        .executableTarget(
            name: "agentcore",
            dependencies: [
                "AgentCoreGitOps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // prod-promote: the approval gate and rollbacks (Flows/Promote*, Flows/Rollback*).
        .executableTarget(
            name: "prod-promote",
            dependencies: ["AgentCoreGitOps"]
        ),
        .testTarget(
            name: "AgentCoreGitOpsTests",
            dependencies: ["AgentCoreGitOps", "agentcore", "prod-promote"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
