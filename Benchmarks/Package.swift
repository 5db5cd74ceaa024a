// swift-tools-version:6.1
// Benchmarks for LogtopCore, kept out of the root package so that `swift build` and `swift test`
// there stay fast. Run from this directory:
//
//     swift package --disable-sandbox benchmark
//
// and see docs/benchmarks.md.
import PackageDescription

import struct Foundation.URL

/// SwiftPM names a path dependency after its folder (the repository clone's name), not after the
/// `name:` in its manifest, and that folder differs between checkouts (CI clones elsewhere).
let rootIdentity = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Benchmarks/
    .deletingLastPathComponent()  // the root package
    .lastPathComponent
    .lowercased()

let package = Package(
    name: "LogtopBenchmarks",
    // As the root package: built and run on Linux; the macOS line only matches the root's (Mutex, Atomic).
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // ordo-one/benchmark, formerly package-benchmark (same 1.38.1 commit; the old identifier works but
        // makes the plugin print a deprecation warning). The MallocInterposer trait alone: the default
        // traits would also pull in swift-runtime-interposer, which is not available here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Generates the benchmark inputs (shared by the benchmarks and the two tools below).
        .target(
            name: "LogCorpus",
            dependencies: [.product(name: "LogtopCore", package: rootIdentity)]
        ),
        // `loggen N` prints N combined-format lines from TrafficModel (for scripts/goaccess-compare.sh).
        .executableTarget(name: "loggen", dependencies: ["LogCorpus"]),
        // `enginebench FILE` feeds a log file to AnalysisEngine and prints lines/s.
        .executableTarget(
            name: "enginebench",
            dependencies: ["LogCorpus", .product(name: "LogtopCore", package: rootIdentity)]
        ),
        // `pipelinebench MODE` runs the whole pipeline through the embedded Kafka cluster: end-to-end
        // lines/s with the delivery accounting, and produce-to-snapshot latency.
        .executableTarget(
            name: "pipelinebench",
            dependencies: [
                "LogCorpus",
                .product(name: "LogtopCore", package: rootIdentity),
                .product(name: "LogtopKafka", package: rootIdentity),
                .product(name: "LogtopPipeline", package: rootIdentity),
            ]
        ),
        .executableTarget(
            name: "LogtopBenchmarks",
            dependencies: [
                "LogCorpus",
                .product(name: "LogtopCore", package: rootIdentity),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/LogtopBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
