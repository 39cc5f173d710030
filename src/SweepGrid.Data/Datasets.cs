using System.Collections.Concurrent;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Data;

/// <summary>
/// Opens the dataset a sweep names. <see cref="Facts"/> reads headers only, for validation;
/// <see cref="Load"/> reads everything once per process and shares it between trials (read-only).
/// </summary>
public static class Datasets
{
    private static readonly ConcurrentDictionary<string, Lazy<DatasetPair>> Cache = new();

    public static DatasetFacts Facts(DatasetSpec spec) => Probe(Located(spec));

    private static DatasetFacts Probe(DatasetSpec spec) => spec.Name switch
    {
        "synthetic" => SyntheticDataset.Facts(spec.Synthetic),
        "cifar10" => Cifar10Dataset.Probe(spec.Path),
        _ => IdxDataset.Probe(spec.Path),
    };

    /// <summary>
    /// <see cref="Facts"/> after reading every file to its end: sizes and counts against the headers,
    /// every label a class, gzip streams intact. What `run` and a coordinator check before a sweep is
    /// accepted, so that a truncated file is one line of bad input, not a failure of every trial.
    /// </summary>
    /// <exception cref="DataFormatException">A file is missing, short, corrupt or holds a label out of range; the message names it.</exception>
    public static DatasetFacts Verified(DatasetSpec spec)
    {
        spec = Located(spec);
        var facts = Probe(spec);
        switch (spec.Name)
        {
            case "synthetic":
                break;
            case "cifar10":
                Cifar10Dataset.Load(spec.Path);
                break;
            default:
                IdxDataset.Verify(spec.Path);
                break;
        }

        return facts;
    }

    public static DatasetPair Load(DatasetSpec spec)
    {
        spec = Located(spec);
        var key = spec.Name == "synthetic"
            ? $"synthetic:{spec.Synthetic}"
            : $"{spec.Name}:{Path.GetFullPath(spec.Path)}";
        var entry = Cache.GetOrAdd(key, _ => new Lazy<DatasetPair>(() => LoadUncached(spec)));
        DatasetPair full;
        try
        {
            full = entry.Value;
        }
        catch
        {
            // A failed load is not cached: a retried trial must really read the files again (the data
            // may be on a shared volume that was briefly away), not rethrow the first failure forever.
            Cache.TryRemove(new KeyValuePair<string, Lazy<DatasetPair>>(key, entry));
            throw;
        }

        return spec.TrainSubset > 0 ? full with { Train = full.Train.Take(spec.TrainSubset) } : full;
    }

    /// <summary>The spec with its path where it is read from (<see cref="DataFolders.Resolve"/>).</summary>
    private static DatasetSpec Located(DatasetSpec spec) => spec.Name == "synthetic" ? spec : spec with { Path = DataFolders.Resolve(spec.Path) };

    private static DatasetPair LoadUncached(DatasetSpec spec) => spec.Name switch
    {
        "synthetic" => SyntheticDataset.Generate(spec.Synthetic),
        "cifar10" => Cifar10Dataset.Load(spec.Path),
        _ => IdxDataset.Load(spec.Path),
    };
}
