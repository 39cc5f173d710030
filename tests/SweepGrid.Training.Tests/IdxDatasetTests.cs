using SweepGrid.Data;

namespace SweepGrid.Training.Tests;

public sealed class IdxDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-idxset-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSplit(string prefix, int count, int labelCount, byte maxLabel = 9)
    {
        var pixels = Enumerable.Range(0, count * 4).Select(i => (byte)(i * 31 % 256)).ToArray();
        IdxFile.Write(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte.gz"), [count, 2, 2], pixels);
        var labels = Enumerable.Range(0, labelCount).Select(i => (byte)(i % (maxLabel + 1))).ToArray();
        IdxFile.Write(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte"), [labelCount], labels);
    }

    [Fact]
    public void Probes_counts_from_headers_and_loads_standardized_pixels()
    {
        WriteSplit("train", 20, 20);
        WriteSplit("t10k", 6, 6);

        var facts = IdxDataset.Probe(_dir);
        var data = IdxDataset.Load(_dir);

        Assert.Equal((20, 6, 4, 10), (facts.TrainCount, facts.TestCount, facts.Features, facts.Classes));
        Assert.Equal(20, data.Train.Count);
        Assert.Equal(6 * 4, data.Test.Features.Length);
        // Standardized with the training set's own statistics: mean 0, variance 1 there.
        double mean = data.Train.Features.Average(f => (double)f);
        double variance = data.Train.Features.Average(f => (f - mean) * (f - mean));
        Assert.Equal(0, mean, 5);
        Assert.Equal(1, variance, 4);
    }

    [Fact]
    public void Rejects_labels_that_do_not_match_the_images()
    {
        WriteSplit("train", 20, 19);
        WriteSplit("t10k", 6, 6);

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Probe(_dir));

        Assert.Contains("19 labels for 20 images", error.Message);
    }

    [Fact]
    public void Rejects_a_label_outside_the_ten_classes()
    {
        WriteSplit("train", 20, 20, maxLabel: 11);
        WriteSplit("t10k", 6, 6);

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Load(_dir));

        Assert.Contains("label 10", error.Message);
    }

    [Fact]
    public void A_failed_load_is_not_cached_so_a_retry_reads_the_files_again()
    {
        var spec = SweepGrid.Core.Sweeps.SweepDefaults.Spec.Dataset with { Name = "fashion-mnist", Path = _dir };
        WriteSplit("train", 20, 20);

        Assert.Throws<DataFormatException>(() => Datasets.Load(spec));
        WriteSplit("t10k", 6, 6);

        Assert.Equal(6, Datasets.Load(spec).Test.Count);
    }

    [Fact]
    public void Names_the_missing_file()
    {
        WriteSplit("train", 20, 20);

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Probe(_dir));

        Assert.Contains("t10k-images-idx3-ubyte", error.FilePath);
        Assert.Equal("file not found", error.Problem);
    }
}
