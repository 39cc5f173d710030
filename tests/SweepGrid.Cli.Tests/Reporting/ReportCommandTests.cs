using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SweepGrid.Cli.Tests.Reporting;

/// <summary>The report of a small finished sweep, run for real: every figure is a real PNG of the asked size, and the table matches the store.</summary>
public sealed class ReportCommandTests : TempDirectoryTest
{
    private static readonly string[] Figures =
    [
        "test-accuracy-vs-batch.png", "gap-vs-batch.png", "weight-distance-vs-log-updates.png",
        "flatness-sharpness-vs-batch.png", "flatness-hessian-top-vs-batch.png", "flatness-hessian-trace-vs-batch.png",
        "flatness-relative-flatness-vs-batch.png", "flatness-noise-scale-vs-batch.png",
        "steps-to-target-vs-batch.png", "gap-heatmap-lr-batch.png", "hessian-density.png", "interpolation-between-trials.png", "iterate-interpolation.png",
    ];

    private string Store => Path.Combine(Dir, "store");

    private string Out => Path.Combine(Dir, "report");

    private async Task RunSweepWithInterpolation()
    {
        var file = Path.Combine(Dir, "r.hocon");
        File.WriteAllText(file, """
            sweep {
              name = rep
              dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 3 } }
              model { hidden = [16], norm = batch }
              base { batch-size = 16, learning-rate = 0.05, epochs = 2 }
              grid { batch-size = [16, 64], learning-rate = [0.05, 0.1], seed = [1, 2] }
              metrics {
                every-steps = 4, walk-every-steps = 8, walk-points = 5, probe-size = 64, targets = [0.4], eval-every-steps = 4
                flatness = [sharpness, hessian-top, hessian-trace, relative-flatness, noise-scale]
              }
            }
            """);
        Assert.Equal(0, (await CliRunner.Run("run", file, "--store", Store, "--quiet")).ExitCode);
        var trials = Query("SELECT trial FROM trials WHERE sweep = 'rep' ORDER BY ordinal").Select(r => (string)r[0]!).ToList();
        Assert.Equal(0, (await CliRunner.Run("interpolate", trials[0], trials[^1], "--store", Store, "--points", "5")).ExitCode);
    }

    [Fact]
    public async Task Every_figure_is_a_png_of_the_configured_size_embedded_in_the_html()
    {
        await RunSweepWithInterpolation();

        var result = await CliRunner.Run("report", "rep", "--store", Store, "--out", Out, "--width", "640", "--height", "400");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("left out", result.Output);
        var html = File.ReadAllText(Path.Combine(Out, "report.html"));
        foreach (var name in Figures)
        {
            var bytes = File.ReadAllBytes(Path.Combine(Out, name));
            Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), $"{name}: not a PNG");
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
            Assert.True(bytes.Length > 8_000, $"{name}: only {bytes.Length} bytes, a blank plot?");
            Assert.Contains($"data:image/png;base64,{Convert.ToBase64String(bytes)}", html);
        }
    }

    [Fact]
    public async Task The_summary_table_holds_the_stores_mean_and_std_over_seeds()
    {
        await RunSweepWithInterpolation();

        Assert.Equal(0, (await CliRunner.Run("report", "rep", "--store", Store, "--out", Out)).ExitCode);

        var html = File.ReadAllText(Path.Combine(Out, "report.html"));
        var settings = Query("SELECT batch_size, learning_rate, test_acc FROM trials WHERE sweep = 'rep'")
            .GroupBy(r => ((long)r[0]!, (double)r[1]!))
            .ToList();
        Assert.Equal(4, settings.Count);
        foreach (var setting in settings)
        {
            var acc = setting.Select(r => (double)r[2]!).ToList();
            Assert.Equal(2, acc.Count);
            double mean = acc.Average(), std = Math.Abs(acc[0] - acc[1]) / Math.Sqrt(2);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"<td>{mean:F4} ± {std:F4}</td>"), html);
        }
    }

    [Fact]
    public async Task A_figure_without_data_says_how_to_record_it_and_an_unknown_sweep_is_bad_input()
    {
        await RunSweepWithInterpolation();
        using (var c = new SqliteConnection($"Data Source={Path.Combine(Store, "results.db")};Pooling=false"))
        {
            c.Open();
            using var delete = c.CreateCommand();
            delete.CommandText = "DELETE FROM walk_curves";
            delete.ExecuteNonQuery();
        }

        var result = await CliRunner.Run("report", "rep", "--store", Store, "--out", Out);
        var unknown = await CliRunner.Run("report", "nope", "--store", Store, "--out", Path.Combine(Dir, "other"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("left out Iterate interpolation: not recorded: set metrics.walk-every-steps > 0", result.Output);
        Assert.False(File.Exists(Path.Combine(Out, "iterate-interpolation.png")));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("sweep \"nope\" is not in store", unknown.Error);
        Assert.False(Directory.Exists(Path.Combine(Dir, "other")));
    }

    [Fact]
    public async Task Export_writes_each_trials_lanczos_nodes_and_the_density_drawn_from_them()
    {
        await RunSweepWithInterpolation();

        Assert.Equal(0, (await CliRunner.Run("export", "rep", "--store", Store, "--out", Out)).ExitCode);

        static List<string[]> Rows(string path) => File.ReadAllLines(path).Skip(1).Select(l => l.Split(',')).ToList();
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        Assert.Equal("trial,epoch,run,node,eigenvalue,weight", File.ReadLines(Path.Combine(Out, "spectrum.csv")).First());
        var nodes = Rows(Path.Combine(Out, "spectrum.csv"));
        var trials = Query("SELECT trial FROM trials WHERE sweep = 'rep'").Select(r => (string)r[0]!).ToHashSet();
        Assert.Equal(trials, nodes.Select(n => n[0]).ToHashSet()); // every trial measured at its end (epoch 2), one run of up to 10 nodes
        Assert.All(nodes.GroupBy(n => (n[0], n[2])), run =>
        {
            Assert.InRange(run.Count(), 2, 10);
            Assert.Equal(1.0, run.Sum(n => D(n[5])), 9); // quadrature weights of a run sum to 1
        });
        // Estimates with a standard error store it; the others leave it empty.
        var flatness = Rows(Path.Combine(Out, "flatness.csv"));
        Assert.Equal("trial,epoch,metric,value,standard_error,seconds,iterations", File.ReadLines(Path.Combine(Out, "flatness.csv")).First());
        Assert.All(flatness, f => Assert.Equal(f[2] is "hessian-trace" or "noise-scale", f[4].Length > 0 && D(f[4]) > 0));
        Assert.Equal(trials.Count, flatness.Count(f => f[2] == "noise-scale"));
        var density = Rows(Path.Combine(Out, "density.csv"));
        Assert.All(density.GroupBy(d => d[0]), curve =>
        {
            var points = curve.Select(d => (X: D(d[2]), Y: D(d[3]))).ToList();
            Assert.Equal(200, points.Count);
            Assert.Equal(1.0, points.Sum(p => p.Y) * (points[1].X - points[0].X), 1); // a probability density
        });
    }

    private List<object?[]> Query(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(Store, "results.db")};Pooling=false");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }

        return rows;
    }
}
