using SweepGrid.Cli.Output;

namespace SweepGrid.Cli.Tests;

public sealed class ParquetExportTests : TempDirectoryTest
{
    [Fact]
    public async Task Parquet_exports_read_back_to_the_same_rows_as_the_csv_exports()
    {
        var file = Path.Combine(Dir, "p.hocon");
        File.WriteAllText(file, """
            sweep {
              name = pq
              dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 3 } }
              model { hidden = [16] }
              base { batch-size = 32, learning-rate = 0.05, epochs = 2 }
              grid { seed = [1, 2] }
              metrics { every-steps = 3, flatness = [relative-flatness] }
            }
            """);
        var store = Path.Combine(Dir, "store");
        var outDir = Path.Combine(Dir, "out");
        CliRunner.AssertRan(await CliRunner.Run("run", file, "--store", store));

        var export = await CliRunner.Run("export", "pq", "--store", store, "--out", outDir, "--format", "both");

        Assert.Equal(0, export.ExitCode);
        foreach (var table in new[] { "trials", "trajectory", "steps", "layers", "flatness" })
        {
            var csv = File.ReadAllLines(Path.Combine(outDir, $"{table}.csv"));
            var (columns, rows) = await ParquetTable.ReadAsync(Path.Combine(outDir, $"{table}.parquet"));
            Assert.Equal(csv[0], string.Join(',', columns));
            Assert.Equal(csv.Length - 1, rows.Count);
            Assert.True(rows.Count > 0, table);
            Assert.Equal(csv.Skip(1), rows.Select(r => string.Join(',', r.Select(Csv.Field))));
        }
    }

    [Fact]
    public async Task An_unknown_format_is_bad_input()
    {
        var result = await CliRunner.Run("export", "x", "--out", Dir, "--format", "xlsx", "--store", Dir);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--format: must be one of csv | parquet | both, got \"xlsx\"", result.Error);
    }
}
