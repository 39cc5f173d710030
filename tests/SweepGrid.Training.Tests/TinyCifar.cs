using SweepGrid.Data;

namespace SweepGrid.Training.Tests;

/// <summary>Writes small CIFAR-10 binary files whose images depend on their label (so they can be learned).</summary>
internal static class TinyCifar
{
    public static void Write(string folder, int perTrainFile, int test, int seed = 1)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        foreach (var file in Cifar10Dataset.TrainFiles) File.WriteAllBytes(Path.Combine(folder, file), Records(perTrainFile, random));
        File.WriteAllBytes(Path.Combine(folder, Cifar10Dataset.TestFile), Records(test, random));
    }

    public static byte[] Records(int count, Random random, byte? label = null)
    {
        var bytes = new byte[count * Cifar10Dataset.RecordSize];
        for (int r = 0; r < count; r++)
        {
            byte l = label ?? (byte)random.Next(10);
            int o = r * Cifar10Dataset.RecordSize;
            bytes[o] = l;
            for (int i = 0; i < Cifar10Dataset.Pixels; i++)
            {
                // Each class brightens a different channel and half of the image, plus noise.
                int channel = i / 1024, row = i % 1024 / 32;
                int signal = (channel == l % 3 ? 80 : 0) + (row < 16 == l < 5 ? 60 : 0);
                bytes[o + 1 + i] = (byte)Math.Clamp(60 + signal + random.Next(-40, 40), 0, 255);
            }
        }

        return bytes;
    }
}
