using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Recording;
using SweepGrid.Core.Scheduling;

namespace SweepGrid.Cluster.Serialization;

/// <summary>
/// Journal payloads and the messages between nodes, as JSON with a short, stable manifest per type. The
/// journal stays readable with plain SQL, and renaming a .NET type does not orphan stored events as a
/// type-name serializer would: the manifest, not the CLR name, is the contract. Actor references travel
/// as their serialized paths. Bound to our event and message interfaces in sweepgrid.conf.
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
        ["sweep-registered"] = typeof(SweepDirectorProtocol.SweepRegistered),
        // Messages between nodes (IClusterMessage).
        ["submit-sweep"] = typeof(SweepDirectorProtocol.SubmitSweep),
        ["subscribe-sweep"] = typeof(SweepDirectorProtocol.SubscribeSweep),
        ["unknown-sweep"] = typeof(SweepDirectorProtocol.UnknownSweep),
        ["submit"] = typeof(SweepCoordinatorProtocol.Submit),
        ["subscribe"] = typeof(SweepCoordinatorProtocol.Subscribe),
        ["get-snapshot"] = typeof(SweepCoordinatorProtocol.GetSnapshot),
        ["submitted"] = typeof(SweepCoordinatorProtocol.Submitted),
        ["snapshot"] = typeof(SweepCoordinatorProtocol.Snapshot),
        ["trial-started"] = typeof(SweepCoordinatorProtocol.TrialStarted),
        ["trial-epoch"] = typeof(SweepCoordinatorProtocol.TrialEpoch),
        ["trial-settled"] = typeof(SweepCoordinatorProtocol.TrialSettled),
        ["sweep-finished"] = typeof(SweepCoordinatorProtocol.SweepFinished),
        ["request-work"] = typeof(SweepCoordinatorProtocol.RequestWork),
        ["assignment"] = typeof(SweepCoordinatorProtocol.Assignment),
        ["no-more-work"] = typeof(SweepCoordinatorProtocol.NoMoreWork),
        ["report-epoch"] = typeof(SweepCoordinatorProtocol.ReportEpoch),
        ["report-finished"] = typeof(SweepCoordinatorProtocol.ReportFinished),
        ["report-failed"] = typeof(SweepCoordinatorProtocol.ReportFailed),
        ["report-released"] = typeof(SweepCoordinatorProtocol.ReportReleased),
        ["release-recorded"] = typeof(SweepCoordinatorProtocol.ReleaseRecorded),
    };

    private static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(SweepGridSerializer)}");

    private readonly JsonSerializerOptions _json = new(Json) { Converters = { new ActorRefConverter(system) } };

    public override byte[] ToBinary(object obj) =>
        Singleton(obj.GetType()) is not null ? "{}"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type)) throw new SerializationException($"unknown manifest \"{manifest}\"");
        return Singleton(type) ?? JsonSerializer.Deserialize(bytes, type, _json) ?? throw new SerializationException($"null payload for {manifest}");
    }

    /// <summary>A fieldless message's one instance (its static Instance), so it stays one after a trip over the wire.</summary>
    private static object? Singleton(Type type) =>
        type.GetField("Instance", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null);

    /// <summary>An actor reference as its full path (with this node's address), resolved again on arrival.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(IActorRef).IsAssignableFrom(typeToConvert);

        public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            system.Provider.ResolveActorRef(reader.GetString() ?? throw new JsonException("an actor reference must be a path"));

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }
}
