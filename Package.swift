// swift-tools-version:6.0
// Amends: a declarative language for a service business's standard response
// to a mistake. Toolchain only: no package dependencies.
import PackageDescription

let package = Package(
    name: "Amends",
    products: [
        .library(name: "Amends", targets: ["Amends"]),
        .executable(name: "amends", targets: ["amends"]),
    ],
    targets: [
        // The language: syntax, diagnostics, semantics, runtime and the tools
        // built on them (formatter, test runner, explainer).
        .target(name: "Amends"),
        // The command-line tool and the REPL, as a library so tests reach them.
        .target(name: "AmendsCLI", dependencies: ["Amends"]),
        .executableTarget(
            name: "amends",
            dependencies: ["AmendsCLI"],
            // In a release build, the Swift libraries are linked in, not
            // loaded at start: a run starts about 2 ms sooner, and the binary
            // runs on a machine without the toolchain (Benchmarks.md). Debug
            // builds, which the sanitizers use, keep them loaded: the thread
            // sanitizer does not follow a static runtime's allocations.
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]
        ),
        // The performance targets, measured: `swift run -c release amends-bench`
        // (Benchmarks.md). Not part of `swift test`.
        .executableTarget(name: "amends-bench", dependencies: ["Amends"]),
        .testTarget(
            name: "AmendsTests",
            dependencies: ["Amends", "AmendsCLI"],
            exclude: ["cases", "golden", "fixtures"]
        ),
    ]
)
