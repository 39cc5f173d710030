namespace SweepGrid.Core.Sweeps;

/// <summary>
/// What the sweep needs to know of a dataset before it runs, read from its headers. <see cref="SampleShape"/>
/// is one sample's shape (channels first for images); null means a flat vector of <see cref="Features"/>.
/// </summary>
public sealed record DatasetFacts(int TrainCount, int TestCount, int Features, int Classes, IReadOnlyList<int>? SampleShape = null)
{
    public IReadOnlyList<int> Shape => SampleShape ?? [Features];

    public bool IsImage => Shape.Count == 3;
}

/// <summary>Checks of a sweep against the dataset it names, once that dataset has been opened.</summary>
public static class DatasetChecks
{
    public static IReadOnlyList<ValidationError> Check(SweepSpec spec, DatasetFacts facts)
    {
        var errors = new List<ValidationError>();
        if (spec.Dataset.TrainSubset > facts.TrainCount)
        {
            errors.Add(new ValidationError("sweep.dataset.train-subset",
                $"asks for {spec.Dataset.TrainSubset} training samples, but the dataset has {facts.TrainCount}"));
        }

        if (spec.Model.Name is "convnet" or "resnet" && !facts.IsImage)
        {
            errors.Add(new ValidationError("sweep.model.name",
                $"{spec.Model.Name} needs images (channels × height × width), but dataset {spec.Dataset.Name} has vectors of {facts.Features}"));
        }

        int trainCount = EffectiveTrainCount(spec.Dataset, facts);
        foreach (var grid in spec.Grids)
        {
            for (int i = 0; i < grid.BatchSize.Count; i++)
            {
                if (grid.BatchSize[i] > trainCount)
                {
                    errors.Add(new ValidationError($"{grid.Path}.batch-size[{i}]",
                        $"{grid.BatchSize[i]} is larger than the training set ({trainCount} samples)"));
                }
            }

            if (!grid.BatchSize.Contains(GridAxes.FullBatch)) continue;
            for (int i = 0; i < grid.GhostBatchSize.Count; i++)
            {
                int g = grid.GhostBatchSize[i];
                if (g > 0 && trainCount % g != 0)
                {
                    errors.Add(new ValidationError($"{grid.Path}.ghost-batch-size[{i}]",
                        $"ghost batch size {g} must divide the full batch, the training set of {trainCount} samples"));
                }
            }
        }

        return errors;
    }

    public static int EffectiveTrainCount(DatasetSpec dataset, DatasetFacts facts) =>
        dataset.TrainSubset > 0 ? Math.Min(dataset.TrainSubset, facts.TrainCount) : facts.TrainCount;
}
