using SweepGrid.Cli.Data;
using SweepGrid.Data;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Cli.Tests;

public sealed class FashionMnistImportTests
{
    /// <summary>Per class: 6,000 training candidates then 1,000 test candidates, each image tagged with (class, index).</summary>
    private static List<byte[]>[] FakeClasses() =>
        Enumerable.Range(0, 10).Select(c => Enumerable.Range(0, 7000).Select(i => new byte[] { (byte)c, (byte)(i >> 8), (byte)i }).ToList()).ToArray();

    [Fact]
    public void The_split_is_class_balanced_takes_the_first_images_and_never_mixes_train_and_test()
    {
        var (train, test) = FashionMnistImport.Split(FakeClasses(), 100, 20);

        Assert.Equal(100, train.Count);
        Assert.Equal(20, test.Count);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(10, train.Count(s => s.Label == c)));
        Assert.All(train, s => Assert.Equal(s.Label, s.Image[0]));
        Assert.All(train, s => Assert.True((s.Image[1] << 8 | s.Image[2]) < 10));
        Assert.All(test, s => Assert.InRange(s.Image[1] << 8 | s.Image[2], 6000, 6001));
    }

    [Fact]
    public void The_full_split_is_60000_and_10000_and_the_order_is_fixed()
    {
        var (train, test) = FashionMnistImport.Split(FakeClasses(), null, null);
        var (again, _) = FashionMnistImport.Split(FakeClasses(), null, null);

        Assert.Equal((60000, 10000), (train.Count, test.Count));
        Assert.Equal(train.Select(s => (s.Image[0], s.Image[1], s.Image[2])), again.Select(s => (s.Image[0], s.Image[1], s.Image[2])));
        // Shuffled: the first 100 training images are not all one class.
        Assert.True(train.Take(100).Select(s => s.Label).Distinct().Count() > 5);
    }

    [Fact]
    public void Counts_that_are_not_multiples_of_ten_are_bad_input()
    {
        var error = Assert.Throws<UserError>(() => FashionMnistImport.Run("unused.tgz", "unused", 1005, null, TextWriter.Null));

        Assert.Equal("--train: must be a positive multiple of 10 (class-balanced), got 1005", error.Message);
    }

    [Fact]
    public void The_bundled_subset_is_what_its_readme_says()
    {
        var folder = Path.Combine(TestMachine.RepoRoot(), "data", "fashion-mnist");

        var facts = IdxDataset.Probe(folder);
        var data = IdxDataset.Load(folder);

        Assert.Equal((10000, 2000, 784, 10), (facts.TrainCount, facts.TestCount, facts.Features, facts.Classes));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, data.Train.Labels.Count(l => l == c)));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(200, data.Test.Labels.Count(l => l == c)));
    }
}
