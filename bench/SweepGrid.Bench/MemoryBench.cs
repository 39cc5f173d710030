using System.Globalization;
using System.Text;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;

namespace SweepGrid.Bench;

/// <summary>
/// Resident memory of the process after each of several trials run back to back in one process, as
/// a training slot runs them: it should level off after the first trial if every tensor is disposed.
/// </summary>
internal static class MemoryBench
{
    private sealed class Ignore : ITrainingObserver
    {
        public void OnEpoch(EpochRecord record)
        {
        }
    }

    public static string Run(int trials)
    {
        var spec = SweepFile.Load(Path.Combine("hocon", "sweeps", "quick.hocon"));
        var trial = GridExpansion.Expand(spec with { Base = spec.Base with { Epochs = 1 } })[0];
        var data = Datasets.Load(trial.Dataset);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Memory across trials ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine("One process, quick.hocon's first trial (MLP 784-512-512-10, bundled data) for 1 epoch, run back to back.");
        report.AppendLine();
        report.AppendLine("| after trial | RSS MiB | managed MiB |");
        report.AppendLine("| ---: | ---: | ---: |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| 0 | {RssMiB():F0} | {GC.GetTotalMemory(true) / 1048576.0:F0} |");
        for (int i = 1; i <= trials; i++)
        {
            Trainer.Run(trial with { Seed = i }, data, new Ignore(), CancellationToken.None);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {i} | {RssMiB():F0} | {GC.GetTotalMemory(true) / 1048576.0:F0} |");
        }

        return report.ToString();
    }

    private static double RssMiB() => SweepMemoryBench.RssMiB();
}
