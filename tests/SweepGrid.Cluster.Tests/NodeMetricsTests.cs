using System.Text;
using SweepGrid.Cluster.Metrics;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Cluster.Tests;

/// <summary>What the node's metrics make of the coordinator's decisions and the slots' moves, without a cluster.</summary>
public sealed class NodeMetricsTests
{
    private static string Text(NodeMetrics metrics)
    {
        using var stream = new MemoryStream();
        metrics.Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static SweepState Sweep()
    {
        var definition = SweepDefinition.Create(SweepFile.Parse("""
            sweep {
              name = m
              dataset { name = synthetic }
              grid { seed = [1, 2, 3] }
            }
            """, "m.hocon"), trainCount: 1000, SweepDefinition.DefaultMaxTrials);
        return SweepState.Empty("m").Apply(new SweepDefined(definition));
    }

    [Fact]
    public void Journaled_decisions_count_as_trial_events_and_the_sweeps_gauges_follow_its_state()
    {
        var metrics = new NodeMetrics();
        var state = Sweep();
        var assigned = (TrialAssigned)SweepDecisions.Assign(state, "s").Single();
        state = state.Apply(assigned);
        metrics.Journaled("m", assigned);
        metrics.Journaled("m", new TrialFinished(assigned.TrialId, 1, TrialStatus.Diverged, "nan"));
        metrics.Journaled("m", new TrialInterrupted(assigned.TrialId, 1, "lost"));
        metrics.Journaled("m", new SweepPaused());
        state = state.Apply(new SweepPaused());
        metrics.Sweep(state);

        var text = Text(metrics);
        Assert.Contains("sweepgrid_trial_events_total{sweep=\"m\",event=\"started\"} 1", text);
        Assert.Contains("sweepgrid_trial_events_total{sweep=\"m\",event=\"diverged\"} 1", text);
        Assert.Contains("sweepgrid_trial_events_total{sweep=\"m\",event=\"interrupted\"} 1", text);
        Assert.DoesNotContain("event=\"paused\"", text);
        Assert.Contains("sweepgrid_trials{sweep=\"m\",status=\"pending\"} 2", text);
        Assert.Contains("sweepgrid_trials{sweep=\"m\",status=\"running\"} 1", text);
        Assert.Contains("sweepgrid_sweep_open{sweep=\"m\",state=\"paused\"} 1", text);
        Assert.Contains("sweepgrid_sweep_open{sweep=\"m\",state=\"open\"} 0", text);

        metrics.SweepGone("m");
        Assert.DoesNotContain("sweepgrid_trials{sweep=\"m\"", Text(metrics));
    }

    [Fact]
    public void A_slot_counts_in_one_state_at_a_time()
    {
        var metrics = new NodeMetrics();
        metrics.SlotMoved(null, "starting");
        metrics.SlotMoved(null, "starting");
        metrics.SlotMoved("starting", "idle");
        metrics.SlotMoved("idle", "busy");
        metrics.SlotMoved("starting", "out_of_service");
        metrics.SlotMoved("busy", "busy");

        var text = Text(metrics);
        Assert.Contains("sweepgrid_slots{state=\"busy\"} 1", text);
        Assert.Contains("sweepgrid_slots{state=\"idle\"} 0", text);
        Assert.Contains("sweepgrid_slots{state=\"starting\"} 0", text);
        Assert.Contains("sweepgrid_slots{state=\"out_of_service\"} 1", text);
    }
}
