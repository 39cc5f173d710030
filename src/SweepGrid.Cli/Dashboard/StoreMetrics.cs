using Prometheus;
using SweepGrid.Store;

namespace SweepGrid.Cli.Dashboard;

/// <summary>
/// `serve`'s /metrics: what the store holds, read at each scrape (the same read model as the sweeps page,
/// <see cref="SweepStatus"/>), in Prometheus' text format. Named apart from a node's live counts
/// (sweepgrid_trials): these are the stored rows, which any process that can read the store can serve.
/// A scrape while the store does not answer says so (sweepgrid_store_up 0) instead of failing.
/// </summary>
internal sealed class StoreMetrics
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly ResultsStore _store;
    private readonly Gauge _trials, _epochs, _open, _priority, _up;

    public StoreMetrics(ResultsStore store)
    {
        _store = store;
        var f = Prometheus.Metrics.WithCustomRegistry(_registry);
        _trials = f.CreateGauge("sweepgrid_stored_trials", "Trials of each sweep by status, as the result tables hold them.", ["sweep", "status"]);
        _epochs = f.CreateGauge("sweepgrid_stored_epochs", "Epoch evaluations stored for each sweep (grows as trials run).", ["sweep"]);
        _open = f.CreateGauge("sweepgrid_stored_sweep_state", "1 for the state each sweep is in (open, paused, cancelled).", ["sweep", "state"]);
        _priority = f.CreateGauge("sweepgrid_stored_sweep_priority", "Each sweep's priority as stored.", ["sweep"]);
        _up = f.CreateGauge("sweepgrid_store_up", "1 when the store answered this scrape, 0 when it did not.");
        _registry.AddBeforeCollectCallback(Refresh);
    }

    public Task WriteAsync(Stream output, CancellationToken ct) => _registry.CollectAndExportAsTextAsync(output, ct);

    private void Refresh()
    {
        try
        {
            var sweeps = _store.Exists ? _store.Read.StatusCounts(null) : [];
            foreach (var s in sweeps)
            {
                foreach (var status in SweepStatus.Statuses) _trials.WithLabels(s.Sweep, status).Set(s.Counts.GetValueOrDefault(status));
                _epochs.WithLabels(s.Sweep).Set(_store.Read.CountEpochs(s.Sweep));
                foreach (var state in SweepStatus.Standings) _open.WithLabels(s.Sweep, state).Set(s.Standing == state ? 1 : 0);
                if (s.Priority is { } p) _priority.WithLabels(s.Sweep).Set(p);
            }

            _up.Set(1);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException)
        {
            _up.Set(0);
        }
    }
}
