using SweepGrid.Core.Sweeps;

namespace SweepGrid.Data;

/// <summary>
/// CIFAR-10 in its binary distribution (Krizhevsky 2009): data_batch_1.bin … data_batch_5.bin and
/// test_batch.bin, each a sequence of 3,073-byte records: 1 label byte (0–9), then 1,024 red, 1,024
/// green and 1,024 blue pixel bytes, each plane 32×32 row-major. The folder may be the one that holds
/// the files or its parent (the archive unpacks to cifar-10-batches-bin/).
/// </summary>
public static class Cifar10Dataset
{
    public const int Classes = 10;
    public const int Channels = 3, Side = 32, Pixels = Channels * Side * Side;
    public const int RecordSize = 1 + Pixels;
    public static readonly string[] TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    public const string TestFile = "test_batch.bin";
    private static readonly int[] Shape = [Channels, Side, Side];

    public static DatasetFacts Probe(string folder)
    {
        var root = Root(folder);
        int train = TrainFiles.Sum(f => Records(Path.Combine(root, f)));
        int test = Records(Path.Combine(root, TestFile));
        return new DatasetFacts(train, test, Pixels, Classes, Shape);
    }

    /// <summary>
    /// Loads both splits, pixels scaled to [0, 1] and standardized per channel with the training
    /// set's channel means and standard deviations.
    /// </summary>
    public static DatasetPair Load(string folder)
    {
        var root = Root(folder);
        Probe(folder);
        var (trainPixels, trainLabels) = Read(TrainFiles.Select(f => Path.Combine(root, f)).ToArray());
        var (testPixels, testLabels) = Read([Path.Combine(root, TestFile)]);
        var stats = ChannelStats(trainPixels);
        return new DatasetPair(
            new LabeledData(Normalize(trainPixels, stats), trainLabels, Pixels, Classes, Shape),
            new LabeledData(Normalize(testPixels, stats), testLabels, Pixels, Classes, Shape));
    }

    private static string Root(string folder)
    {
        if (!Directory.Exists(folder)) throw new DataFormatException(folder, $"dataset folder not found{DataFolders.Searched(folder)}");
        var nested = Path.Combine(folder, "cifar-10-batches-bin");
        return File.Exists(Path.Combine(folder, TestFile)) || !Directory.Exists(nested) ? folder : nested;
    }

    private static int Records(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "file not found");
        long length = new FileInfo(path).Length;
        if (length == 0 || length % RecordSize != 0)
        {
            throw new DataFormatException(path, $"size {length} is not a positive multiple of {RecordSize} (1 label + {Pixels} pixel bytes per record): truncated or not CIFAR-10 binary");
        }

        return (int)(length / RecordSize);
    }

    private static (byte[] Pixels, long[] Labels) Read(string[] paths)
    {
        int total = paths.Sum(Records);
        var pixels = new byte[(long)total * Pixels];
        var labels = new long[total];
        int n = 0;
        foreach (var path in paths)
        {
            // Records() measured it; read no more than that, and only from a regular file (a link to one is fine).
            var bytes = Core.Files.RegularFile.ReadAllBytes(path, (long)Records(path) * RecordSize, followLinks: true);
            for (int r = 0; r < bytes.Length / RecordSize; r++, n++)
            {
                byte label = bytes[r * RecordSize];
                if (label >= Classes) throw new DataFormatException(path, $"record {r} has label {label}, not a class 0..{Classes - 1}");
                labels[n] = label;
                Buffer.BlockCopy(bytes, r * RecordSize + 1, pixels, n * Pixels, Pixels);
            }
        }

        return (pixels, labels);
    }

    private static (double Mean, double Std)[] ChannelStats(byte[] pixels)
    {
        int plane = Side * Side;
        var stats = new (double, double)[Channels];
        for (int c = 0; c < Channels; c++)
        {
            double sum = 0, sumSq = 0;
            long count = 0;
            for (long i = (long)c * plane; i < pixels.Length; i += Pixels)
            {
                for (int j = 0; j < plane; j++)
                {
                    double v = pixels[i + j] / 255.0;
                    sum += v;
                    sumSq += v * v;
                }

                count += plane;
            }

            double mean = sum / count;
            stats[c] = (mean, Math.Sqrt(Math.Max(sumSq / count - mean * mean, 1e-12)));
        }

        return stats;
    }

    private static float[] Normalize(byte[] pixels, (double Mean, double Std)[] stats)
    {
        int plane = Side * Side;
        var result = new float[pixels.Length];
        for (long i = 0; i < pixels.Length; i++)
        {
            var (mean, std) = stats[(int)(i % Pixels / plane)];
            result[i] = (float)((pixels[i] / 255.0 - mean) / std);
        }

        return result;
    }
}
