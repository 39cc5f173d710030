using SweepGrid.Cli.Summaries;
using System.Diagnostics;
using System.Globalization;
using SweepGrid.Cli.Output;
using SweepGrid.Cli.Reporting;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Results;
using SweepGrid.Core.Slots;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// `sweepgrid run`: validate the sweep (nothing is written if it is wrong), then run it on a one-node
/// cluster in this process (the same director and coordinator as a cluster), printing one line per
/// event and the results table at the end.
/// </summary>
internal static class RunCommand
{
    /// <param name="Live">Draw the live view (an interactive terminal) instead of progress lines.</param>
    /// <param name="Quiet">Progress lines only for trial starts and ends, not every epoch.</param>
    /// <param name="SweepFile">The sweep file; null with <paramref name="Resume"/>.</param>
    /// <param name="Resume">Run this stored sweep again as it was submitted (`sweepgrid resume`).</param>
    /// <param name="TableWidth">The terminal width the closing tables must fit; null: every column.</param>
    public sealed record Options(string? SweepFile, string Store, SlotArguments Slots, bool Live = false, bool Quiet = false, string? Resume = null,
        int? TableWidth = null);

    /// <summary>The samples the trials train on: with train-subset, "1000 of 60000".</summary>
    private static string TrainSamples(SweepLoader.LoadedSweep loaded) =>
        loaded.Definition.TrainCount < loaded.Facts.TrainCount ? $"{loaded.Definition.TrainCount} of {loaded.Facts.TrainCount}" : $"{loaded.Facts.TrainCount}";

    public static async Task<int> RunAsync(Options options, TextWriter output, CancellationToken ct)
    {
        var settings = HoconFiles.Parse("sweepgrid.conf");
        var slots = SlotPlan.Build(options.Slots, cpuDefault: 2, settings, w => output.WriteLine($"warning: {w}"));
        var store = Stores.Location(options.Store);
        var limits = SweepLimits.From(settings);
        var loaded = options.Resume is { } stored
            ? SweepLoader.FromStore(store.OpenResults(), stored, limits)
            : SweepLoader.Load(options.SweepFile ?? throw new ArgumentException("a sweep file or a stored sweep", nameof(options)), limits);
        var spec = loaded.Spec;
        int threads = SlotDevices.ThreadsForSlots(slots.Count);
        output.WriteLine($"sweep {spec.Name}: {loaded.Definition.TrialCount} trials on {spec.Dataset.Name} " +
                         $"({TrainSamples(loaded)} train / {loaded.Facts.TestCount} test), {SlotPlan.Describe(slots)} × {threads} thread(s), store {store.Directory}" +
                         (store.IsPostgres ? " (journal and tables in PostgreSQL)" : ""));
        var clock = Stopwatch.StartNew();
        // Only now, with the sweep validated, may anything be written to the store.
        var levels = Logging.LogLevels.FromConfig();
        Logging.LogSetup.ToStore(options.Store, levels);
        await using var node = await SweepGridNode.StartLocalAsync(store, slots, SweepLoader.ReadDataset,
            Akka.Configuration.ConfigurationFactory.ParseString($"akka.loglevel = {levels.AkkaFileLevel}"), ct);
        SweepProgress final;
        if (options.Live)
        {
            var model = new ProgressModel();
            final = await new LiveProgress(model, $"sweep {spec.Name}").ShowWhile(Spectre.Console.AnsiConsole.Console,
                () => LocalSweep.RunAsync(node, loaded.Definition, model.On, ct));
        }
        else
        {
            var progress = new ProgressPrinter(output, epochLines: !options.Quiet);
            final = await LocalSweep.RunAsync(node, loaded.Definition, progress.On, ct);
        }

        output.WriteLine();
        var rows = node.Results.Read.Trials(spec.Name);
        output.WriteLine(ResultsTable.Render(rows, options.TableWidth));
        output.WriteLine();
        output.WriteLine("By setting, mean ± std over seeds:");
        output.WriteLine(SeedSummary.Render(SeedStatistics.Summarize(rows, node.Results.Read.Flatness(spec.Name), TargetSteps.Load(node.Results, spec.Name)), markdown: false, options.TableWidth));
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sweep {spec.Name}: {ClusterCommands.Outcomes(final.Counts)} in {clock.Elapsed.TotalSeconds:F1} s"));
        return ExitCodes.Of(final.Counts);
    }
}
