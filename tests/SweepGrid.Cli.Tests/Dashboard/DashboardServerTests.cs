using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SweepGrid.Cli.Commands;
using SweepGrid.Cli.Dashboard;
using SweepGrid.Store;
using SweepGrid.Core.Results;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Cli.Tests.Dashboard;

/// <summary>`sweepgrid serve` over real HTTP (Kestrel on a free loopback port) against a store a real run wrote.</summary>
public sealed class DashboardServerTests : TempDirectoryTest
{
    public const string Sweep = """
        sweep {
          name = dash
          dataset { name = synthetic, synthetic { train-size = 128, test-size = 32, features = 4, classes = 2 } }
          model { hidden = [8] }
          base { batch-size = 32, learning-rate = 0.05, epochs = 2 }
          grid { batch-size = [32, 64], seed = [1, 2] }
          metrics { flatness = [hessian-top] }
        }
        """;

    private string Store => Path.Combine(Dir, "store");

    private async Task<(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Http)> Serve()
    {
        var app = DashboardServer.Build(Stores.ReadOnly(Store), IPAddress.Loopback, 0);
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(ServeCommand.Url(app)), Timeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>
    /// The sweep run by the real executable, in a process of its own: the store's log (the trial page's
    /// attempts) is then this run's alone, not shared with in-process tests that set the global logger.
    /// </summary>
    private async Task RunSweep()
    {
        var file = Path.Combine(Dir, "dash.hocon");
        File.WriteAllText(file, Sweep);
        using var run = CliRunner.Start("run", file, "--store", Store, "--quiet");
        var error = run.StandardError.ReadToEndAsync();
        await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync();
        Assert.True(run.ExitCode == 0, await error);
    }

    [Fact]
    public async Task The_pages_show_the_stores_numbers_and_unknown_or_hostile_names_are_404()
    {
        await RunSweep();
        var (app, http) = await Serve();
        await using var _ = app;
        var store = new ResultsStore(Store);
        var trial = store.Read.Trials("dash")[2];

        var sweeps = await http.GetStringAsync("/");
        var sweepPage = await http.GetStringAsync("/sweeps/dash");
        var trialPage = await http.GetStringAsync($"/sweeps/dash/trials/{trial.Trial}");

        Assert.Contains("<a href=\"/sweeps/dash\">dash</a>", sweeps);
        Assert.Contains("<td data-status=\"completed\">4</td>", sweeps);
        Assert.Contains("4/4", sweeps);
        Assert.All(store.Read.Trials("dash"), t => Assert.Contains($"href=\"/sweeps/dash/trials/{t.Trial}\"", sweepPage));
        // The trial table's flatness column: each trial's final top eigenvalue, as stored.
        Assert.Contains("<th>hessian-top</th>", sweepPage);
        var top = store.Read.Flatness("dash", trial.Trial).Single(f => f.Metric == "hessian-top").Value!.Value;
        Assert.Matches($"<tr data-trial=\"{trial.Trial}\">.*<td>{Regex.Escape(top.ToString("G4", CultureInfo.InvariantCulture))}</td></tr>", sweepPage);
        // Every epoch's test accuracy, as stored, in the trial page's epoch table.
        var epochs = store.Read.Epochs("dash").Where(e => e.Trial == trial.Trial).ToList();
        Assert.Equal(2, epochs.Count);
        Assert.All(epochs, e => Assert.Contains($"<td>{e.TestAccuracy.ToString("F4", CultureInfo.InvariantCulture)}</td>", trialPage));
        Assert.Contains("<td>hessian-top</td>", trialPage);
        // Its attempt, from the store's log: the slot it ran on and how it ended.
        Assert.Matches($"<table id=\"attempts\">.*<td>1</td><td>127\\.0\\.0\\.1:\\d+/slot-\\d</td>.*<td>Completed</td>", trialPage);
        Assert.Contains($"Trial {trial.Trial} of sweep dash: attempt 1 started on", trialPage);
        foreach (var path in new[] { "/sweeps/nope", "/sweeps/dash/trials/000000000000", "/sweeps/dash/trials/..%2F..%2Fetc", "/sweeps/..%2Fdash",
                     "/api/sweeps/nope/trials", "/api/sweeps/dash/trials/x'--/points", "/assets/..%2Fsweepgrid.dll", "/assets/other.js" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(path)).StatusCode);
        }

        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        Assert.StartsWith("/*", (await http.GetStringAsync("/assets/uPlot.iife.min.js")).TrimStart()[..2]);
    }

    /// <summary>
    /// A FIFO in logs/ hung every trial page (and the index, and SIGTERM); a link to /dev/zero took 18 s a
    /// page and grew serve by gigabytes. Both are refused unread: the page comes at once, from the real logs.
    /// </summary>
    [Fact]
    public async Task A_fifo_and_an_endless_file_among_the_logs_are_refused_and_the_trial_page_comes_at_once()
    {
        await RunSweep();
        var logs = Path.Combine(Store, "logs");
        HostileFiles.Fifo(Path.Combine(logs, "node-fifo-20261201.log"));
        File.CreateSymbolicLink(Path.Combine(logs, "node-zero-20261201.log"), "/dev/zero");
        var (app, http) = await Serve();
        await using var _ = app;
        var trial = new ResultsStore(Store).Read.Trials("dash")[1].Trial;
        http.Timeout = TimeSpan.FromSeconds(20);

        var index = await http.GetAsync("/");
        var first = await http.GetStringAsync($"/sweeps/dash/trials/{trial}");
        var again = await http.GetStringAsync($"/sweeps/dash/trials/{trial}");

        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains($"Trial {trial} of sweep dash: attempt 1 started on", first);
        Assert.Contains($"Trial {trial} of sweep dash: attempt 1 started on", again);
    }

    [Fact]
    public async Task The_json_the_page_draws_from_is_the_stores_and_the_reports()
    {
        await RunSweep();
        var (app, http) = await Serve();
        await using var _ = app;
        var store = new ResultsStore(Store);
        var ids = store.Read.Trials("dash").Select(t => t.Trial).ToList();

        var epochs = await http.GetStringAsync($"/api/sweeps/dash/epochs?trial={ids[0]}&trial={ids[1]}&trial=../../x");
        var figures = await http.GetStringAsync("/api/sweeps/dash/figures");

        var stored = store.Read.Epochs("dash").Where(e => e.Trial == ids[0]).Select(e => e.TestAccuracy.ToString("R", CultureInfo.InvariantCulture));
        Assert.All(stored, value => Assert.Contains($"\"testAccuracy\":{value}", epochs));
        Assert.DoesNotContain(ids[2], epochs);
        // The report's test accuracy at batch 32: the mean over its two seeds.
        double mean = store.Read.Trials("dash").Where(t => t.BatchSize == 32).Average(t => t.TestAccuracy!.Value);
        Assert.Contains($"{{\"x\":32,\"mean\":{mean.ToString("R", CultureInfo.InvariantCulture)}", figures);
        Assert.Contains("\"hessian-top\"", figures);
    }

    [Fact]
    public async Task The_event_stream_announces_a_new_epoch_when_it_lands_in_the_store()
    {
        await RunSweep();
        var (app, http) = await Serve();
        await using var _ = app;
        using var response = await http.GetAsync("/api/sweeps/dash/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await NextEvent(reader);
        var trial = new ResultsStore(Store).Read.Trials("dash")[0].Trial;

        new ResultsStore(Store).Write.Epoch("dash", trial, 1, new EpochRecord(3, 12, 0.05, 0.3, 0.9, 0.4, 0.85, 2.0, 1.0));
        var second = await NextEvent(reader);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("update", "\"8:0,0,4,0,0,0\""), first); // 4 trials × 2 epochs, all completed
        Assert.Equal(("update", "\"9:0,0,4,0,0,0\""), second);
    }

    [Fact]
    public async Task Metrics_say_what_the_store_holds_in_prometheus_text_and_move_as_epochs_land()
    {
        await RunSweep();
        var (app, http) = await Serve();
        await using var _ = app;
        using var response = await http.GetAsync("/metrics");
        var before = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        var trial = new ResultsStore(Store).Read.Trials("dash")[0].Trial;
        new ResultsStore(Store).Write.Epoch("dash", trial, 1, new EpochRecord(3, 12, 0.05, 0.3, 0.9, 0.4, 0.85, 2.0, 1.0));
        var after = PrometheusText.Parse(await http.GetStringAsync("/metrics"));

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, before.Value("sweepgrid_store_up"));
        Assert.Equal(4, before.Value("sweepgrid_stored_trials", ("sweep", "dash"), ("status", "completed")));
        Assert.Equal(0, before.Value("sweepgrid_stored_trials", ("sweep", "dash"), ("status", "cancelled")));
        Assert.Equal(1, before.Value("sweepgrid_stored_sweep_state", ("sweep", "dash"), ("state", "open")));
        Assert.Equal(1, before.Value("sweepgrid_stored_sweep_priority", ("sweep", "dash")));
        Assert.Equal(8, before.Value("sweepgrid_stored_epochs", ("sweep", "dash")));
        Assert.Equal(9, after.Value("sweepgrid_stored_epochs", ("sweep", "dash")));
    }

    [Fact]
    public async Task The_sweep_pages_stream_sends_with_each_update_after_the_first_only_the_table_lines_that_changed()
    {
        await RunSweep();
        var (app, http) = await Serve();
        await using var _ = app;
        using var response = await http.GetAsync("/api/sweeps/dash/events?rows=1", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The first update comes alone: the page fetches every line then.
        var first = await NextEvent(reader);
        var trials = new ResultsStore(Store).Read.Trials("dash").Select(t => t.Trial).ToList();

        new ResultsStore(Store).Write.Epoch("dash", trials[1], 1, new EpochRecord(3, 12, 0.05, 0.3, 0.9, 0.4, 0.85, 2.0, 1.0));
        var rows = await NextEvent(reader);
        var second = await NextEvent(reader);
        var table = await http.GetStringAsync("/api/sweeps/dash/trials");

        Assert.Equal(("update", "\"8:0,0,4,0,0,0\""), first);
        Assert.Equal("rows", rows.Kind);
        Assert.Equal(("update", "\"9:0,0,4,0,0,0\""), second);
        // Exactly the line of the trial that moved, as the table's own endpoint now renders it.
        using var pushed = System.Text.Json.JsonDocument.Parse(rows.Data);
        var line = Assert.Single(pushed.RootElement.EnumerateArray());
        Assert.Equal(trials[1], line.GetProperty("trial").GetString());
        using var all = System.Text.Json.JsonDocument.Parse(table);
        Assert.Equal(all.RootElement.EnumerateArray().Single(r => r.GetProperty("trial").GetString() == trials[1]).GetProperty("html").GetString(),
            line.GetProperty("html").GetString());
        Assert.Contains(">3<", line.GetProperty("html").GetString());
    }

    [Fact]
    public async Task While_PostgreSQL_is_down_pages_show_a_banner_and_the_stream_says_outage_and_both_recover()
    {
        using var server = new PostgresServer();
        var location = new Store.StoreLocation(Store, server.CreateDatabase());
        var writer = location.OpenResults();
        writer.EnsureSchema();
        var spec = Core.Sweeps.SweepFile.Parse(Sweep, "dash.hocon");
        writer.Write.Sweep(spec);
        writer.Write.Trials("dash", Core.Trials.GridExpansion.Expand(spec).Select((t, i) => (i, t)));
        var app = DashboardServer.Build(location.OpenResults(readOnly: true), IPAddress.Loopback, 0);
        await app.StartAsync();
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = new Uri(ServeCommand.Url(app)), Timeout = TimeSpan.FromSeconds(60) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/sweeps/dash")).StatusCode);
        using var stream = await http.GetAsync("/api/sweeps/dash/events", HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("update", (await NextEvent(events)).Kind);

        server.Stop();
        var down = await http.GetAsync("/sweeps/dash");
        var health = await http.GetAsync("/healthz");
        var metrics = PrometheusText.Parse(await http.GetStringAsync("/metrics"));
        var outage = await NextEvent(events);
        server.Resume();
        var back = await NextEvent(events);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains("The store is not answering", await down.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(0, metrics.Value("sweepgrid_store_up"));
        Assert.Equal("outage", outage.Kind);
        Assert.Equal(("update", "\"0:4,0,0,0,0,0\""), back);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/sweeps/dash")).StatusCode);
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Every_response_forbids_framing_sniffing_and_anything_not_its_own()
    {
        await RunSweep();
        var (app, http) = await Serve();
        await using var _ = app;

        foreach (var path in new[] { "/", "/sweeps/dash", "/assets/dashboard.js", "/api/sweeps/dash/trials", "/sweeps/nope" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
            var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", policy);
            Assert.Contains("script-src 'self'", policy);
            Assert.Equal(["DENY"], response.Headers.GetValues("X-Frame-Options"));
        }
    }

    [Fact]
    public async Task Serve_names_its_store_once_and_off_loopback_says_that_anyone_can_read_it()
    {
        await RunSweep();
        // The lines it has printed once it listens (it prints them together, then waits), and any after.
        async Task<List<string>> Lines(string bind, int before)
        {
            using var serve = CliRunner.Start("serve", "--store", Store, "--bind", bind, "--port", "0");
            var lines = new List<string>();
            for (int i = 0; i < before; i++) lines.Add(await serve.StandardOutput.ReadLineAsync() ?? "(ended)");
            // The healthz answer means it is past its first lines, and waiting.
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            {
                Assert.Equal("ok", await http.GetStringAsync(lines[0].Split(' ')[1].Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/healthz"));
            }

            serve.Kill();
            lines.AddRange((await serve.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            await serve.WaitForExitAsync();
            return lines;
        }

        var open = await Lines("0.0.0.0", before: 2);
        var loopback = await Lines("127.0.0.1", before: 1);

        Assert.Matches($@"^serving http://0\.0\.0\.0:\d+ \(store {Regex.Escape(Store)}\); Ctrl\+C stops$", open[0]);
        Assert.StartsWith("warning: --bind 0.0.0.0 is not a loopback address and the dashboard has no authentication", open[1]);
        Assert.Matches(@"^serving http://127\.0\.0\.1:\d+ \(store ", loopback[0]);
        Assert.DoesNotContain(loopback, l => l.StartsWith("warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serving_another_programs_database_exits_2_before_listening()
    {
        Directory.CreateDirectory(Store);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Store, "results.db")}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE accounts (id INTEGER PRIMARY KEY);";
            create.ExecuteNonQuery();
        }

        var result = await CliRunner.Run("serve", "--store", Store, "--port", "0");
        var badBind = await CliRunner.Run("serve", "--store", Store, "--bind", "localhost:80");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a SweepGrid store", result.Error);
        Assert.Equal(2, badBind.ExitCode);
        Assert.Contains("--bind: \"localhost:80\" is not an IP address", badBind.Error);
    }

    private static async Task<(string Kind, string Data)> NextEvent(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? kind = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && kind is not null) return (kind, line[6..]);
        }

        throw new EndOfStreamException("the event stream ended");
    }
}
