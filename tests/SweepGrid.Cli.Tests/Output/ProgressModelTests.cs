using Spectre.Console;
using SweepGrid.Cli.Output;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cli.Tests.Output;

public sealed class ProgressModelTests
{
    // Two trials of 4 epochs and one of 8 (regime adaptation at B = 2 × B_base): 16 epochs of work.
    private static readonly IReadOnlyList<TrialSpec> Trials = GridExpansion.Expand(SweepFile.Parse("""
        sweep {
          name = progress
          dataset { name = synthetic }
          base { batch-size = 16, epochs = 4 }
          grid = [
            { batch-size = [16], seed = [1, 2] }
            { batch-size = [32], regime-adaptation = [true] }
          ]
        }
        """, "progress.hocon"));

    /// <summary>A model that has heard the coordinator's counts: three pending trials, 16 epochs to run.</summary>
    private static ProgressModel Model()
    {
        var model = new ProgressModel();
        model.On(new SweepProgress("progress", new TrialCounts(3, 0, 0, 0, 0), 16, 0, [], 0));
        return model;
    }

    private static string Id(int i) => Trials[i].TrialId;

    private static TrialStarted Started(int trial, int attempt, string slot) => new(Id(trial), attempt, slot, Trials[trial].Epochs, TrialText.Brief(Trials[trial]));

    private static TrialSettled Settled(int trial, TrialStatus status, int attempts, string? reason) => new(Id(trial), status, attempts, reason, Trials[trial].Epochs);

    private static TrialEpoch Epoch(int trial, int attempt, int epoch) =>
        new(Id(trial), attempt, new EpochRecord(epoch, epoch * 10, 0.1, 0.5, 0.8, 0.6, 0.75, 1.0, 1.0), Trials[trial].Epochs);

    [Fact]
    public void Eta_extrapolates_epochs_so_a_long_trial_weighs_more()
    {
        Assert.Equal([4, 4, 8], Trials.Select(t => t.Epochs));
        var model = Model();
        model.On(Started(0, 1, "slot-0"));
        model.On(Started(2, 1, "slot-1"));
        model.On(Epoch(0, 1, 1));
        model.On(Epoch(2, 1, 1));

        var view = model.Snapshot(TimeSpan.FromSeconds(10));

        // 2 of 16 epochs in 10 s: 14 left at 5 s each.
        Assert.Equal(TimeSpan.FromSeconds(70), view.Eta);
        Assert.Equal((2, 2), (view.Running.Count, view.RunningCount));
        Assert.Equal(0, view.Settled);
    }

    [Fact]
    public void Counts_follow_settlements_and_a_retry_starts_its_epochs_again()
    {
        var model = Model();
        Assert.Null(model.Snapshot(TimeSpan.FromSeconds(5)).Eta);
        model.On(Started(0, 1, "slot-0"));
        model.On(Epoch(0, 1, 3));
        model.On(Settled(0, TrialStatus.Pending, 1, "slot lost"));
        model.On(Started(0, 2, "slot-1"));
        model.On(Epoch(0, 1, 4)); // a late epoch from the superseded attempt
        var retried = model.Snapshot(TimeSpan.FromSeconds(10));
        model.On(Settled(0, TrialStatus.Completed, 2, null));
        model.On(Started(1, 1, "slot-0"));
        model.On(Settled(1, TrialStatus.Failed, 3, "boom"));

        var view = model.Snapshot(TimeSpan.FromSeconds(20));

        var running = Assert.Single(retried.Running);
        Assert.Equal((2, 0), (running.Attempt, running.Epoch));
        Assert.Null(retried.Eta);
        Assert.Equal((1, 0, 1, 2), (view.Completed, view.Diverged, view.Failed, view.Settled));
        Assert.Empty(view.Running);
        // 8 of 16 epochs (two 4-epoch trials settled) in 20 s: 8 left.
        Assert.Equal(TimeSpan.FromSeconds(20), view.Eta);
    }

    [Fact]
    public void Trials_finished_before_this_run_are_counted_done_but_not_in_the_eta()
    {
        var model = new ProgressModel();
        // Trial 0 (4 epochs) finished before this follower started.
        model.On(new SweepProgress("progress", new TrialCounts(2, 0, 1, 0, 0), 16, 4, [], 0));
        model.On(Started(1, 1, "slot-0"));
        model.On(Epoch(1, 1, 2));

        var view = model.Snapshot(TimeSpan.FromSeconds(4));

        Assert.Equal(1, view.Completed);
        // 2 of the 12 epochs this run must do, in 4 s: 10 left.
        Assert.Equal(TimeSpan.FromSeconds(20), view.Eta);
    }

    [Fact]
    public void A_fresh_progress_after_a_hand_over_replaces_what_the_deltas_built()
    {
        var model = Model();
        model.On(Started(0, 1, "slot-0"));
        model.On(Started(1, 1, "slot-1"));
        model.On(Epoch(0, 1, 3));

        // The new coordinator re-queued trial 1 and knows trial 0 still runs, at epoch 3.
        model.On(new SweepProgress("progress", new TrialCounts(2, 1, 0, 0, 0), 16, 0, [new RunningTrial(Id(0), 1, "slot-0", 3, 4, "")], 0));
        model.On(Epoch(0, 1, 4));

        var view = model.Snapshot(TimeSpan.FromSeconds(8));
        var running = Assert.Single(view.Running);
        Assert.Equal((Id(0), 4), (running.TrialId, running.Epoch));
        Assert.Equal((3, 1, 0), (view.Total, view.RunningCount, view.Settled));
        Assert.Equal(TimeSpan.FromSeconds(24), view.Eta); // 4 of 16 epochs in 8 s: 12 left at 2 s each
    }

    [Fact]
    public void The_live_view_shows_counts_eta_and_one_row_per_running_trial()
    {
        var model = Model();
        model.On(Started(0, 1, "slot-0"));
        model.On(Epoch(0, 1, 2));
        model.On(Started(1, 1, "slot-1"));
        model.On(Settled(1, TrialStatus.Diverged, 1, "loss NaN"));
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(text), Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;

        console.Write(LiveProgress.Render(model.Snapshot(TimeSpan.FromSeconds(30)), "sweep progress"));

        var output = text.ToString();
        Assert.Contains("1/3 done", output);
        Assert.Contains("1 diverged", output);
        Assert.Contains("1 running", output);
        // The diverged trial's 4 epochs count as done, with 2 of trial 0's: 6 of 16 in 30 s, 10 left → 50 s.
        Assert.Contains("ETA 50s", output);
        var row = Assert.Single(output.Split('\n'), l => l.Contains(Id(0)));
        Assert.Contains("slot-0", row);
        Assert.Contains("2/4", row);
        Assert.Contains("0.5000", row);
        Assert.Contains("0.7500", row);
    }
}
