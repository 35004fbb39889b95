import ArgumentParser
import Foundation
import Slope

/// `slope train`: train a model on a CSV table or on images and show the epoch table.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a network on a CSV table (--target COLUMN) or on images (--images).")

    @OptionGroup var data: DataOptions
    @Option(help: "Number of epochs.") var epochs: Int = 5
    @Option(parsing: .unconditional,
            help: "Peak learning rate of the one-cycle schedule, or `auto` for the learning-rate finder's suggestion (fastai's valley) (default: 0.01; 0.002 with --from).")
    var lr: String?
    @Option(help: "Images: fine-tune a ResNet whose body comes from this checkpoint (torchvision's `torch.save(resnet18().state_dict())`, or safetensors of the same keys) with a new head: the body frozen for --freeze-epochs, then every layer for --epochs with discriminative learning rates (fastai's fine_tune).")
    var from: String?
    @Option(name: .customLong("freeze-epochs"), help: "With --from: epochs that train the head (and batch norm) alone first.")
    var freezeEpochs: Int = 1
    @Option(help: "Hidden layer sizes of the tabular model.") var layers: String = "200,100"
    @Option(parsing: .unconditional, help: "Weight decay (decoupled, as AdamW).") var wd: Float = 0.01
    @Option(parsing: .unconditional, help: "Dropout probability in the hidden layers.") var dropout: Float = 0
    @Option(name: .customLong("plot-loss"), help: "Write the loss curve to this SVG file.") var plotLoss: String?
    @Option(help: "Write the trained model and its preprocessing to this file (e.g. model.slope).") var export: String?
    @Flag(help: "Print one JSON object at the end instead of the table.") var json = false

    func run() throws {
        guard epochs >= 1 else { throw CommandError("--epochs must be at least 1, got \(epochs)") }
        guard epochs <= InputLimits.epochs.value else { throw CommandError("--epochs must be at most \(InputLimits.epochs), got \(epochs)") }
        let hidden = try DataOptions.hiddenSizes(layers)
        let lrText = lr ?? (from == nil ? "0.01" : "0.002")
        let explicitLR: Float?
        if lrText == "auto" { explicitLR = nil } else {
            guard let value = Float(lrText), value.isFinite, value > 0 else { throw CommandError("--lr must be `auto` or a positive number, got `\(lrText)`") }
            explicitLR = value
        }
        guard (0...InputLimits.epochs.value).contains(freezeEpochs) else {
            throw CommandError("--freeze-epochs must be between 0 and \(InputLimits.epochs), got \(freezeEpochs)")
        }
        if from == nil && freezeEpochs != 1 { throw CommandError("--freeze-epochs is for fine-tuning; pass --from CHECKPOINT") }
        guard wd.isFinite, wd >= 0 else { throw CommandError("--wd must be a non-negative number, got \(wd)") }
        guard dropout.isFinite, dropout >= 0, dropout < 1 else { throw CommandError("--dropout must be in [0, 1), got \(dropout)") }
        let start = Date()
        // Under `mpiexec -n P`, this process is one rank of P (a world of one otherwise): only rank 0 prints and writes files.
        let world: World
        do { world = try Distributed.start() } catch { throw CommandError("\(error)") }
        if !world.isLeader {
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDOUT_FILENO); close(null) }
        }
        let loaders = try data.load()
        if world.isDistributed, Swift.min(loaders.train.batchSize, loaders.train.dataset.count) < world.size {
            throw CommandError("--batch-size \(loaders.train.batchSize) is smaller than the \(world.size) processes mpiexec started "
                + "(each takes a share of every batch); use --batch-size \(world.size) or more, or fewer processes")
        }
        if !json { print(data.describe(loaders)) }
        let learner = try data.learner(for: loaders, hidden: hidden, dropout: dropout, weightDecay: wd, checkpoint: from)
        learner.progress = ProgressDisplay(style: json ? .silent : nil)
        let rate = explicitLR ?? learner.lrFind().suggestion
        if !json && explicitLR == nil { print(String(format: "learning rate: %.2e (lrFind's valley)", rate)) }
        if from != nil {
            if !json { print("fine-tuning: \(freezeEpochs) epoch\(freezeEpochs == 1 ? "" : "s") with the body frozen, then \(epochs) with every layer") }
            learner.fineTune(epochs: epochs, baseLR: rate, freezeEpochs: freezeEpochs)
        } else {
            learner.fitOneCycle(epochs: epochs, maxLR: rate)
        }
        if let reason = learner.stopReason { throw CommandError("training stopped: \(reason); pass a smaller --lr") }
        guard world.isLeader else { return }
        if let export {
            do { try learner.export(to: export) } catch { throw CommandError("\(error)") }
            if !json { print("exported to \(export)") }
        }
        if let plotLoss {
            do { try learner.recorder.plotLoss(to: plotLoss) } catch { throw CommandError("\(error)") }
        }
        if json {
            let last = learner.recorder.epochs.last
            var metrics: [(String, JSON)] = (last?.metrics ?? []).map { ($0.name, .number($0.value)) }
            metrics.append(("valid_loss", .number(last?.validLoss ?? .nan)))
            print(JSON.object([
                "task": .string(loaders.task.rawValue), "metrics": .object(metrics), "epochs": .int(learner.recorder.epochs.count),
                "lr": .float(rate), "seconds": .number(Date().timeIntervalSince(start)),
            ]))
        }
    }
}
