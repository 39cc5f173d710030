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

        var errors = DatasetChecks.Check(spec, facts);
        if (errors.Count > 0) throw new UserError(errors.Select(err => $"{sweepFile}: {err}").ToList());
        return new LoadedSweep(spec, facts, GridExpansion.Expand(spec, DatasetChecks.EffectiveTrainCount(spec.Dataset, facts)));
    }
}
