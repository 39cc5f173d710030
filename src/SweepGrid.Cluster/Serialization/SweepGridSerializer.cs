using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Recording;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;

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

    private static readonly Dictionary<string, Type> TypesByManifest = new()
    {
        ["sweep-defined"] = typeof(SweepDefined),
        ["trials-submitted"] = typeof(TrialsSubmitted), // replayed from journals written before sweeps travelled by reference
        ["trial-assigned"] = typeof(TrialAssigned),
        ["trial-finished"] = typeof(TrialFinished),
        ["trial-attempt-failed"] = typeof(TrialAttemptFailed),
        ["trial-interrupted"] = typeof(TrialInterrupted),
        ["trial-requeued"] = typeof(TrialRequeued),
        ["sweep-paused"] = typeof(SweepPaused),
        ["sweep-resumed"] = typeof(SweepResumed),
        ["sweep-cancelled"] = typeof(SweepCancelled),
        ["sweep-priority-set"] = typeof(SweepPrioritySet),
        ["epoch-recorded"] = typeof(EpochRecorded),
        ["outcome-recorded"] = typeof(OutcomeRecorded),
        ["points-recorded"] = typeof(PointsRecorded),
        ["flatness-recorded"] = typeof(FlatnessRecorded),
        ["walk-recorded"] = typeof(WalkRecorded),
        ["spectrum-recorded"] = typeof(SpectrumRecorded),
        ["sweep-registered"] = typeof(SweepDirectorProtocol.SweepRegistered),
        // Messages between nodes (IClusterMessage).
        ["submit-sweep"] = typeof(SweepDirectorProtocol.SubmitSweep),
        ["subscribe-sweep"] = typeof(SweepDirectorProtocol.SubscribeSweep),
        ["unknown-sweep"] = typeof(SweepDirectorProtocol.UnknownSweep),
        ["define"] = typeof(SweepCoordinatorProtocol.Define),
        ["subscribe"] = typeof(SweepCoordinatorProtocol.Subscribe),
        ["submitted"] = typeof(SweepCoordinatorProtocol.Submitted),
        ["submit-rejected"] = typeof(SweepCoordinatorProtocol.SubmitRejected),
        ["sweep-progress"] = typeof(SweepCoordinatorProtocol.SweepProgress),
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
        ["control-sweep"] = typeof(SweepCoordinatorProtocol.ControlSweep),
        ["sweep-controlled"] = typeof(SweepCoordinatorProtocol.SweepControlled),
        ["control-refused"] = typeof(SweepCoordinatorProtocol.ControlRefused),
        ["stop-attempt"] = typeof(SweepCoordinatorProtocol.StopAttempt),
    };

    private static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(SweepGridSerializer)}");

    private readonly JsonSerializerOptions _json = new(SweepJson.Options) { Converters = { new ActorRefConverter(system) } };

    /// <summary>
    /// A message between nodes, or a coordinator's or the director's event, over
    /// <see cref="SweepJson.MaxMessageBytes"/> is refused here, loudly: sent, it would be dropped by
    /// remoting with a vague warning; journaled, it would be a sweep that cannot be recovered. (A
    /// recorder's events are local and may be larger: one epoch's trajectory points.)
    /// </summary>
    public override byte[] ToBinary(object obj)
    {
        if (Singleton(obj.GetType()) is not null) return "{}"u8.ToArray();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);
        if (bytes.Length > SweepJson.MaxMessageBytes && obj is IClusterMessage or ISweepEvent)
        {
            throw new SerializationException(
                $"{Manifest(obj)} is {bytes.Length:N0} bytes, over the {SweepJson.MaxMessageBytes:N0}-byte bound on SweepGrid's messages and sweep events");
        }

        return bytes;
    }

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
