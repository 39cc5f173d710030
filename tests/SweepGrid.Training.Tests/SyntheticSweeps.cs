using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Training.Tests;

/// <summary>Trials on the synthetic dataset, written as sweep files so tests go through the real parser.</summary>
internal static class SyntheticSweeps
{
    public static TrialSpec Trial(string overrides = "", int epochs = 3)
    {
        var text = $$"""
            sweep {
              name = test
              dataset { name = synthetic, synthetic { train-size = 512, test-size = 256, features = 16, classes = 4 } }
              model { name = mlp, hidden = [32, 32], norm = batch }
              base { batch-size = 32, learning-rate = 0.05, epochs = {{epochs}} }
              # Flatness has its own tests; here it would only slow the training tests down.
              metrics { every-steps = 4, flatness = [] }
              {{overrides}}
            }
            """;
        return GridExpansion.Expand(SweepFile.Parse(text, "test.hocon"))[0];
    }
}
