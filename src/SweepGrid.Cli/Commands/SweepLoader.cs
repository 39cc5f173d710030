using SweepGrid.Cluster.Hosting;
using SweepGrid.Store;
using SweepGrid.Core.Sweeps;
using SweepGrid.Data;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// Everything that can reject a sweep before anything runs or is written: the file, its keys and
/// values, the dataset it names (headers only) and the sweep's size. Each error is one line naming
/// the file (or the stored sweep), the key and the value.
/// </summary>
internal static class SweepLoader
{
    public sealed record LoadedSweep(SweepDefinition Definition, DatasetFacts Facts)
    {
        public SweepSpec Spec => Definition.Spec;
    }

    /// <summary>
    /// The file alone (syntax, keys, values, size as a message): what `submit` checks on a client that
    /// may not see the data, which the cluster checks where the trials will read it. Returns the
    /// sweep and the text it was parsed from (what `submit` sends).
    /// </summary>
    public static (SweepSpec Spec, string Text) LoadFile(string sweepFile)
    {
        try
        {
            var (spec, text) = SweepFile.LoadWithText(sweepFile);
            return SweepDefinition.SizeError(spec) is { } tooLarge ? throw new SweepValidationException(sweepFile, [tooLarge]) : (spec, text);
        }
        catch (SweepValidationException e) when (!File.Exists(sweepFile) && BundledSweeps() is { } bundled)
        {
            throw new UserError([.. Prefixed(sweepFile, e).Lines, bundled]);
        }
        catch (SweepValidationException e)
        {
            throw Prefixed(sweepFile, e);
        }
    }

    /// <summary>
    /// Where an installed `sweepgrid` keeps the example sweeps (build/install.sh copies hocon/sweeps there),
    /// for a "not found" message; null in a build folder.
    /// </summary>
    private static string? BundledSweeps()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "sweeps");
        if (!Directory.Exists(folder)) return null;
        var names = Directory.GetFiles(folder, "*.hocon").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        return $"the bundled sweeps are in {folder}: {string.Join(", ", names)}";
    }

    /// <summary>The file, its data where this process reads it, and the limits: what `run` checks.</summary>
    public static LoadedSweep Load(string sweepFile, SweepLimits limits) => Defined(LoadFile(sweepFile).Spec, sweepFile, limits);

    /// <summary>A sweep as stored when it was first run (for `resume`), checked against its data again.</summary>
    public static LoadedSweep FromStore(ResultsStore store, string sweep, SweepLimits limits)
    {
        Exporter.RequireSweep(store, sweep);
        return Defined(store.Read.Sweep(sweep), $"sweep {sweep} (as stored)", limits);
    }

    /// <summary>
    /// The dataset as this process sees it, every file read to its end (<see cref="Datasets.Verified"/>);
    /// unreadable, truncated or malformed data is an error of the key <c>sweep.dataset.path</c>, naming
    /// the file. What `run` and a coordinator node check a sweep with.
    /// </summary>
    /// <exception cref="SweepValidationException">The data cannot be used.</exception>
    public static DatasetFacts ReadDataset(DatasetSpec dataset)
    {
        try
        {
            return Datasets.Verified(dataset);
        }
        catch (DataFormatException e)
        {
            throw new SweepValidationException($"dataset {dataset.Name}", [new ValidationError("sweep.dataset.path", e.Message)]);
        }
    }

    private static LoadedSweep Defined(SweepSpec spec, string source, SweepLimits limits)
    {
        try
        {
            var facts = ReadDataset(spec.Dataset);
            return new LoadedSweep(SweepDefinition.Create(spec, facts, limits.MaxTrials), facts);
        }
        catch (SweepValidationException e)
        {
            throw Prefixed(source, e);
        }
    }

    private static UserError Prefixed(string source, SweepValidationException e) => new(e.Errors.Select(err => $"{source}: {err}").ToList());
}
