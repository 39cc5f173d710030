using SweepGrid.Data;

namespace SweepGrid.Training.Tests;

public sealed class Cifar10DatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-cifar-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_counts_shape_labels_and_standardizes_each_channel()
    {
        TinyCifar.Write(_dir, perTrainFile: 6, test: 4);

        var facts = Cifar10Dataset.Probe(_dir);
        var data = Cifar10Dataset.Load(_dir);

        Assert.Equal((30, 4, 3072, 10), (facts.TrainCount, facts.TestCount, facts.Features, facts.Classes));
        Assert.Equal([3, 32, 32], facts.Shape);
        Assert.Equal([3, 32, 32], data.Train.Shape);
        var firstFile = File.ReadAllBytes(Path.Combine(_dir, "data_batch_1.bin"));
        Assert.Equal(firstFile[0], (byte)data.Train.Labels[0]);
        Assert.Equal(firstFile[Cifar10Dataset.RecordSize], (byte)data.Train.Labels[1]);
        for (int c = 0; c < 3; c++)
        {
            var channel = Enumerable.Range(0, 30).SelectMany(n => data.Train.Features.Skip(n * 3072 + c * 1024).Take(1024)).Select(v => (double)v).ToList();
            double mean = channel.Average();
            Assert.Equal(0, mean, 4);
            Assert.Equal(1, channel.Average(v => (v - mean) * (v - mean)), 3);
        }
    }

    [Fact]
    public void Finds_the_files_inside_the_archives_folder()
    {
        TinyCifar.Write(Path.Combine(_dir, "cifar-10-batches-bin"), perTrainFile: 2, test: 2);

        Assert.Equal(10, Cifar10Dataset.Probe(_dir).TrainCount);
    }

    [Fact]
    public void A_truncated_file_is_named_with_its_size()
    {
        TinyCifar.Write(_dir, perTrainFile: 2, test: 2);
        var path = Path.Combine(_dir, "data_batch_3.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..5000]);

        var error = Assert.Throws<DataFormatException>(() => Cifar10Dataset.Probe(_dir));

        Assert.Equal(path, error.FilePath);
        Assert.Contains("size 5000 is not a positive multiple of 3073", error.Problem);
    }

    [Fact]
    public void A_bad_label_and_a_missing_file_are_reported()
    {
        TinyCifar.Write(_dir, perTrainFile: 2, test: 2);
        var test = Path.Combine(_dir, Cifar10Dataset.TestFile);
        File.WriteAllBytes(test, TinyCifar.Records(2, new Random(3), label: 12));

        Assert.Contains("label 12", Assert.Throws<DataFormatException>(() => Cifar10Dataset.Load(_dir)).Problem);
        File.Delete(Path.Combine(_dir, "data_batch_5.bin"));
        Assert.Equal("file not found", Assert.Throws<DataFormatException>(() => Cifar10Dataset.Probe(_dir)).Problem);
    }
}
