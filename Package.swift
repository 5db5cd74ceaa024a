// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "logtop",
    // logtop builds and is tested on Linux only (Debian's librdkafka-dev, libncursesw5-dev and zlib1g-dev;
    // the curses shim includes <ncursesw/curses.h>, a Linux path). SwiftPM has no minimum-version entry
    // for Linux. The macOS line is not a supported platform, it only records the least macOS that
    // Synchronization's Mutex and Atomic (used throughout) would need.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "logtop", targets: ["logtop"]),
        .library(name: "LogtopCore", targets: ["LogtopCore"]),
        .library(name: "LogtopKafka", targets: ["LogtopKafka"]),
        .library(name: "LogtopPipeline", targets: ["LogtopPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Pure Swift analysis engine: no C, no I/O, no clocks.
        .target(name: "LogtopCore"),
        // librdkafka from Debian (librdkafka-dev).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // The only code that touches librdkafka.
        .target(name: "LogtopKafka", dependencies: ["CRdKafka"]),
        // ncursesw from Debian (libncursesw5-dev).
        .systemLibrary(
            name: "CNcurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]
        ),
        // The only code that touches ncurses: screen, panes, key map, event loop. Knows snapshots and
        // actions, never Kafka.
        .target(name: "LogtopTUI", dependencies: ["CNcurses", "LogtopCore"]),
        // zlib from Debian (zlib1g-dev), to read rotated .gz logs.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Sources, analyzer and batch sink wired through Kafka: the runtime shared by every front end.
        .target(name: "LogtopPipeline", dependencies: ["LogtopCore", "LogtopKafka", "CZlib"]),
        .executableTarget(
            name: "logtop",
            dependencies: [
                "LogtopCore",
                "LogtopKafka",
                "LogtopPipeline",
                "LogtopTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers the test targets share: child processes spawned cleanly, throw-away TLS certificates.
        .target(name: "LogtopTestSupport", path: "Tests/LogtopTestSupport"),
        .testTarget(name: "LogtopCoreTests", dependencies: ["LogtopCore", "LogtopTestSupport"]),
        .testTarget(name: "LogtopKafkaTests", dependencies: ["LogtopKafka", "LogtopTestSupport"]),
        .testTarget(name: "LogtopTUITests", dependencies: ["LogtopTUI", "LogtopCore", "LogtopTestSupport"]),
        .testTarget(name: "LogtopPipelineTests", dependencies: ["LogtopPipeline", "LogtopKafka", "LogtopCore", "LogtopTestSupport"]),
    ]
)
