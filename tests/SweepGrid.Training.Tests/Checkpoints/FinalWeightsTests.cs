using SweepGrid.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests.Checkpoints;

/// <summary>A trial's final weights file, written by two attempts of the trial at once (an abandoned one finishing late).</summary>
public sealed class FinalWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Two_writers_of_one_trial_at_once_both_succeed_and_leave_one_whole_file_and_no_temporary_one()
    {
        var path = Path.Combine(_dir, "weights", "0123456789ab.pt");
        using var first = nn.Linear(512, 512);
        using var second = nn.Linear(512, 512);
        using (no_grad())
        {
            first.weight!.fill_(1);
            second.weight!.fill_(2);
        }

        // Many rounds side by side: with one shared temporary name, a rename took the other writer's
        // half-written file and the other's rename then found nothing.
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => FinalWeights.Save(i % 2 == 0 ? first : second, path));

        using var loaded = nn.Linear(512, 512);
        loaded.load(path);
        var value = loaded.weight![0, 0].item<float>();
        Assert.Contains(value, new[] { 1f, 2f });
        Assert.True(loaded.weight!.eq(value).all().item<bool>(), "the file mixes the two writers' weights");
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
