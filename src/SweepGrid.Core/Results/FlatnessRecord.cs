namespace SweepGrid.Core.Results;

/// <summary>
/// One flatness measurement after epoch <see cref="Epoch"/>: the metric's name (as in the sweep
/// file's metrics.flatness), its value, what it cost in seconds, and how many iterations it took
/// (power iteration, Hutchinson samples, ascent steps; 1 for closed forms).
/// </summary>
public sealed record FlatnessRecord(int Epoch, string Metric, double Value, double Seconds, int Iterations);
