using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SweepGrid.Store.Logs;

/// <summary>
/// One trial's story from the store's logs (&lt;store&gt;/logs/*.log, compact JSON, one event per line, which
/// every process of a store writes, through the CLI's LogSetup): its lines, and its attempts (where each ran,
/// how it ended and why) read from the slots' events. The files are read, not trusted: a line that is not
/// JSON, or whose properties are not what SweepGrid writes, is skipped, and only the last lines are kept.
/// </summary>
public static partial class TrialLog
{
    /// <summary>The most lines kept for one trial (the last ones).</summary>
    public const int MaxLines = 500;

    public sealed record Line(DateTimeOffset Time, string Level, string Message, long? Attempt, string? Slot, string? Status, string? Reason);

    /// <param name="Outcome">Completed, Diverged, failed or crashed; null while running or when it was handed back (a node shutting down).</param>
    public sealed record Attempt(long Number, string? Slot, DateTimeOffset Started, DateTimeOffset Last, string? Outcome, string? Reason);

    /// <summary>
    /// The lines about <paramref name="trial"/> of <paramref name="sweep"/> in the store's logs, oldest
    /// first, read once (the dashboard keeps a <see cref="TrialLogIndex"/>, which reads only what was appended).
    /// </summary>
    public static IReadOnlyList<Line> Read(string storeDirectory, string sweep, string trial) => new TrialLogIndex(storeDirectory).Read(sweep, trial);

    /// <summary>One compact-JSON event about the trial, or null (not JSON, another trial or sweep, no time or template).</summary>
    public static Line? Parse(string text, string sweep, string trial)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            var e = json.RootElement;
            if (e.ValueKind != JsonValueKind.Object || Text(e, "TrialId") != trial || Text(e, "SweepId") != sweep) return null;
            if (Text(e, "@t") is not { } t || !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return null;
            if (Text(e, "@mt") is not { } template) return null;
            return new Line(time, Text(e, "@l") ?? "Information", Render(template, e),
                e.TryGetProperty("Attempt", out var a) && a.TryGetInt64(out long attempt) ? attempt : null,
                Text(e, "Slot"), Text(e, "Status"), Text(e, "Reason") ?? Text(e, "Detail"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Each attempt: the slot it started on, when, its last line, and how it ended: the Status of its
    /// closing line (Completed, Diverged), or failed/crashed with the reason an error line gives.
    /// </summary>
    public static IReadOnlyList<Attempt> Attempts(IReadOnlyList<Line> lines) =>
        lines.Where(l => l.Attempt is not null)
            .GroupBy(l => l.Attempt!.Value)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var ending = g.LastOrDefault(l => l.Status is not null || l.Reason is not null);
                string? outcome = ending switch
                {
                    { Status: { } status } => status,
                    { Message: var m } when m.Contains(" crashed ", StringComparison.Ordinal) => "crashed",
                    { } => "failed",
                    null => null,
                };
                return new Attempt(g.Key, g.Select(l => l.Slot).FirstOrDefault(s => s is not null), g.First().Time, g.Last().Time, outcome, ending?.Reason);
            })
            .ToList();

    /// <summary>A message template with its properties filled in: {Name}, {Name:F1} and Akka's positional {0}.</summary>
    public static string Render(string template, JsonElement properties) =>
        Hole().Replace(template, m =>
        {
            if (!properties.TryGetProperty(m.Groups["name"].Value, out var value)) return m.Value;
            string format = m.Groups["format"].Value;
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() ?? "",
                JsonValueKind.Number when format.Length > 0 && value.TryGetDouble(out double d) => d.ToString(format, CultureInfo.InvariantCulture),
                _ => value.GetRawText(),
            };
        });

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"\{(?<name>[A-Za-z0-9_]+)(?::(?<format>[^}]*))?\}")]
    private static partial Regex Hole();
}
