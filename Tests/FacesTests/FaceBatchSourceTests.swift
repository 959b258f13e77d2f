import Foundation
import Testing
@testable import Faces

struct FaceBatchSourceTests {
    /// Ten 8×8 RGB images with exact 8-bit values, labels i % 3.
    func makeSamples(_ dir: TemporaryDirectory) throws -> [FaceSample] {
        try (0..<10).map { i in
            try dir.write(patternImage(width: 8, height: 8, channels: 3, salt: i), to: "img\(i).png")
            return FaceSample(image: dir.path("img\(i).png"), crop: nil, label: i % 3, group: "", key: "img\(i).png")
        }
    }

    func drain(_ stream: BatchStream) throws -> [FaceBatch] {
        var batches = [FaceBatch]()
        while let batch = try stream.next() { batches.append(batch) }
        return batches
    }

    @Test func trainingBatchesCoverEverySampleOnceInASeededOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let samples = try makeSamples(dir)
        let pipeline = ImagePipeline(size: 8, channels: 3, normalization: .symmetric)
        let source = FaceBatchSource(samples: samples, pipeline: pipeline, batchSize: 4, shuffle: true, seed: 9, workers: 3, prefetch: 2)
        let batches = try drain(source.epoch(0))
        #expect(batches.map(\.count) == [4, 4, 2])
        #expect(batches[0].shape == [4, 3, 8, 8])
        let indices = batches.flatMap(\.indices)
        #expect(indices.sorted() == Array(0..<10) && indices != Array(0..<10))
        #expect(indices == source.order(epoch: 0))
        for batch in batches {
            for (position, index) in batch.indices.enumerated() {
                let expected = patternImage(width: 8, height: 8, channels: 3, salt: index).pixels.map { ($0 - 0.5) / 0.5 }
                #expect(Array(batch.images[(position * 192)..<((position + 1) * 192)]) == expected)
                #expect(batch.labels[position] == index % 3)
            }
        }
        let single = FaceBatchSource(samples: samples, pipeline: pipeline, batchSize: 4, shuffle: true, seed: 9, workers: 1, prefetch: 1)
        #expect(try drain(single.epoch(0)).map(\.images) == batches.map(\.images))
        #expect(try drain(source.epoch(1)).flatMap(\.indices) != indices)
    }

    @Test func inferenceKeepsOrderAndAugmentationIsSeeded() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let samples = try makeSamples(dir)
        let pipeline = ImagePipeline(size: 8, channels: 1)
        let plain = FaceBatchSource(samples: samples, pipeline: pipeline, batchSize: 3)
        #expect(try drain(plain.epoch(0)).flatMap(\.indices) == Array(0..<10))
        let flipped = FaceBatchSource(samples: samples, pipeline: pipeline, batchSize: 10, augmentation: .flipOnly, seed: 4)
        let a = try drain(flipped.epoch(0))[0], b = try drain(flipped.epoch(0))[0]
        #expect(a.images == b.images)
        var flips = 0
        for i in 0..<10 {
            let grey = patternImage(width: 8, height: 8, channels: 3, salt: i).grey()
            let mirrored = Augmentation.apply(.init(flip: true), to: grey)
            let got = Array(a.images[(i * 64)..<((i + 1) * 64)])
            #expect(got == grey.pixels || got == mirrored.pixels)
            if got == mirrored.pixels { flips += 1 }
        }
        #expect(flips > 0 && flips < 10)
    }

    @Test func cacheFileGivesTheSameBatchesAndIsKeyed() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let samples = try makeSamples(dir)
        let pipeline = ImagePipeline(size: 8, channels: 3)
        let cache = try ImageCache.open(samples: samples, pipeline: pipeline, directory: dir.path("cache"), fingerprint: "abc", threads: 2)
        #expect(cache.url.lastPathComponent == "faces-abc-3x8x8.u8")
        #expect(cache.count == 10)
        let fromFiles = FaceBatchSource(samples: samples, pipeline: pipeline, batchSize: 4, shuffle: true, seed: 1)
        let fromCache = FaceBatchSource(samples: samples, pipeline: pipeline, batchSize: 4, shuffle: true, seed: 1, cache: cache)
        #expect(try drain(fromCache.epoch(2)).map(\.images) == (try drain(fromFiles.epoch(2))).map(\.images))

        // Reopening reuses the file; other samples under the same fingerprint rebuild it.
        let stamp = try FileManager.default.attributesOfItem(atPath: cache.url.path)[.modificationDate] as! Date
        Thread.sleep(forTimeInterval: 0.01)
        _ = try ImageCache.open(samples: samples, pipeline: pipeline, directory: dir.path("cache"), fingerprint: "abc")
        #expect(try FileManager.default.attributesOfItem(atPath: cache.url.path)[.modificationDate] as! Date == stamp)
        let fewer = try ImageCache.open(samples: Array(samples.prefix(4)), pipeline: pipeline, directory: dir.path("cache"), fingerprint: "abc")
        #expect(fewer.count == 4)
        #expect(try fewer.image(3) == (try pipeline.load(samples[3])))
        try dir.write("garbage", to: "cache/bad.u8")
        #expect(throws: FacesError.self) { try ImageCache(url: dir.path("cache/bad.u8")) }
    }

    @Test func decodingErrorsReachTheConsumerNamingTheFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let samples = try makeSamples(dir)
        try dir.write("broken", to: "img7.png")
        let source = FaceBatchSource(samples: samples, pipeline: ImagePipeline(size: 8), batchSize: 2, workers: 2)
        let stream = source.epoch(0)
        #expect(try stream.next()?.indices == [0, 1])
        #expect { try drain(stream) } throws: { error in
            guard case let FacesError.badImage(path, _) = error else { return false }
            return path.hasSuffix("img7.png")
        }
        // A stream dropped early stops its threads without hanging.
        let early = source.epoch(1)
        _ = try early.next()
    }
}
