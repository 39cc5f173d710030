using System.Globalization;
using SweepGrid.Store;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Worker;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// `sweepgrid interpolate A B`: Keskar et al.'s parametric plot between the final weights of two
/// finished trials of the same sweep and architecture, stored in the interpolations table and printed.
/// </summary>
internal static class InterpolateCommand
{
    public static int Run(string storeDirectory, string trialA, string trialB, int points, TextWriter output)
    {
        if (points is < 2 or > Core.Sweeps.SweepFile.Bounds.Points) throw new UserError($"--points: must be from 2 to {Core.Sweeps.SweepFile.Bounds.Points}, got {points}");
        foreach (var (name, id) in new[] { ("trial-a", trialA), ("trial-b", trialB) })
        {
            if (!Core.Sweeps.Names.IsTrialId(id)) throw new UserError($"{name}: \"{Core.Sweeps.Names.Printable(id)}\" is not a trial id (12 hex digits, the trial column of trials.csv)");
        }

        var store = Stores.Results(storeDirectory);
        var sweep = CommonSweep(store, trialA, trialB);
        var spec = store.Read.Sweep(sweep);
        var facts = Datasets.Facts(spec.Dataset);
        var trials = GridExpansion.Expand(spec, Core.Sweeps.DatasetChecks.EffectiveTrainCount(spec.Dataset, facts));
        var a = trials.SingleOrDefault(t => t.TrialId == trialA)
            ?? throw new UserError($"trial {trialA} is not in sweep {sweep} as its sweep file now expands");
        var paths = new[] { trialA, trialB }.Select(t => FinalWeights(store, sweep, t)).ToArray();
        foreach (var (trial, path) in new[] { trialA, trialB }.Zip(paths))
        {
            if (!File.Exists(path)) throw new UserError($"trial {trial} has no final weights ({path}): only completed trials keep them");
        }

        var result = WeightInterpolation.Between(a, spec.Dataset, paths[0], paths[1], points);
        store.Write.Interpolation(sweep, trialA, trialB, result.Select(p => (p.Alpha, p.TrainLoss, p.TrainAccuracy, p.TestLoss, p.TestAccuracy)));
        output.WriteLine($"sweep {sweep}: θ(α) = α·θ[{trialB}] + (1 − α)·θ[{trialA}]");
        output.WriteLine("   alpha  train_loss  train_acc  test_loss  test_acc");
        foreach (var p in result)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Alpha,8:F3}  {p.TrainLoss,10:F4}  {p.TrainAccuracy,9:F4}  {p.TestLoss,9:F4}  {p.TestAccuracy,8:F4}"));
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// The weights of the attempt whose outcome is stored (a superseded attempt may have left its own);
    /// a store from before 2026-12 kept one file per trial.
    /// </summary>
    private static string FinalWeights(ResultsStore store, string sweep, string trial)
    {
        var ofOutcome = store.Read.Outcome(sweep, trial) is { } outcome ? store.Files.Weights(sweep, trial, outcome.Attempt) : null;
        return ofOutcome is not null && File.Exists(ofOutcome) ? ofOutcome : store.Files.Weights(sweep, trial, attempt: null);
    }

    /// <summary>Both trials must be in one sweep (same data and architecture); names what exists otherwise.</summary>
    private static string CommonSweep(ResultsStore store, string trialA, string trialB)
    {
        if (!store.Exists) throw new UserError($"{store.Describe}: no results database there (no sweep has been run with it)");
        var inA = store.Read.FindTrial(trialA);
        var inB = store.Read.FindTrial(trialB);
        if (inA.Count == 0) throw new UserError($"trial {trialA} is not in {store.Describe}");
        if (inB.Count == 0) throw new UserError($"trial {trialB} is not in {store.Describe}");
        var common = inA.Select(x => x.Sweep).Intersect(inB.Select(x => x.Sweep)).ToList();
        if (common.Count == 0)
        {
            throw new UserError($"trials {trialA} ({inA[0].Sweep}) and {trialB} ({inB[0].Sweep}) are in different sweeps: interpolate within one sweep");
        }

        return common[0];
    }
}
