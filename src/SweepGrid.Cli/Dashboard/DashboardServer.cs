using SweepGrid.Store.Logs;
using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SweepGrid.Cli.Reporting;
using SweepGrid.Store;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Cli.Dashboard;

/// <summary>
/// `sweepgrid serve`: the dashboard, an ASP.NET Core app that only reads the store, so it works beside a
/// sweep running on any number of nodes without joining their cluster. Pages are rendered on the server
/// (<see cref="DashboardPages"/>); a server-sent event stream per sweep says when the store has new
/// epochs or statuses, and the page fetches the changed rows and curves instead of reloading. Names in a
/// URL are checked by the one rule for names (<see cref="Names"/>) before they reach a query: anything
/// else is a 404. A store that stops answering gives a banner (503 for a page), never a crash.
/// </summary>
internal static class DashboardServer
{
    /// <summary>The most trials whose curves one request draws.</summary>
    public const int MaxCurves = 50;

    /// <summary>How often the event stream looks at the store for new epochs.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// How long a page waits for a store that fails transiently (PostgreSQL restarting) before it shows the
    /// outage banner: a writer waits a minute so as to lose nothing; a reader should say what is going on.
    /// </summary>
    public static readonly TimeSpan ReadPatience = TimeSpan.FromSeconds(3);

    /// <summary>
    /// On every response. The pages load only their own scripts, styles and data (no inline script or
    /// style, none from elsewhere), may not be framed (clickjacking), and their types are not sniffed:
    /// a store's text (sweep names, log lines) that got past the escaping still could not run.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Value)> SecurityHeaders =
    [
        ("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                                    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ];

    /// <summary>Builds the app listening on bind:port (0: any free port); start it with StartAsync or RunAsync.</summary>
    public static WebApplication Build(ResultsStore opened, IPAddress bind, int port)
    {
        var store = new ResultsStore(opened.Directory, opened.Database) { RetryFor = ReadPatience };
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(bind, port));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            foreach (var (name, value) in SecurityHeaders) context.Response.Headers[name] = value;
            await next();
        });
        var site = new Site(store, new TrialLogIndex(store.Directory, refused => Serilog.Log.Warning("Dashboard: {Refused}", refused)));

        app.MapGet("/", (HttpContext c) => site.Page(c, () => (200, DashboardPages.Sweeps(store.Describe, site.SweepLines(), DateTimeOffset.UtcNow))));
        app.MapGet("/sweeps/{sweep}", (HttpContext c, string sweep) => site.Page(c, () => site.SweepPage(sweep)));
        app.MapGet("/sweeps/{sweep}/trials/{trial}", (HttpContext c, string sweep, string trial) => site.Page(c, () => site.TrialPage(sweep, trial)));
        app.MapGet("/api/sweeps/{sweep}/trials", (HttpContext c, string sweep) => site.Api(c, sweep, () => site.Rows(sweep)));
        app.MapGet("/api/sweeps/{sweep}/epochs", (HttpContext c, string sweep) => site.Api(c, sweep, () =>
        {
            // At most a page's worth of trials, each read on its own: a big sweep is not read whole for a few curves.
            var wanted = c.Request.Query["trial"].OfType<string>().Where(Names.IsTrialId).Distinct().Take(MaxCurves);
            return wanted.ToDictionary(t => t, t => store.Read.Epochs(sweep, t));
        }));
        app.MapGet("/api/sweeps/{sweep}/trials/{trial}/points", (HttpContext c, string sweep, string trial) => site.Api(c, sweep, () =>
            Names.IsTrialId(trial) ? store.Read.Points(sweep, trial).Select(p => new { p.Step, p.WeightDistance, p.GradientNorm, p.StepLength, p.BatchLoss }).ToList() : null));
        app.MapGet("/api/sweeps/{sweep}/trials/{trial}/layers", (HttpContext c, string sweep, string trial) => site.Api(c, sweep, () =>
            Names.IsTrialId(trial)
                ? store.Read.Layers(sweep, trial).GroupBy(l => l.Layer).ToDictionary(g => g.Key, g => g.Select(l => new { l.Step, l.WeightDistance }).ToList())
                : null));
        app.MapGet("/api/sweeps/{sweep}/figures", (HttpContext c, string sweep) => site.Api(c, sweep, () => site.Figures(sweep)));
        app.MapGet("/api/sweeps/{sweep}/events", (HttpContext c, string sweep) => site.Events(c, sweep));
        app.MapGet("/healthz", (HttpContext c) => site.Health(c));
        var metrics = new StoreMetrics(store);
        app.MapGet("/metrics", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(c.Response.Body, c.RequestAborted);
        });
        app.MapGet("/assets/{name}", (HttpContext c, string name) => Assets.Serve(c, name));
        return app;
    }

    /// <summary>The handlers, over one store.</summary>
    /// <param name="logs">Kept for the server's life: each trial page reads only what the logs gained since the last.</param>
    private sealed class Site(ResultsStore store, TrialLogIndex logs)
    {
        public IReadOnlyList<SweepStatus> SweepLines() => store.Exists ? store.Read.StatusCounts(null) : [];

        public (int, string) SweepPage(string sweep) =>
            !Known(sweep)
                ? (404, DashboardPages.NotFound(store.Describe, $"No sweep named \"{sweep}\" in this store."))
                : (200, DashboardPages.Sweep(store.Describe, sweep, Table(sweep)));

        public DashboardPages.TrialTable Table(string sweep) =>
            new(store.Read.Trials(sweep), store.Read.LastEpochs(sweep), Summaries.SeedStatistics.FinalFlatness(store.Read.Flatness(sweep)));

        /// <summary>Each trial's line of the sweep page's table, as the page shows it.</summary>
        public List<Row> Rows(string sweep)
        {
            var table = Table(sweep);
            return table.Trials.Select(t => new Row(t.Trial, DashboardPages.TrialLine(sweep, t, table))).ToList();
        }

        public (int, string) TrialPage(string sweep, string trial)
        {
            var row = Known(sweep) && Names.IsTrialId(trial) ? store.Read.Trials(sweep, trial).SingleOrDefault() : null;
            if (row is null) return (404, DashboardPages.NotFound(store.Describe, $"No trial \"{trial}\" in sweep \"{sweep}\"."));
            var log = logs.Read(sweep, trial);
            return (200, DashboardPages.Trial(store.Describe, sweep, row, store.Read.Epochs(sweep, trial), store.Read.Flatness(sweep, trial), TrialLog.Attempts(log), log));
        }

        /// <summary>The report's by-batch figures from the same <see cref="ReportData"/> the report draws.</summary>
        public object Figures(string sweep)
        {
            var data = new ReportData(store.Read.Trials(sweep), [], store.Read.Flatness(sweep), [], []);
            return new
            {
                TestAccuracy = data.TestAccuracyByBatch(),
                Gap = data.GapByBatch(),
                Flatness = data.FlatnessMetrics.ToDictionary(m => m, data.FlatnessByBatch),
            };
        }

        public async Task Page(HttpContext context, Func<(int Status, string Html)> render)
        {
            (int status, string html) = Guard(render, e => (503, DashboardPages.Outage(store.Describe, e.Message)));
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(html);
        }

        public async Task Api(HttpContext context, string sweep, Func<object?> read)
        {
            (int status, object? body) = Guard(() => Known(sweep) && read() is { } value ? (200, value) : (404, new { error = "not found" }),
                e => (503, new { error = e.Message }));
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(body, Json);
        }

        /// <summary>
        /// Server-sent events: "update" with the count of stored epochs and trials by status whenever they
        /// change (and once at the start), "outage" while the store does not answer. With ?rows=1 (the
        /// sweep page), each update after the first is preceded by "rows": the table lines that changed
        /// since the last update, so that a page of 10,000 trials is sent the few that moved instead of
        /// fetching all of them (10.8 MB) each time. The first update has none before it: the page fetches
        /// every line then, as it may have been rendered a while before it connected (or reconnected).
        /// </summary>
        public async Task Events(HttpContext context, string sweep)
        {
            var lines = context.Request.Query["rows"] == "1" ? new RowChanges() : null;
            if (!Guard(() => Known(sweep), _ => false))
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            string? last = null;
            var ct = context.RequestAborted;
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var (kind, state) = Guard(() => ("update", Fingerprint(sweep)), e => ("outage", e.Message));
                    List<Row>? changed = null;
                    if (state != last && kind == "update" && lines is not null)
                    {
                        // The table is read only when the counts moved, not at every poll.
                        (kind, state, changed) = Guard(() => (kind, state, lines.Since(Rows(sweep))), e => ("outage", e.Message, (List<Row>?)null));
                    }

                    if (state != last)
                    {
                        if (changed is not null) await context.Response.WriteAsync($"event: rows\ndata: {JsonSerializer.Serialize(changed, Json)}\n\n", ct);
                        await context.Response.WriteAsync($"event: {kind}\ndata: {JsonSerializer.Serialize(state)}\n\n", ct);
                        await context.Response.Body.FlushAsync(ct);
                        last = state;
                    }

                    await Task.Delay(PollInterval, ct);
                }
            }
            catch (OperationCanceledException)
            {
                // The page went away.
            }
        }

        public async Task Health(HttpContext context)
        {
            var (status, text) = Guard(() => { _ = store.Read.Sweeps(); return (200, "ok"); }, e => (503, e.Message));
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(text);
        }

        private string Fingerprint(string sweep)
        {
            var counts = store.Read.StatusCounts(sweep).SingleOrDefault()?.Counts ?? new Dictionary<string, int>();
            return $"{store.Read.CountEpochs(sweep)}:{string.Join(',', DashboardPages.Statuses.Select(s => counts.GetValueOrDefault(s)))}";
        }

        /// <summary>A sweep name that passes the rule for names and is in the store; no other text reaches a query.</summary>
        private bool Known(string sweep) => Names.IsSweepName(sweep) && store.Exists && store.Read.Sweeps().Contains(sweep);

        /// <summary>A store that fails (stopped, unreachable, damaged) gives the fallback; nothing is thrown at Kestrel.</summary>
        private static T Guard<T>(Func<T> read, Func<Exception, T> fallback)
        {
            try
            {
                return read();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Serilog.Log.Warning(e, "Dashboard: the store did not answer");
                return fallback(e);
            }
        }
    }

    /// <summary>A trial's line of the sweep page's table (HTML).</summary>
    public sealed record Row(string Trial, string Html);

    /// <summary>
    /// What one page was last sent of the table: each trial's line, as a hash (a 10,000-trial table's
    /// lines are megabytes; their hashes, hundreds of kilobytes).
    /// </summary>
    public sealed class RowChanges
    {
        private Dictionary<string, string>? _sent;

        /// <summary>The lines that differ from the last call's (null on the first: the page fetches them all itself).</summary>
        public List<Row>? Since(List<Row> now)
        {
            var hashes = now.ToDictionary(r => r.Trial, r => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(r.Html))));
            var changed = _sent is null ? null : now.Where(r => _sent.GetValueOrDefault(r.Trial) != hashes[r.Trial]).ToList();
            _sent = hashes;
            return changed;
        }
    }

    /// <summary>The page's script, style and vendored chart library, embedded in the assembly (nothing is fetched at run time).</summary>
    private static class Assets
    {
        private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
        {
            ["dashboard.js"] = "text/javascript", ["dashboard.css"] = "text/css",
            ["uPlot.iife.min.js"] = "text/javascript", ["uPlot.min.css"] = "text/css",
        };

        public static async Task Serve(HttpContext context, string name)
        {
            using var stream = Types.ContainsKey(name) ? Assembly.GetExecutingAssembly().GetManifestResourceStream($"dashboard/{name}") : null;
            if (stream is null)
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.ContentType = Types[name];
            await stream.CopyToAsync(context.Response.Body);
        }
    }
}
