using SweepGrid.Cluster.Hosting;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Cluster.Tests;

internal static class TestStores
{
    /// <summary>A fresh store folder under the temp directory; the caller deletes it.</summary>
    public static StoreLocation Create() => new(Directory.CreateTempSubdirectory("sweepgrid-store-").FullName);

    public static IReadOnlyList<TrialSpec> Trials(string name, int seeds, int epochs = 1, string extra = "")
    {
        var seedList = string.Join(", ", Enumerable.Range(1, seeds));
        return GridExpansion.Expand(SweepFile.Parse($$"""
            sweep {
              name = {{name}}
              dataset { name = synthetic, synthetic { train-size = 256, test-size = 128, features = 8, classes = 3 } }
              model { hidden = [16] }
              base { batch-size = 32, learning-rate = 0.05, epochs = {{epochs}} }
              grid { seed = [{{seedList}}] }
              {{extra}}
            }
            """, $"{name}.hocon"));
    }
}
