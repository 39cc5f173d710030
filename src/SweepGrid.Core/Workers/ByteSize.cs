using System.Globalization;
using System.Text.RegularExpressions;

namespace SweepGrid.Core.Workers;

/// <summary>Sizes as people write them: 1073741824, 512M, 4G, 1.5GiB, 2 GB (K, M, G, T are powers of 1024).</summary>
public static partial class ByteSize
{
    /// <summary>The number of bytes, or null when <paramref name="text"/> is not a size.</summary>
    public static long? Parse(string text)
    {
        var match = Size().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)) return null;
        int power = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "" => 0,
            "K" => 1,
            "M" => 2,
            "G" => 3,
            _ => 4,
        };
        double bytes = number * Math.Pow(1024, power);
        return bytes is >= 1 and < long.MaxValue ? (long)bytes : null;
    }

    public static string Describe(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##} MiB");

    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]+)?)\s*((?<unit>[KkMmGgTt])(i?[Bb])?|[Bb])?$")]
    private static partial Regex Size();
}
