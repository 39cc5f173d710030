using SweepGrid.Store;
using Npgsql;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Integration.Tests;

/// <summary>
/// The cluster with its store in a real PostgreSQL 15 server (journal and result tables; the shared
/// folder keeps only checkpoints and logs): a killed worker, and the database itself stopped mid-sweep.
/// </summary>
public sealed class PostgresClusterFaultTests : ClusterHarness, IClassFixture<PostgresServer>
{
    private readonly PostgresServer _server;
    private readonly string _connection;

    public PostgresClusterFaultTests(PostgresServer server)
    {
        _server = server;
        _connection = server.CreateDatabase();
        Environment = new Dictionary<string, string> { [StoreLocation.PostgresVariable] = _connection };
    }

    protected override IReadOnlyDictionary<string, string> Environment { get; }

    protected override string EpochList => "string_agg(epoch::text, ',' ORDER BY epoch)";

    protected override List<object?[]> Rows(string sql, bool journal = false)
    {
        // Journal and tables share the one database.
        using var connection = new NpgsqlConnection($"{_connection};Pooling=false");
        return Read(connection, sql);
    }

    [Fact]
    public Task Killing_a_worker_mid_trial_loses_and_duplicates_nothing() => KillAWorkerMidTrial();

    [Fact]
    public async Task Stopping_PostgreSQL_for_10_s_mid_sweep_loses_no_recorded_result()
    {
        int a = TestMachine.FreePort(), b = TestMachine.FreePort(), c = TestMachine.FreePort();
        ClusterProcess[] nodes = [await Node("a", "coordinator,worker", a, null), await Node("b", "worker", b, a), await Node("c", "worker", c, a)];
        var submit = Submit(a);
        await TrialTwoEpochsInOn(submit, null);

        _server.Stop();
        await Task.Delay(TimeSpan.FromSeconds(10));
        _server.Resume();

        Assert.Equal(0, await WaitForExit(submit, Sweep));
        Assert.Contains(submit.Lines, l => l.Contains($"sweep faults: {Trials} completed, 0 diverged, 0 failed", StringComparison.Ordinal));
        AssertExactlyOnce();
        // The outage did hit the writers: journal writes failed while the server was down.
        Assert.Contains(nodes.SelectMany(n => n.Lines), l => l.Contains("Failed to persist", StringComparison.Ordinal));
    }
}
