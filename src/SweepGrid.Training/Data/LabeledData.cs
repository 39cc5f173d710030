namespace SweepGrid.Training.Data;

/// <summary>Samples as one row-major block of normalized features plus class labels, in managed memory.</summary>
public sealed record LabeledData(float[] Features, long[] Labels, int FeatureCount, int ClassCount)
{
    public int Count => Labels.Length;

    /// <summary>The first <paramref name="count"/> samples (datasets are stored pre-shuffled, so this is a fair subset).</summary>
    public LabeledData Take(int count) =>
        count >= Count ? this : new LabeledData(Features[..(count * FeatureCount)], Labels[..count], FeatureCount, ClassCount);
}

/// <summary>A training set and its held-out test set.</summary>
public sealed record DatasetPair(LabeledData Train, LabeledData Test);
