using System.Globalization;
using SweepGrid.Core.Sweeps;
using SweepGrid.Data;

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
    public static SweepSpec Grid(string name, int trials, string body) => SweepFile.Parse(GridText(name, trials, body), name);

    /// <summary>The sweep file of <see cref="Grid"/>, as `submit` would send it.</summary>
    public static string GridText(string name, int trials, string body)
    {
        // The most seeds up to 1,000 that divide the trials evenly.
        int seeds = Enumerable.Range(1, Math.Min(trials, 1000)).Last(d => trials % d == 0);
        var strengths = Enumerable.Range(0, trials / seeds).Select(i => (i * 1e-6).ToString("R", CultureInfo.InvariantCulture));
        return $$"""
            sweep {
              name = {{name}}
              {{body}}
              grid { seed = [{{string.Join(", ", Enumerable.Range(1, seeds))}}], regularizer-strength = [{{string.Join(", ", strengths)}}] }
            }
            """;
    }

    public static SweepDefinition Define(SweepSpec spec) => SweepDefinition.Create(spec, Datasets.Facts(spec.Dataset), long.MaxValue);
}
