using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Results;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cli.Output;

/// <summary>
/// Line-by-line progress: safe for terminals, CI logs and files alike; epoch lines can be left out
/// (--quiet). Needs no list of the sweep's trials: each delta names its trial, and the settled count
/// starts from the coordinator's <see cref="SweepProgress"/>.
/// </summary>
internal sealed class ProgressPrinter(TextWriter output, bool epochLines = true)
{
    private readonly Lock _gate = new();
    private int _settled, _total;

    private SweepStanding? _standing;

    public void On(object message)
    {
        lock (_gate)
        {
            switch (message)
            {
                case Submitted s:
                    _total = s.Total;
                    Write($"{s.Total} trials in the store, {s.Added} new, {s.AlreadyFinished} already finished (not re-run)");
                    break;
                case SweepProgress p:
                    (_settled, _total) = (p.Counts.Settled, p.Counts.Total);
                    // Sent afresh when the sweep is paused, cancelled or resumed (or its priority set).
                    if (_standing is { } before && before != p.Standing) Write($"sweep {p.SweepName} {(p.Standing == SweepStanding.Open ? "resumed" : p.Standing.ToString().ToLowerInvariant())}");
                    _standing = p.Standing;
                    break;
                case TrialStarted s:
                    Write($"start  {s.TrialId} ({s.Description}) attempt {s.Attempt} on {s.Slot}");
                    break;
                case TrialEpoch e when epochLines:
                    var r = e.Record;
                    Write($"epoch  {e.TrialId} {r.Epoch}/{e.Epochs}  train_loss {r.TrainLoss:F4}  train_acc {r.TrainAccuracy:F4}  test_acc {r.TestAccuracy:F4}  |w-w0| {r.WeightDistance:F2}");
                    break;
                case TrialSettled s when s.Status is TrialStatus.Pending:
                    Write($"retry  {s.TrialId}: {s.Reason}");
                    break;
                case TrialSettled s:
                    _settled++;
                    var reason = s.Reason is null ? "" : $": {s.Reason}";
                    Write($"{s.Status.ToString().ToLowerInvariant(),-9} {s.TrialId} [{_settled}/{_total}]{reason}");
                    break;
            }
        }
    }

    private void Write(string line) => output.WriteLine(FormattableString.Invariant($"{DateTime.Now:HH:mm:ss} {line}"));
}
