using SweepGrid.Core.Sweeps;

namespace SweepGrid.Data;

/// <summary>
/// MNIST-style dataset in a folder: train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally gzipped (.gz), the names used
/// by the original MNIST and Fashion-MNIST distributions.
/// </summary>
public static class IdxDataset
{
    public const int Classes = 10;

    public static readonly string[] FileStems =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Reads only headers: sample counts and shapes, and that images and labels agree.</summary>
    public static DatasetFacts Probe(string folder)
    {
        var (trainImages, trainLabels, testImages, testLabels) = Locate(folder);
        var train = CheckPair(IdxFile.ReadHeader(trainImages), trainImages, IdxFile.ReadHeader(trainLabels), trainLabels);
        var test = CheckPair(IdxFile.ReadHeader(testImages), testImages, IdxFile.ReadHeader(testLabels), testLabels);
        if (train.ValuesPerItem != test.ValuesPerItem)
        {
            throw new DataFormatException(testImages,
                $"images have {test.ValuesPerItem} pixels, but the training images have {train.ValuesPerItem}");
        }

        return new DatasetFacts((int)train.ItemCount, (int)test.ItemCount, (int)train.ValuesPerItem, Classes, ImageShape(train));
    }

    /// <summary>Reads every file to its end: byte counts against the headers, gzip integrity, every label a class.</summary>
    public static void Verify(string folder)
    {
        Probe(folder);
        var (trainImages, trainLabels, testImages, testLabels) = Locate(folder);
        IdxFile.Read(trainImages);
        IdxFile.Read(testImages);
        ReadLabels(trainLabels);
        ReadLabels(testLabels);
    }

    /// <summary>
    /// Loads both splits. Pixels are scaled to [0, 1] and then standardized with the training set's
    /// mean and standard deviation (one scalar each, as in the usual MNIST recipe), so test data never
    /// informs the normalization.
    /// </summary>
    public static DatasetPair Load(string folder)
    {
        Probe(folder);
        var (trainImages, trainLabels, testImages, testLabels) = Locate(folder);
        var (trainPixels, trainFeatures) = ReadImages(trainImages);
        var (testPixels, _) = ReadImages(testImages);
        var (mean, std) = MeanStd(trainPixels);
        var shape = ImageShape(IdxFile.ReadHeader(trainImages));
        return new DatasetPair(
            new LabeledData(Normalize(trainPixels, mean, std), ReadLabels(trainLabels), trainFeatures, Classes, shape),
            new LabeledData(Normalize(testPixels, mean, std), ReadLabels(testLabels), trainFeatures, Classes, shape));
    }

    public static (string TrainImages, string TrainLabels, string TestImages, string TestLabels) Locate(string folder)
    {
        if (!Directory.Exists(folder)) throw new DataFormatException(folder, $"dataset folder not found{DataFolders.Searched(folder)}");
        var paths = FileStems.Select(stem => Find(folder, stem)).ToArray();
        return (paths[0], paths[1], paths[2], paths[3]);
    }

    private static string Find(string folder, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem })
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }

        throw new DataFormatException(Path.Combine(folder, stem + "[.gz]"), "file not found");
    }

    /// <summary>Grayscale images: one channel of rows × columns.</summary>
    private static int[] ImageShape(IdxFile.Header images) => [1, images.Dimensions[1], images.Dimensions[2]];

    private static IdxFile.Header CheckPair(IdxFile.Header images, string imagesPath, IdxFile.Header labels, string labelsPath)
    {
        if (images.Dimensions.Length != 3) throw new DataFormatException(imagesPath, $"expected 3 dimensions (count, rows, columns), got {images.Dimensions.Length}");
        if (labels.Dimensions.Length != 1) throw new DataFormatException(labelsPath, $"expected 1 dimension (count), got {labels.Dimensions.Length}");
        if (labels.ItemCount != images.ItemCount)
        {
            throw new DataFormatException(labelsPath, $"holds {labels.ItemCount} labels for {images.ItemCount} images in {Path.GetFileName(imagesPath)}");
        }

        return images;
    }

    private static (byte[] Pixels, int Features) ReadImages(string path)
    {
        var (header, values) = IdxFile.Read(path);
        return (values, (int)header.ValuesPerItem);
    }

    private static long[] ReadLabels(string path)
    {
        var (_, values) = IdxFile.Read(path);
        var labels = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] >= Classes) throw new DataFormatException(path, $"label {values[i]} at index {i} is not a class 0..{Classes - 1}");
            labels[i] = values[i];
        }

        return labels;
    }

    private static (double Mean, double Std) MeanStd(byte[] pixels)
    {
        double sum = 0, sumSq = 0;
        foreach (var p in pixels)
        {
            double v = p / 255.0;
            sum += v;
            sumSq += v * v;
        }

        double mean = sum / pixels.Length;
        return (mean, Math.Sqrt(Math.Max(sumSq / pixels.Length - mean * mean, 1e-12)));
    }

    private static float[] Normalize(byte[] pixels, double mean, double std)
    {
        var result = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) result[i] = (float)((pixels[i] / 255.0 - mean) / std);
        return result;
    }
}
