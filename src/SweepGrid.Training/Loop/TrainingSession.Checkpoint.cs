using SweepGrid.Training.Models;
using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>
/// The session's resumable state as checkpoint sections: parameters and buffers (batch-norm running
/// statistics included), the optimizer's state (momentum or Adam moments), and the states of every
/// random generator training draws from (the shuffle and each seeded dropout). torch's global
/// generator is only used to initialize the model, which a resumed session repeats from the seed, so
/// w₀ (for ‖w_t − w₀‖) comes back bit for bit without being stored.
/// </summary>
/// <remarks>
/// A checkpoint within an epoch (a release's, <see cref="TrainEpoch"/>) stores the shuffle generator as it
/// was before the epoch's permutation, under a section name of its own: a resumed session draws the
/// same permutation and starts at the stored step. An older build, which knows only the epoch-end
/// section, finds its section missing and falls back to the previous generation (an epoch end) instead
/// of resuming a mid-epoch state as if it were one.
/// </remarks>
internal sealed partial class TrainingSession
{
    private const string ModelSection = "model", OptimizerSection = "optimizer", ShuffleSection = "rng/shuffle", EpochShuffleSection = "rng/shuffle-at-epoch-start", DropoutSection = "rng/dropout/";

    /// <summary>Updates taken so far.</summary>
    public long Steps => _steps;

    public (double PathLength, double LastStepLength) StepLengths => (_pathLength.item<double>(), _lastStepLength.item<double>());

    /// <summary>The bytes of the model's parameters and buffers (its state, as a checkpoint's model section holds it).</summary>
    public long StateBytes => FinalWeights.StateBytes(_model);

    /// <param name="midEpoch">The session stopped within an epoch (<see cref="EpochRun.StoppedAt"/>): the shuffle is stored as it was at the epoch's start.</param>
    public IReadOnlyList<(string Name, byte[] Bytes)> CaptureState(bool midEpoch = false)
    {
        var sections = new List<(string, byte[])>
        {
            (ModelSection, Bytes(w => _model.save(w))),
            (OptimizerSection, Bytes(w => ((TorchSharp.Modules.OptimizerHelper)_optimizer).save_state_dict(w))),
            midEpoch
                ? (EpochShuffleSection, _epochShuffle ?? throw new InvalidOperationException("no epoch has started: nothing to checkpoint within one"))
                : (ShuffleSection, GeneratorBytes(_shuffle)),
        };
        sections.AddRange(Dropouts().Select((d, i) => ($"{DropoutSection}{i}", GeneratorBytes(d.Generator))));
        return sections;
    }

    /// <summary>The sections <see cref="RestoreState"/> needs that <paramref name="sections"/> lacks (a mid-epoch checkpoint's shuffle with <paramref name="midEpoch"/>).</summary>
    public IReadOnlyList<string> MissingSections(IReadOnlyDictionary<string, byte[]> sections, bool midEpoch = false) =>
        new[] { ModelSection, OptimizerSection, midEpoch ? EpochShuffleSection : ShuffleSection }.Concat(Dropouts().Select((_, i) => $"{DropoutSection}{i}"))
            .Where(name => !sections.ContainsKey(name)).ToList();

    /// <summary>Loads what <see cref="CaptureState"/> saved, into a session built for the same trial.</summary>
    public void RestoreState(IReadOnlyDictionary<string, byte[]> sections, long steps, double pathLength, double lastStepLength, bool midEpoch = false)
    {
        using (var reader = new BinaryReader(new MemoryStream(sections[ModelSection]))) _model.load(reader);
        using (var reader = new BinaryReader(new MemoryStream(sections[OptimizerSection]))) ((TorchSharp.Modules.OptimizerHelper)_optimizer).load_state_dict(reader);
        SetGenerator(_shuffle, sections[midEpoch ? EpochShuffleSection : ShuffleSection]);
        foreach (var (d, i) in Dropouts().Select((d, i) => (d, i))) SetGenerator(d.Generator, sections[$"{DropoutSection}{i}"]);
        _steps = steps;
        _pathLength.FillWith(pathLength);
        _lastStepLength.FillWith(lastStepLength);
        CopyWeights(); // the step-length baseline is the restored weights
    }

    private IEnumerable<SeededDropout> Dropouts() => _model.modules().OfType<SeededDropout>();

    private static byte[] Bytes(Action<BinaryWriter> save)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) save(writer);
        return stream.ToArray();
    }

    private static byte[] GeneratorBytes(Generator generator)
    {
        using var state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    private static void SetGenerator(Generator generator, byte[] bytes)
    {
        using var state = tensor(bytes, dtype: ScalarType.Byte, device: CPU);
        generator.set_state(state);
    }
}
