using System.Globalization;
using SweepGrid.Core.Sweeps;
using SweepGrid.Training.Data;

namespace SweepGrid.Bench;

/// <summary>Sweeps of a given number of trials for the benchmarks, and their definitions.</summary>
internal static class BenchSweeps
{
    /// <summary>
    /// <paramref name="trials"/> trials as seeds × regularizer strengths (at most 1,000 seeds), not one
    /// seed axis of every trial: a sweep file must stay under <see cref="SweepJson.MaxSpecBytes"/>, and
    /// large sweeps are written as products of short axes.
    /// </summary>
    /// <param name="body">Keys of the sweep besides name and grid.</param>
    public static SweepSpec Grid(string name, int trials, string body)
    {
        int seeds = Math.Min(trials, 1000);
        if (trials % seeds != 0) throw new ArgumentException($"{trials} trials: give a multiple of 1,000 above 1,000", nameof(trials));
        var strengths = Enumerable.Range(0, trials / seeds).Select(i => (i * 1e-6).ToString("R", CultureInfo.InvariantCulture));
        return SweepFile.Parse($$"""
            sweep {
              name = {{name}}
              {{body}}
              grid { seed = [{{string.Join(", ", Enumerable.Range(1, seeds))}}], regularizer-strength = [{{string.Join(", ", strengths)}}] }
            }
            """, name);
    }

    public static SweepDefinition Define(SweepSpec spec) => SweepDefinition.Create(spec, Datasets.Facts(spec.Dataset), long.MaxValue);
}
