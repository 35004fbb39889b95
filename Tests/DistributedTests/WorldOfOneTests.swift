import Foundation
import Testing
import Slope

// Without mpiexec, or without an MPI library, a process is a world of one and trains as before;
// under mpiexec without a usable MPI library, it refuses with a message that says what to install.

@Suite("A world of one without MPI")
struct WorldOfOneTests {
    @Test func startingOutsideMPIExecGivesRankZeroOfOneAndCollectivesDoNothing() async throws {
        let world = try Distributed.start()
        #expect(world.rank == 0 && world.size == 1 && world.isLeader && !world.isDistributed)
        #expect(Distributed.world == world)
        var values: [Float] = [1, 2, 3]
        world.allReduceSum(&values, what: "a test sum")
        #expect(values == [1, 2, 3])
    }

    @Test func aTimeoutThatIsNotAPositiveNumberIsRefused() {
        #expect(throws: DistributedError.self) { try Distributed.start(timeout: -1) }
        #expect(throws: DistributedError.self) { try Distributed.start(timeout: .nan) }
    }

    @Test(.enabled(if: slopeBinary != nil))
    func infoNamesTheMPILibraryAndAWorldOfOne() async throws {
        let folder = try temporaryFolder("mpi-info")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await slope(["info", "--json"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let info = try run.json()
        #expect(info["worldSize"] as? Int == 1 && info["rank"] as? Int == 0)
        if let name = Distributed.libraryName { #expect(info["mpi"] as? String == name) } else { #expect(info["mpi"] is NSNull) }
        if expectMPI { #expect((info["mpi"] as? String)?.hasPrefix("MPICH") == true, "CI installs MPICH: \(info)") }
        let without = try await slope(["info"], in: folder, environment: ["SLOPE_MPI": "none"])
        #expect(without.stdout.contains("MPI library: none found"), "\(without.stdout)")
        #expect(without.stdout.contains("world: 1 process"), "\(without.stdout)")
    }

    @Test(.enabled(if: slopeBinary != nil))
    func trainingWithoutMPIStillWorks() async throws {
        let folder = try temporaryFolder("mpi-none")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await slope(["train", "\(sharedData)/iris/iris.csv", "--target", "target", "--epochs", "1", "--batch-size", "16",
                             "--json"], in: folder, environment: ["SLOPE_MPI": "none"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.json()["epochs"] as? Int == 1)
    }

    @Test(.enabled(if: mpiTestsEnabled))
    func underMPIExecWithoutAnMPILibraryTheRunIsRefusedWithWhatToInstall() async throws {
        let folder = try temporaryFolder("mpi-missing")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await slopeMPI(ranks: 2, ["train", "\(sharedData)/iris/iris.csv", "--target", "target", "--epochs", "1",
                                          "--export", "m.slope"], in: folder, environment: ["SLOPE_MPI": "none"], timeout: 120)
        #expect(run.status != 0)
        #expect(run.stderr.contains("launched by mpiexec as one of 2 processes") && run.stderr.contains("install MPICH"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.slope").path))
    }
}
