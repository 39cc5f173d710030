using System.Globalization;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cli.Output;

/// <summary>Line-by-line progress: safe for terminals, CI logs and files alike; epoch lines can be left out (--quiet).</summary>
internal sealed class ProgressPrinter(TextWriter output, IReadOnlyDictionary<string, TrialSpec> trials, bool epochLines = true)
{
    private readonly Lock _gate = new();
    private int _settled;

    public void On(object message)
    {
        lock (_gate)
        {
            switch (message)
            {
                case Submitted s:
                    Write($"{s.Total} trials in the store, {s.Added} new, {s.AlreadyFinished} already finished (not re-run)");
                    break;
                case Snapshot snapshot:
                    _settled = snapshot.Trials.Count(t => t.IsTerminal);
                    break;
                case TrialStarted s:
                    Write($"start  {Describe(s.TrialId)} attempt {s.Attempt} on {s.Slot}");
                    break;
                case TrialEpoch e when epochLines:
                    var r = e.Record;
                    Write($"epoch  {e.TrialId} {r.Epoch}/{trials[e.TrialId].Epochs}  train_loss {r.TrainLoss:F4}  train_acc {r.TrainAccuracy:F4}  test_acc {r.TestAccuracy:F4}  |w-w0| {r.WeightDistance:F2}");
                    break;
                case TrialSettled s when s.Status is TrialStatus.Pending:
                    Write($"retry  {s.TrialId}: {s.Reason}");
                    break;
                case TrialSettled s:
                    _settled++;
                    var reason = s.Reason is null ? "" : $": {s.Reason}";
                    Write($"{s.Status.ToString().ToLowerInvariant(),-9} {s.TrialId} [{_settled}/{trials.Count}]{reason}");
                    break;
            }
        }
    }

    private string Describe(string trialId)
    {
        var t = trials[trialId];
        return string.Create(CultureInfo.InvariantCulture,
            $"{trialId} (batch {t.BatchSize}, lr {t.LearningRate:G4}, ghost {t.GhostBatchSize}, {t.Regularizer} {t.RegularizerStrength:G3}, seed {t.Seed}, {t.Epochs} epochs)");
    }

    private void Write(string line) => output.WriteLine(FormattableString.Invariant($"{DateTime.Now:HH:mm:ss} {line}"));
}
