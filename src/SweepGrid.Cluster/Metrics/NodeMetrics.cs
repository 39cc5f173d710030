using System.Runtime.CompilerServices;
using Akka.Actor;
using Prometheus;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Store;

namespace SweepGrid.Cluster.Metrics;

/// <summary>
/// What a node tells an operator, in Prometheus' text format (prometheus-net: a maintained library with
/// the exposition format, histograms and an HTTP listener of its own; OpenTelemetry's Prometheus
/// exporter is still a beta). Each node has its own registry, so that several nodes in one process
/// (tests) do not share numbers; the actors reach it through their actor system (<see cref="Of"/>).
/// Counters count what this process saw since it started (Prometheus' rate() handles the reset of a
/// restart); gauges say what holds now. Which node holds which: a coordinator node has the trials by
/// sweep and status and the decisions journaled (the director runs there); a worker node has its slots,
/// worker restarts and epoch times; every node has store writes, store errors and cluster members.
/// </summary>
public sealed class NodeMetrics
{
    private static readonly ConditionalWeakTable<ActorSystem, NodeMetrics> BySystem = new();

    public NodeMetrics()
    {
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        Trials = f.CreateGauge("sweepgrid_trials", "Trials of each sweep by status, as its coordinator holds them (pending = the sweep's queue).", ["sweep", "status"]);
        SweepStanding = f.CreateGauge("sweepgrid_sweep_open", "1 while the sweep is open, 0 while paused or cancelled.", ["sweep", "state"]);
        SweepPriority = f.CreateGauge("sweepgrid_sweep_priority", "The sweep's priority in the fair share of slots.", ["sweep"]);
        TrialEvents = f.CreateCounter("sweepgrid_trial_events_total",
            "Trial starts and ends journaled by the coordinators on this node: started, completed, diverged, failed (an attempt's failure), interrupted (its node lost), handed_back.",
            ["sweep", "event"]);
        Slots = f.CreateGauge("sweepgrid_slots", "Training slots on this node by state: starting, idle, busy, out_of_service.", ["state"]);
        WorkerRestarts = f.CreateCounter("sweepgrid_worker_restarts_total", "Worker processes started again after the first of their slot (a death, a kill).");
        EpochSeconds = f.CreateHistogram("sweepgrid_epoch_seconds", "Seconds between a running trial's epoch reports, as its slot sees them (the first of an attempt includes its start).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.5, 2, 14) });
        StoreWriteSeconds = f.CreateHistogram("sweepgrid_store_write_seconds", "Seconds per write to the result tables (a statement or a transaction, retries included).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        StoreErrors = f.CreateCounter("sweepgrid_store_errors_total", "Writes that failed: to the journal (a persistent actor stopped), or to the result tables (after their retries).", ["store"]);
        Members = f.CreateGauge("sweepgrid_cluster_members", "Cluster members as this node sees them: up (reachable) or unreachable.", ["status"]);
    }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public Gauge Trials { get; }

    public Gauge SweepStanding { get; }

    public Gauge SweepPriority { get; }

    public Counter TrialEvents { get; }

    public Gauge Slots { get; }

    public Counter WorkerRestarts { get; }

    public Histogram EpochSeconds { get; }

    public Histogram StoreWriteSeconds { get; }

    public Counter StoreErrors { get; }

    public Gauge Members { get; }

    /// <summary>The metrics of the node this actor system runs; a private set, never exposed, for a system started without them (tests).</summary>
    public static NodeMetrics Of(ActorSystem system) => BySystem.GetValue(system, _ => new NodeMetrics());

    /// <summary>These are the node's metrics: its actors record here, and the store's writes are timed.</summary>
    public void Attach(ActorSystem system, ResultsStore results)
    {
        BySystem.AddOrUpdate(system, this);
        results.Wrote += (elapsed, failed) =>
        {
            StoreWriteSeconds.Observe(elapsed.TotalSeconds);
            if (failed) StoreErrors.WithLabels("tables").Inc();
        };
        Registry.AddBeforeCollectCallback(() => CountMembers(system));
        foreach (var state in SlotStates) Slots.WithLabels(state).Set(0);
        foreach (var store in new[] { "journal", "tables" }) StoreErrors.WithLabels(store);
    }

    public static readonly string[] SlotStates = ["starting", "idle", "busy", "out_of_service"];

    /// <summary>Each status and standing with its stored name, once: the coordinator updates the gauges after every journaled batch.</summary>
    private static readonly (TrialStatus Status, string Name)[] Statuses = Enum.GetValues<TrialStatus>().Select(s => (s, ResultsWriter.StatusName(s))).ToArray();

    private static readonly (Core.Scheduling.SweepStanding Standing, string Name)[] Standings =
        Enum.GetValues<Core.Scheduling.SweepStanding>().Select(s => (s, ResultsWriter.StandingName(s))).ToArray();

    /// <summary>A sweep's counts and standing, after each decision its coordinator journaled.</summary>
    public void Sweep(SweepState state)
    {
        foreach (var (status, name) in Statuses) Trials.WithLabels(state.SweepName, name).Set(state.Count(status));
        foreach (var (standing, name) in Standings) SweepStanding.WithLabels(state.SweepName, name).Set(state.Standing == standing ? 1 : 0);

        SweepPriority.WithLabels(state.SweepName).Set(state.Priority);
    }

    /// <summary>The sweep's coordinator left this node (a hand-over, a stop): its gauges are another node's to show now.</summary>
    public void SweepGone(string sweep)
    {
        foreach (var (_, name) in Statuses) Trials.RemoveLabelled(sweep, name);
        foreach (var (_, name) in Standings) SweepStanding.RemoveLabelled(sweep, name);
        SweepPriority.RemoveLabelled(sweep);
    }

    /// <summary>A journaled decision about one trial, as the event it counts as (null: not a trial's start or end).</summary>
    public void Journaled(string sweep, ISweepEvent e)
    {
        string? name = e switch
        {
            TrialAssigned => "started",
            TrialFinished f => ResultsWriter.StatusName(f.Status),
            TrialAttemptFailed => "failed",
            TrialInterrupted => "interrupted",
            TrialRequeued => "handed_back",
            _ => null,
        };
        if (name is not null) TrialEvents.WithLabels(sweep, name).Inc();
    }

    /// <summary>A slot moved from one state to another (null: it had none yet, or is gone).</summary>
    public void SlotMoved(string? from, string? to)
    {
        if (from == to) return;
        if (from is not null) Slots.WithLabels(from).Dec();
        if (to is not null) Slots.WithLabels(to).Inc();
    }

    private void CountMembers(ActorSystem system)
    {
        if (system is not ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider } || system.WhenTerminated.IsCompleted) return;
        var state = Akka.Cluster.Cluster.Get(system).State;
        int unreachable = state.Unreachable.Count;
        Members.WithLabels("up").Set(state.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) - state.Unreachable.Count(m => m.Status == Akka.Cluster.MemberStatus.Up));
        Members.WithLabels("unreachable").Set(unreachable);
    }
}
