using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Sweeps;

/// <summary>
/// What a submission carries and a coordinator journals instead of the trial list: the validated
/// sweep, the size of the training set it was validated against (what <c>batch-size = full</c>
/// resolves to), how many trials it expands to and a fingerprint of their ids. Trial ids are content
/// hashes, so every node expands the same trials from it, and nothing that travels or is journaled
/// grows with the number of trials: a 100,000-trial sweep's definition is the size of its sweep file.
/// </summary>
/// <param name="Fingerprint">SHA-256 (hex, 16 characters) of the expanded trial ids in order.</param>
public sealed record SweepDefinition(SweepSpec Spec, int TrainCount, int TrialCount, string Fingerprint)
{
    /// <summary>The default of <c>sweepgrid.sweeps.max-trials</c>.</summary>
    public const long DefaultMaxTrials = 100_000;

    public string Name => Spec.Name;

    /// <summary>The sweep checked against its dataset (<see cref="DatasetChecks"/>), then as <see cref="Create(SweepSpec, int, long)"/>.</summary>
    /// <exception cref="SweepValidationException">The sweep does not fit its data or is too large.</exception>
    public static SweepDefinition Create(SweepSpec spec, DatasetFacts facts, long maxTrials)
    {
        var errors = DatasetChecks.Check(spec, facts);
        if (errors.Count > 0) throw new SweepValidationException($"sweep {spec.Name}", errors);
        return Create(spec, DatasetChecks.EffectiveTrainCount(spec.Dataset, facts), maxTrials);
    }

    /// <summary>
    /// Checks what can be checked without expanding (the sweep's size as JSON, its number of grid
    /// cells against <paramref name="maxTrials"/>), then expands once for the count and fingerprint.
    /// </summary>
    /// <param name="trainCount">Training samples after any subset, read from the dataset where trials will read it.</param>
    /// <exception cref="SweepValidationException">The sweep is too large to submit; the source is the sweep's name.</exception>
    public static SweepDefinition Create(SweepSpec spec, int trainCount, long maxTrials)
    {
        var errors = new List<ValidationError>();
        if (SizeError(spec) is { } tooLarge) errors.Add(tooLarge);
        long cells = GridExpansion.CountCells(spec);
        if (cells > maxTrials)
        {
            errors.Add(new ValidationError("sweep.grid", string.Create(CultureInfo.InvariantCulture,
                $"{(cells == long.MaxValue ? "more than 9.2e18" : cells.ToString("N0", CultureInfo.InvariantCulture))} trials (the product of the grid's axes) exceed " +
                $"the limit of {maxTrials:N0} (sweepgrid.sweeps.max-trials in sweepgrid.conf)")));
        }

        if (errors.Count > 0) throw new SweepValidationException($"sweep {spec.Name}", errors);
        var trials = GridExpansion.Expand(spec, trainCount);
        return new SweepDefinition(spec, trainCount, trials.Count, FingerprintOf(trials));
    }

    /// <summary>Whether the sweep is too large (as JSON) to travel as one message; null if it fits.</summary>
    public static ValidationError? SizeError(SweepSpec spec)
    {
        int bytes = SweepJson.Bytes(spec).Length;
        return bytes <= SweepJson.MaxSpecBytes
            ? null
            : new ValidationError("sweep", string.Create(CultureInfo.InvariantCulture,
                $"the sweep is {bytes:N0} bytes as submitted; the limit is {SweepJson.MaxSpecBytes:N0} (split it into several sweeps)"));
    }

    /// <summary>
    /// The trials, expanded again (as on every node that needs them), checked against the fingerprint:
    /// a definition journaled by a version of SweepGrid that derived trials differently is refused
    /// instead of silently becoming other trials.
    /// </summary>
    public IReadOnlyList<TrialSpec> Expand()
    {
        var trials = GridExpansion.Expand(Spec, TrainCount);
        if (trials.Count != TrialCount || FingerprintOf(trials) != Fingerprint)
        {
            throw new InvalidOperationException(
                $"sweep {Name}: its definition now expands to {trials.Count} trials with fingerprint {FingerprintOf(trials)}, " +
                $"but was submitted as {TrialCount} trials with fingerprint {Fingerprint} (written by another version of SweepGrid?)");
        }

        return trials;
    }

    /// <summary>SHA-256 (hex, first 16 characters) of the trial ids in order: what <see cref="Fingerprint"/> holds.</summary>
    public static string FingerprintOf(IReadOnlyList<TrialSpec> trials)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in trials) hash.AppendData(Encoding.ASCII.GetBytes(t.TrialId + ";"));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
