using SweepGrid.Store;
using SweepGrid.Core.Numerics;

namespace SweepGrid.Cli.Reporting;

/// <summary>
/// The stored Hessian spectra (table spectrum: one row per Lanczos node) as measured: per trial and
/// epoch, each run's nodes; and the density drawn from them by <see cref="SpectralQuadrature.DensityOf"/>,
/// the one place that broadens nodes into a curve, for export and the report alike.
/// </summary>
internal static class Spectra
{
    public static readonly string[] DensityColumns = ["trial", "epoch", "eigenvalue", "density"];

    /// <summary>Points of each measurement's density curve.</summary>
    public const int DensityPoints = 200;

    public sealed record Measurement(string Trial, long Epoch, IReadOnlyList<IReadOnlyList<(double Value, double Weight)>> Runs);

    public static IReadOnlyList<Measurement> Measurements(IEnumerable<SpectrumRow> rows) =>
        rows.GroupBy(r => (r.Trial, r.Epoch))
            .Select(g => new Measurement(g.Key.Trial, g.Key.Epoch, g.GroupBy(r => r.Run).OrderBy(run => run.Key)
                .Select(run => (IReadOnlyList<(double, double)>)run.OrderBy(r => r.Node).Select(r => (r.Eigenvalue, r.Weight)).ToList())
                .ToList()))
            .ToList();

    /// <summary>Each trial's last measured spectrum.</summary>
    public static IReadOnlyDictionary<string, Measurement> Final(IEnumerable<SpectrumRow> rows) =>
        Measurements(rows).GroupBy(m => m.Trial).ToDictionary(g => g.Key, g => g.MaxBy(m => m.Epoch)!);

    /// <summary>density.csv: every measurement's curve, as (trial, epoch, eigenvalue, density) rows.</summary>
    public static IReadOnlyList<IReadOnlyList<object?>> DensityRows(IEnumerable<SpectrumRow> rows) =>
        Measurements(rows)
            .SelectMany(m => SpectralQuadrature.DensityOf(m.Runs, DensityPoints).Select(p => (IReadOnlyList<object?>)[m.Trial, m.Epoch, p.Eigenvalue, p.Density]))
            .ToList();
}
