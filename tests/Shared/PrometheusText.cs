using System.Globalization;
using System.Text.RegularExpressions;

namespace SweepGrid.Tests.Shared;

/// <summary>
/// Prometheus' text exposition format (version 0.0.4), parsed by its rules and checked as it is: every
/// sample belongs to a family declared by a # TYPE line before it, names and labels are well formed, a
/// value is a float (or +Inf, -Inf, NaN), no series appears twice, and a histogram's buckets are
/// cumulative with its _count equal to its +Inf bucket. Anything else fails the parse.
/// </summary>
public static partial class PrometheusText
{
    /// <summary>A series: its name and its labels as name="value" pairs, sorted, comma-separated.</summary>
    public readonly record struct Series(string Name, string Labels);

    public sealed record Scrape(IReadOnlyDictionary<Series, double> Samples, IReadOnlyDictionary<string, string> Types)
    {
        /// <summary>The value of the one series of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
        public double Value(string name, params (string Name, string Value)[] labels)
        {
            var wanted = labels.Select(l => $"{l.Name}=\"{l.Value}\"").ToList();
            var matches = Samples.Where(s => s.Key.Name == name && wanted.All(w => s.Key.Labels.Split(',').Contains(w))).ToList();
            return matches.Count == 1
                ? matches[0].Value
                : throw new InvalidDataException($"{name}{{{string.Join(',', wanted)}}}: {matches.Count} series match, expected one");
        }
    }

    public static Scrape Parse(string text)
    {
        var samples = new Dictionary<Series, double>();
        var types = new Dictionary<string, string>();
        foreach (var (line, number) in text.Split('\n').Select((l, i) => (l.TrimEnd('\r'), i + 1)))
        {
            if (line.Length == 0 || line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            if (line.StartsWith('#'))
            {
                var type = TypeLine().Match(line);
                if (!type.Success) throw new InvalidDataException($"line {number}: a comment that is not HELP or a well-formed TYPE: {line}");
                if (!types.TryAdd(type.Groups[1].Value, type.Groups[2].Value)) throw new InvalidDataException($"line {number}: second TYPE for {type.Groups[1].Value}");
                continue;
            }

            var sample = SampleLine().Match(line);
            if (!sample.Success) throw new InvalidDataException($"line {number}: not a sample: {line}");
            var name = sample.Groups["name"].Value;
            if (Family(name, types) is null) throw new InvalidDataException($"line {number}: {name} has no TYPE line before it");
            var labels = string.Join(',', LabelPair().Matches(sample.Groups["labels"].Value).Select(m => $"{m.Groups[1].Value}=\"{m.Groups[2].Value}\"").Order(StringComparer.Ordinal));
            if (!samples.TryAdd(new Series(name, labels), Number(sample.Groups["value"].Value, number)))
            {
                throw new InvalidDataException($"line {number}: {name}{{{labels}}} appears twice");
            }
        }

        CheckHistograms(samples, types);
        return new Scrape(samples, types);
    }

    /// <summary>The declared family a sample belongs to: its own name, or a histogram's or summary's name before _bucket, _sum, _count.</summary>
    private static string? Family(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name)) return name;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var t) && t is "histogram" or "summary") return name[..^suffix.Length];
        }

        return null;
    }

    private static void CheckHistograms(Dictionary<Series, double> samples, Dictionary<string, string> types)
    {
        foreach (var histogram in types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var buckets = samples.Where(s => s.Key.Name == histogram + "_bucket")
                .Select(s => (Le: Number(Regex.Match(s.Key.Labels, "le=\"([^\"]+)\"").Groups[1].Value, 0), s.Value)).OrderBy(b => b.Le).ToList();
            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le)) throw new InvalidDataException($"{histogram}: no +Inf bucket");
            for (int i = 1; i < buckets.Count; i++)
            {
                if (buckets[i].Value < buckets[i - 1].Value) throw new InvalidDataException($"{histogram}: buckets are not cumulative at le={buckets[i].Le}");
            }

            if (samples.First(s => s.Key.Name == histogram + "_count").Value != buckets[^1].Value) throw new InvalidDataException($"{histogram}: _count differs from the +Inf bucket");
        }
    }

    private static double Number(string text, int line) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"line {line}: \"{text}\" is not a value"),
    };

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{(?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*\})? (?<value>\S+)( -?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
