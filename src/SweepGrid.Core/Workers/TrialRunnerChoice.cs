using System.Globalization;

namespace SweepGrid.Core.Workers;

/// <summary>
/// What a node's workers run for a trial: real training (<see cref="Torch"/>), or for benchmarks and the
/// cluster's bookkeeping tests "noop[:SECONDS]", a trial that trains nothing (the hidden option
/// --trial-runner). Read here, where a node checks it, without loading what runs it.
/// </summary>
public static class TrialRunnerChoice
{
    public const string Torch = "torch";

    /// <summary>The sleep of "noop" (none) or "noop:SECONDS" (0 to 3600); null for anything else.</summary>
    public static TimeSpan? NoOpDuration(string text)
    {
        if (text == "noop") return TimeSpan.Zero;
        return text.StartsWith("noop:", StringComparison.Ordinal)
               && double.TryParse(text.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is >= 0 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
