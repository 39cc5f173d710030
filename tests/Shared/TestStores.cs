using SweepGrid.Store;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Tests.Shared;

/// <summary>Store folders and tiny sweeps for the tests of the store and the actors.</summary>
internal static class TestStores
{
    /// <summary>A fresh store folder under the temp directory; the caller deletes it.</summary>
    public static StoreLocation Create() => new(Directory.CreateTempSubdirectory("sweepgrid-store-").FullName);

    public static IReadOnlyList<TrialSpec> Trials(string name, int seeds, int epochs = 1, string extra = "") =>
        Definition(name, seeds, epochs, extra).Expand();

    /// <summary>A tiny synthetic sweep of <paramref name="seeds"/> trials, as a coordinator takes it.</summary>
    public static SweepDefinition Definition(string name, int seeds, int epochs = 1, string extra = "")
    {
        var spec = SweepFile.Parse(Text(name, seeds, epochs, extra), $"{name}.hocon");
        return SweepDefinition.Create(spec, spec.Dataset.Synthetic.TrainSize, SweepDefinition.DefaultMaxTrials);
    }

    /// <summary>The sweep file of <see cref="Definition"/>, as `submit` sends it.</summary>
    public static string Text(string name, int seeds, int epochs = 1, string extra = "") => $$"""
        sweep {
          name = {{name}}
          dataset { name = synthetic, synthetic { train-size = 256, test-size = 128, features = 8, classes = 3 } }
          model { hidden = [16] }
          base { batch-size = 32, learning-rate = 0.05, epochs = {{epochs}} }
          grid { seed = [{{string.Join(", ", Enumerable.Range(1, seeds))}}] }
          {{extra}}
        }
        """;

    /// <summary>Rows for these trials in the result tables, numbered in their order (as a coordinator registers them).</summary>
    public static void Register(this ResultsStore results, IReadOnlyList<TrialSpec> trials) =>
        results.Write.Trials(trials[0].SweepName, trials.Select((t, i) => (i, t)));
}
