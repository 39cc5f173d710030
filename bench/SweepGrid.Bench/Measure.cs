using System.Diagnostics;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using static TorchSharp.torch;

namespace SweepGrid.Bench;

internal static class Measure
{
    public static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Best FLOP/s of an n×n float matmul: 2n³ FLOP per product.</summary>
    public static double MatmulPeak(int n, int repeats)
    {
        using var a = randn(n, n);
        using var b = randn(n, n);
        a.matmul(b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++) best = Math.Min(best, Time(() => a.matmul(b).Dispose()));
        return 2.0 * n * n * n / best;
    }

    public static LabeledData RandomData(int samples, int features, int classes)
    {
        var random = new Random(1);
        var x = new float[samples * features];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var y = Enumerable.Range(0, samples).Select(_ => (long)random.Next(classes)).ToArray();
        return new LabeledData(x, y, features, classes);
    }

    public static TrialSpec Trial(int batch) => GridExpansion.Expand(SweepFile.Parse($$"""
        sweep {
          name = bench
          dataset { name = synthetic }
          model { hidden = [512, 512], norm = batch }
          base { batch-size = {{batch}}, learning-rate = 0.01, epochs = 1 }
          metrics { every-steps = 50 }
        }
        """, "bench"))[0];
}
