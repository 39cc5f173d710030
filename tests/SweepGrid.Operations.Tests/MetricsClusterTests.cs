using System.Net.Http;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Operations.Tests;

/// <summary>
/// Every node's Prometheus endpoint (--metrics-port), scraped while a sweep runs on real processes and
/// parsed by the format's rules (<see cref="PrometheusText"/>): its counters move as trials run.
/// </summary>
public sealed class MetricsClusterTests : SqliteClusterHarness
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<PrometheusText.Scrape> Scrape(int port)
    {
        using var response = await Http.GetAsync($"http://127.0.0.1:{port}/metrics");
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_coordinator_and_worker_nodes_metrics_count_the_sweep_as_it_runs()
    {
        int c = TestMachine.FreePort(), cMetrics = TestMachine.FreePort(), wMetrics = TestMachine.FreePort();
        await Node("c", "coordinator", c, null, "--metrics-port", $"{cMetrics}");
        var worker = await Node("w", "worker", TestMachine.FreePort(), c, "--slots", "2", "--trial-runner", "noop:1", "--metrics-port", $"{wMetrics}");
        Assert.Contains(worker.Lines, l => l.Contains($"metrics at http://127.0.0.1:{wMetrics}/metrics", StringComparison.Ordinal));
        var idle = await Scrape(wMetrics);
        Assert.Equal(0, idle.Value("sweepgrid_slots", ("state", "busy")));
        Assert.Equal("counter", idle.Types["sweepgrid_trial_events_total"]);
        Assert.Equal("histogram", idle.Types["sweepgrid_epoch_seconds"]);

        var submit = Start("submit", "submit", SweepFileWith("metered", """
            dataset { name = synthetic, synthetic { train-size = 64, test-size = 16, features = 4, classes = 2 } }
            base { batch-size = 16, epochs = 1 }
            grid { seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }
            metrics { flatness = [] }
            """), "--seed", $"127.0.0.1:{c}", "--quiet");
        await submit.WaitForLine(l => l.Contains(" completed ", StringComparison.Ordinal), Sweep);
        var midway = await Scrape(cMetrics);
        var busy = await Scrape(wMetrics);
        Assert.Equal(0, await WaitForExit(submit, Sweep));
        var end = await Scrape(cMetrics);
        var worked = await Scrape(wMetrics);

        // The coordinator node: the sweep's trials by status, and its decisions as counters that only grow.
        Assert.InRange(midway.Value("sweepgrid_trial_events_total", ("sweep", "metered"), ("event", "started")), 1, 10);
        Assert.Equal(10, end.Value("sweepgrid_trial_events_total", ("sweep", "metered"), ("event", "started")));
        Assert.Equal(10, end.Value("sweepgrid_trial_events_total", ("sweep", "metered"), ("event", "completed")));
        Assert.Equal(10, end.Value("sweepgrid_trials", ("sweep", "metered"), ("status", "completed")));
        Assert.Equal(0, end.Value("sweepgrid_trials", ("sweep", "metered"), ("status", "pending")));
        Assert.Equal(1, end.Value("sweepgrid_sweep_open", ("sweep", "metered"), ("state", "open")));
        Assert.Equal(2, end.Value("sweepgrid_cluster_members", ("status", "up")));
        Assert.True(end.Value("sweepgrid_store_write_seconds_count") > midway.Value("sweepgrid_store_write_seconds_count"));
        Assert.Equal(0, end.Value("sweepgrid_store_errors_total", ("store", "journal")));

        // The worker node: its slots, each epoch's time (a second, as the trials sleep), no worker restarted.
        Assert.Equal(2, busy.Value("sweepgrid_slots", ("state", "busy")) + busy.Value("sweepgrid_slots", ("state", "idle")));
        Assert.Equal(2, worked.Value("sweepgrid_slots", ("state", "idle")));
        Assert.Equal(10, worked.Value("sweepgrid_epoch_seconds_count"));
        Assert.InRange(worked.Value("sweepgrid_epoch_seconds_sum") / 10, 0.9, 30);
        Assert.Equal(0, worked.Value("sweepgrid_worker_restarts_total"));
        Assert.True(worked.Value("sweepgrid_store_write_seconds_count") > 0); // the recorders write from the worker node
    }

    [Fact]
    public async Task A_metrics_port_in_use_is_bad_input_and_the_node_changes_nothing()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var node = Start("n", "node", "--roles", "worker", "--port", $"{TestMachine.FreePort()}", "--store", Store, "--metrics-port", $"{port}");

        Assert.Equal(2, await WaitForExit(node, Up));
        Assert.Contains(node.Lines, l => l.StartsWith($"error: --metrics-port: cannot listen on 127.0.0.1:{port}", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Store));
    }
}
