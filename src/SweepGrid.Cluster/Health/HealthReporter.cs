using Akka.Actor;
using Akka.Event;
using SweepGrid.Store;

namespace SweepGrid.Cluster.Health;

/// <summary>
/// Every <see cref="Interval"/>, asks the cluster for this member's status and pings the store, and
/// writes both to the node's health file (<see cref="NodeHealth"/>). The store ping runs off the actor
/// (a database that does not answer blocks for its connection timeout) and is bounded by <see cref="PingWithin"/>.
/// </summary>
internal sealed class HealthReporter : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PingWithin = TimeSpan.FromSeconds(5);

    private readonly string _path;
    private readonly ResultsStore _results;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _pinging;

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record Check
    {
        public static readonly Check Instance = new();
    }

    private sealed record Pinged(string? Error);

    public HealthReporter(string path, ResultsStore results)
    {
        _path = path;
        _results = results;
        Receive<Check>(_ => StartPing());
        Receive<Pinged>(Write);
    }

    public static Props Props(string path, ResultsStore results) => Akka.Actor.Props.Create(() => new HealthReporter(path, results));

    protected override void PreStart()
    {
        // A file left by an earlier process on this port must not speak for this one.
        NodeHealth.Remove(_path);
        Timers.StartPeriodicTimer(nameof(Check), Check.Instance, TimeSpan.Zero, Interval);
    }

    protected override void PostStop() => NodeHealth.Remove(_path);

    private void StartPing()
    {
        if (_pinging) return;
        _pinging = true;
        Task.Run(() => _results.Read.Ping())
            .WaitAsync(PingWithin)
            .ContinueWith(t => new Pinged(t.IsCompletedSuccessfully ? null
                : t.Exception?.GetBaseException() is TimeoutException ? $"no answer within {PingWithin.TotalSeconds:F0} s"
                : t.Exception?.GetBaseException().Message ?? "cancelled"), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private void Write(Pinged pinged)
    {
        _pinging = false;
        var health = new NodeHealth(_cluster.SelfAddress.ToString(), _cluster.SelfMember.Status.ToString(), pinged.Error is null, pinged.Error, DateTimeOffset.UtcNow);
        try
        {
            health.Write(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Health file {Path} could not be written: {Error}", _path, e.Message);
        }
    }
}
