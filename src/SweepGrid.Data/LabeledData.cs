namespace SweepGrid.Data;

/// <summary>
/// Samples as one row-major block of normalized features plus class labels, in managed memory.
/// <see cref="SampleShape"/> is one sample's shape, e.g. [784] for vectors or [3, 32, 32] for images
/// (channels first); null means a flat vector of <see cref="FeatureCount"/>.
/// </summary>
public sealed record LabeledData(float[] Features, long[] Labels, int FeatureCount, int ClassCount, int[]? SampleShape = null)
{
    public int Count => Labels.Length;

    public int[] Shape => SampleShape ?? [FeatureCount];

    /// <summary>The first <paramref name="count"/> samples (datasets are stored pre-shuffled, so this is a fair subset).</summary>
    public LabeledData Take(int count) =>
        count >= Count ? this : this with { Features = Features[..(count * FeatureCount)], Labels = Labels[..count] };
}

/// <summary>A training set and its held-out test set.</summary>
public sealed record DatasetPair(LabeledData Train, LabeledData Test);
