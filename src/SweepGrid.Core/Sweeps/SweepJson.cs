using System.Text.Json;
using System.Text.Json.Serialization;

namespace SweepGrid.Core.Sweeps;

/// <summary>
/// The one JSON form of SweepGrid's records: journal payloads, messages between nodes, the stored
/// sweep file (sweeps.spec_json) and the size bounds below are all measured in it.
/// </summary>
public static class SweepJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // NaN marks a value not measured (e.g. path length when off); JSON has no literal for it.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>
    /// No message between nodes and no coordinator or director event is larger than this (the
    /// serializer refuses one that is). Akka.Remote drops a frame over its maximum-frame-size (128,000
    /// bytes by default) with only a "transient association error" in the sender's log, so the bound
    /// sits well below it, and it is independent of the number of trials: sweeps travel by reference
    /// (<see cref="SweepDefinition"/>), progress as counts and per-trial deltas.
    /// </summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>
    /// The largest sweep (as JSON) a submission may carry: the definition event and the submit message
    /// hold it with a few hundred bytes more, under <see cref="MaxMessageBytes"/>. A hand-written sweep
    /// file is a few kilobytes; this is about ten thousand listed axis values.
    /// </summary>
    public const int MaxSpecBytes = 48 * 1024;

    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);
}
