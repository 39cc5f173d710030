namespace SweepGrid.Core.Results;

/// <summary>
/// One flatness measurement after epoch <see cref="Epoch"/>: the metric's name (as in the sweep
/// file's metrics.flatness), its value, what it cost in seconds, and how many iterations it took
/// (power iteration, Hutchinson samples, ascent steps; 1 for closed forms), and the value's standard
/// error where the estimator gives one (the Lanczos trace, the gradient noise scale); null otherwise.
/// </summary>
public sealed record FlatnessRecord(int Epoch, string Metric, double Value, double Seconds, int Iterations, double? StandardError = null)
{
    /// <summary>
    /// Every metric name a trial records: those a sweep file may ask for, and the classifier layer's
    /// Hessian trace that relative flatness measures on the way. Names read back from a store are
    /// checked against this closed set before they name anything (a figure's file, a TensorBoard tag).
    /// </summary>
    public static readonly IReadOnlySet<string> KnownMetrics =
        new HashSet<string>(Sweeps.SweepFile.FlatnessMetrics.Append("classifier-trace"), StringComparer.Ordinal);
}
