// swift-tools-version:6.1
// Palimpsest: a declarative experiment-graph runner for transfer-learning forgetting studies.
import PackageDescription

/// Release builds of the numeric modules drop dynamic exclusivity checks in hot loops. (`-Ounchecked` was
/// dropped: with it, the suite's probe tests corrupted the heap while the same code built with every check on
/// passed; the hot loops run on unsafe buffer pointers, which it does not speed up.)
/// (`unsafeFlags` is allowed because Palimpsest is a root package, never a dependency.)
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Palimpsest",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "palimpsest", targets: ["Runner"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Faces", targets: ["Faces"]),
        .library(name: "Graph", targets: ["Graph"]),
        .library(name: "Nodes", targets: ["Nodes"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "Randomness", targets: ["Randomness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        // C libraries from Debian, wrapped as module maps.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CLinear", providers: [.apt(["liblinear-dev"])]),
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // The seeded generators (SplitMix64, xoshiro256**) and their draws: every random decision's one home.
        .target(name: "Randomness"),
        // The C kernels, each path chosen at run time by CPU feature (per-function target attributes): direct 3×3
        // convolution with AVX2/AVX-512 register tiles for thin layers, and Winograd's tile transforms.
        .target(name: "CKernels"),
        // Tensors, kernels, VGG16, training, safetensors. The only importer of CBLAS and CKernels.
        .target(name: "Core", dependencies: ["CBLAS", "CKernels", "Randomness"], swiftSettings: fastMath),
        // Image I/O, SynthFACS, dataset loaders, augmentation, batching.
        .target(name: "Faces", dependencies: ["CPNG", "CTurboJPEG", "Randomness"], swiftSettings: fastMath),
        // Experiment files → validated DAG, sweeps, cache keys, store, executor. Knows nothing of tensors.
        .target(name: "Graph", dependencies: [
            "CLibYAML",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Statistics (McNemar, paired t-test) and concept probes.
        .target(name: "Analysis", dependencies: ["CLinear", "Randomness"]),
        // The study report as self-contained HTML and Markdown: pure rendering of plain values.
        .target(name: "Report"),
        // One type per node kind, registered in one list.
        .target(name: "Nodes", dependencies: ["Graph", "Core", "Faces", "Analysis", "Report"]),
        // `palimpsest bench` and `synth --bench`: the core's, the graph runner's, the probe's, SynthFACS' and the
        // demo's speed, measured through each module's public API.
        .target(name: "Benchmarks", dependencies: ["Core", "Faces", "Graph", "Analysis", "Nodes", "Randomness"]),
        // The `palimpsest` executable: CLI glue only.
        .executableTarget(name: "Runner", dependencies: [
            "Core", "Faces", "Graph", "Nodes", "Analysis", "Benchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "CKernels", "Randomness"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FacesTests", dependencies: ["Faces", "Analysis", "Randomness"]),
        .testTarget(name: "GraphTests", dependencies: ["Graph"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Randomness"]),
        .testTarget(name: "NodesTests", dependencies: ["Nodes", "Graph", "Report", "Faces", "Randomness"]),
        .testTarget(name: "ReportTests", dependencies: ["Report"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks"]),
    ]
)
