using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Data;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// Everything that can reject a sweep before anything runs or is written: the file, its keys and
/// values, and the dataset it names (headers only).
/// </summary>
internal static class SweepLoader
{
    public sealed record LoadedSweep(SweepSpec Spec, DatasetFacts Facts, IReadOnlyList<TrialSpec> Trials);

    public static LoadedSweep Load(string sweepFile)
    {
        SweepSpec spec;
        try
        {
            spec = SweepFile.Load(sweepFile);
        }
        catch (SweepValidationException e)
        {
            throw new UserError(e.Errors.Select(err => $"{sweepFile}: {err}").ToList());
        }

        DatasetFacts facts;
        try
        {
            facts = Datasets.Facts(spec.Dataset);
        }
        catch (DataFormatException e)
        {
            throw new UserError($"{sweepFile}: sweep.dataset.path: {e.Message}");
        }

        return Checked(spec, facts, sweepFile);
    }

    /// <summary>A sweep as stored when it was first run (for `resume`), checked against its data again.</summary>
    public static LoadedSweep FromStore(Cluster.Results.ResultsStore store, string sweep)
    {
        Exporter.RequireSweep(store, sweep);
        var spec = store.LoadSweep(sweep);
        var source = $"sweep {sweep} (as stored)";
        DatasetFacts facts;
        try
        {
            facts = Datasets.Facts(spec.Dataset);
        }
        catch (DataFormatException e)
        {
            throw new UserError($"{source}: sweep.dataset.path: {e.Message}");
        }

        return Checked(spec, facts, source);
    }

    private static LoadedSweep Checked(SweepSpec spec, DatasetFacts facts, string source)
    {
        var errors = DatasetChecks.Check(spec, facts);
        if (errors.Count > 0) throw new UserError(errors.Select(err => $"{source}: {err}").ToList());
        return new LoadedSweep(spec, facts, GridExpansion.Expand(spec, DatasetChecks.EffectiveTrainCount(spec.Dataset, facts)));
    }
}
