using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SweepGrid.Cluster.Recording;
using SweepGrid.Core.Scheduling;

namespace SweepGrid.Cluster.Serialization;

/// <summary>
/// Journal payloads as JSON with a short, stable manifest per type. The journal stays readable with
/// plain SQL, and renaming a .NET type does not orphan stored events as a type-name serializer would:
/// the manifest, not the CLR name, is the contract. Bound to our event interfaces in sweepgrid.conf.
/// </summary>
public sealed class SweepGridSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4711;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // NaN marks a value not measured (e.g. path length when off); JSON has no literal for it.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private static readonly Dictionary<string, Type> TypesByManifest = new()
    {
        ["trials-submitted"] = typeof(TrialsSubmitted),
        ["trial-assigned"] = typeof(TrialAssigned),
        ["trial-finished"] = typeof(TrialFinished),
        ["trial-attempt-failed"] = typeof(TrialAttemptFailed),
        ["trial-requeued"] = typeof(TrialRequeued),
        ["epoch-recorded"] = typeof(EpochRecorded),
        ["outcome-recorded"] = typeof(OutcomeRecorded),
        ["points-recorded"] = typeof(PointsRecorded),
        ["flatness-recorded"] = typeof(FlatnessRecorded),
        ["walk-recorded"] = typeof(WalkRecorded),
    };

    private static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(SweepGridSerializer)}");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"null payload for {manifest}")
            : throw new SerializationException($"unknown manifest \"{manifest}\"");
}
