import Foundation
import Testing
@testable import Slope

// MARK: - Helpers

/// A dataset whose sample `i` has inputs `[i, 100 + i]` and target `i`, so every batch says
/// which samples it holds.
private func numberedDataset(_ count: Int) -> TensorDataset {
    let inputs = Tensor(shape: [count, 2], scalars: (0..<count).flatMap { [Float($0), Float(100 + $0)] })
    let targets = Tensor((0..<count).map(Float.init))
    return TensorDataset(inputs: inputs, targets: targets)
}

/// The sample indices of each batch of one pass, read from the targets.
private func pass(_ loader: DataLoader) -> [[Int]] {
    loader.map { batch in batch.targets.scalars.map { Int($0) } }
}

// MARK: - TensorDataset

@Suite struct DataLoaderDatasetTests {
    @Test func batchAtIndicesCopiesRowsInOrder() {
        let dataset = numberedDataset(6)
        let batch = dataset.batch(at: [3, 1, 4])
        #expect(batch.inputs.shape == [3, 2])
        #expect(batch.inputs.scalars == [3, 103, 1, 101, 4, 104])
        #expect(batch.targets.shape == [3])
        #expect(batch.targets.scalars == [3, 1, 4])
    }

    @Test func batchAtIndicesKeepsTrailingShapeAndAllowsRepeats() {
        // Samples of shape [2, 3]: sample i holds 10*i + 0...5.
        let inputs = Tensor(shape: [4, 2, 3], scalars: (0..<4).flatMap { i in (0..<6).map { Float(10 * i + $0) } })
        let targets = Tensor(shape: [4, 1], scalars: [7, 8, 9, 10])
        let dataset = TensorDataset(inputs: inputs, targets: targets)
        #expect(dataset.count == 4)
        let batch = dataset.batch(at: [2, 2, 0])
        #expect(batch.inputs.shape == [3, 2, 3])
        #expect(batch.inputs.scalars == [20, 21, 22, 23, 24, 25, 20, 21, 22, 23, 24, 25, 0, 1, 2, 3, 4, 5])
        #expect(batch.targets.shape == [3, 1])
        #expect(batch.targets.scalars == [9, 9, 7])
    }

    @Test func emptyBatchHasZeroRows() {
        let batch = numberedDataset(3).batch(at: [])
        #expect(batch.inputs.shape == [0, 2])
        #expect(batch.targets.shape == [0])
    }

    @Test func subsetIsANewDatasetOfThoseSamples() {
        let subset = numberedDataset(10).subset([9, 0, 5])
        #expect(subset.count == 3)
        #expect(subset.inputs.scalars == [9, 109, 0, 100, 5, 105])
        #expect(subset.targets.scalars == [9, 0, 5])
    }

    @Test func batchDoesNotAliasTheDataset() {
        let dataset = numberedDataset(3)
        let batch = dataset.batch(at: [0])
        batch.inputs.storage[0] = -1
        #expect(dataset.inputs.scalars[0] == 0)
    }
}

// MARK: - DataLoader

@Suite struct DataLoaderTests {
    @Test func inOrderPassCoversEverySampleOnceWithPartialLastBatch() {
        let loader = DataLoader(numberedDataset(23), batchSize: 7)
        #expect(loader.batchCount == 4)
        let batches = pass(loader)
        #expect(batches.map(\.count) == [7, 7, 7, 2])
        #expect(batches.flatMap { $0 } == Array(0..<23))
        // Inputs travel with their targets.
        for batch in loader {
            let inputs = batch.inputs.scalars
            for (row, target) in batch.targets.scalars.enumerated() {
                #expect(inputs[2 * row] == target && inputs[2 * row + 1] == 100 + target)
            }
        }
    }

    @Test func shuffledPassCoversEverySampleOnce() {
        let loader = DataLoader(numberedDataset(50), batchSize: 8, shuffle: true, seed: 3)
        for _ in 0..<3 {
            let batches = pass(loader)
            #expect(batches.map(\.count) == [8, 8, 8, 8, 8, 8, 2])
            let seen = batches.flatMap { $0 }
            #expect(seen.count == 50)
            #expect(seen.sorted() == Array(0..<50))
            #expect(seen != Array(0..<50), "a shuffled pass should not be in file order")
        }
    }

    @Test func shufflingDiffersBetweenPassesButIsReproducibleFromTheSeed() {
        let first = DataLoader(numberedDataset(40), batchSize: 5, shuffle: true, seed: 42)
        let second = DataLoader(numberedDataset(40), batchSize: 5, shuffle: true, seed: 42)
        let firstPasses = (0..<3).map { _ in pass(first).flatMap { $0 } }
        let secondPasses = (0..<3).map { _ in pass(second).flatMap { $0 } }
        #expect(firstPasses[0] != firstPasses[1])
        #expect(firstPasses[1] != firstPasses[2])
        #expect(firstPasses == secondPasses, "the same seed must give the same sequence of passes")

        let other = DataLoader(numberedDataset(40), batchSize: 5, shuffle: true, seed: 43)
        #expect(pass(other).flatMap { $0 } != firstPasses[0], "another seed should give another order")
    }

    @Test func unshuffledPassesAreAlwaysInOrder() {
        let loader = DataLoader(numberedDataset(9), batchSize: 4, seed: 99)
        #expect(pass(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8]])
        #expect(pass(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8]])
    }

    @Test func dropLastSkipsThePartialBatch() {
        let loader = DataLoader(numberedDataset(23), batchSize: 7, shuffle: true, dropLast: true, seed: 1)
        #expect(loader.batchCount == 3)
        let batches = pass(loader)
        #expect(batches.map(\.count) == [7, 7, 7])
        let seen = batches.flatMap { $0 }
        #expect(Set(seen).count == 21, "no sample twice in one pass")

        let exact = DataLoader(numberedDataset(21), batchSize: 7, dropLast: true)
        #expect(exact.batchCount == 3)
        #expect(pass(exact).flatMap { $0 } == Array(0..<21))

        let tooSmall = DataLoader(numberedDataset(5), batchSize: 7, dropLast: true)
        #expect(tooSmall.batchCount == 0)
        #expect(pass(tooSmall).isEmpty)
    }

    @Test func batchLargerThanDatasetGivesOneBatch() {
        let loader = DataLoader(numberedDataset(5), batchSize: 64)
        #expect(loader.batchCount == 1)
        #expect(pass(loader) == [[0, 1, 2, 3, 4]])
    }

    @Test func emptyDatasetGivesNoBatches() {
        let empty = TensorDataset(inputs: Tensor(shape: [0, 2], scalars: []), targets: Tensor(shape: [0], scalars: []))
        let loader = DataLoader(empty, batchSize: 4, shuffle: true)
        #expect(loader.batchCount == 0)
        #expect(pass(loader).isEmpty)
    }
}

// MARK: - randomSplit

@Suite struct DataLoaderRandomSplitTests {
    @Test func sizesAreTheValidShareRoundedDown() {
        let (train, valid) = randomSplit(count: 891, validPercent: 0.2, seed: 42)
        #expect(valid.count == 178)
        #expect(train.count == 713)
        let (train2, valid2) = randomSplit(count: 10, validPercent: 0.25, seed: 0)
        #expect(valid2.count == 2 && train2.count == 8)
    }

    @Test func splitIsDisjointCompleteAndSorted() {
        for seed: UInt64 in [0, 1, 42, 12345] {
            let (train, valid) = randomSplit(count: 100, validPercent: 0.3, seed: seed)
            #expect(Set(train).isDisjoint(with: Set(valid)))
            #expect((train + valid).sorted() == Array(0..<100))
            #expect(train == train.sorted() && valid == valid.sorted())
        }
    }

    @Test func splitIsReproducibleAndDependsOnTheSeed() {
        let a = randomSplit(count: 200, validPercent: 0.2, seed: 7)
        let b = randomSplit(count: 200, validPercent: 0.2, seed: 7)
        let c = randomSplit(count: 200, validPercent: 0.2, seed: 8)
        #expect(a.train == b.train && a.valid == b.valid)
        #expect(a.valid != c.valid)
        // Not simply the last rows of the file.
        #expect(a.valid != Array(160..<200))
    }

    @Test func zeroValidShareKeepsEveryRowForTraining() {
        let (train, valid) = randomSplit(count: 17, validPercent: 0, seed: 3)
        #expect(train == Array(0..<17))
        #expect(valid.isEmpty)
    }
}
