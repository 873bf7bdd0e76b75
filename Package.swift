// swift-tools-version:6.0
import PackageDescription

/// Each C library from Debian gets a system-library target. libharu 2.3.0 on Debian ships no
/// pkg-config file, so its module map links `hpdf` directly.
let package = Package(
    name: "cecert",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cecert", targets: ["cecert"]),
    ],
    targets: [
        .systemLibrary(name: "CHaru", providers: [.apt(["libhpdf-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "CecertCore", dependencies: ["CSodium"]),
        .target(name: "CecertStore", dependencies: ["CecertCore", "CSQLite"]),
        .target(name: "CecertRender", dependencies: ["CecertCore", "CHaru", "CQRencode", "CZlib"]),
        .target(name: "CecertServer", dependencies: ["CecertCore", "CecertStore", "CMicroHTTPD"]),
        .target(name: "CecertCLI", dependencies: ["CecertCore", "CecertStore", "CecertRender", "CecertServer"]),
        .executableTarget(name: "cecert", dependencies: ["CecertCLI"]),

        .testTarget(name: "CecertCoreTests", dependencies: ["CecertCore"]),
        .testTarget(name: "CecertStoreTests", dependencies: ["CecertStore"]),
        .testTarget(name: "CecertRenderTests", dependencies: ["CecertRender"]),
        .testTarget(name: "CecertServerTests", dependencies: ["CecertServer", "CecertStore"]),
        .testTarget(name: "CecertCLITests", dependencies: ["CecertCLI"]),
    ]
)
