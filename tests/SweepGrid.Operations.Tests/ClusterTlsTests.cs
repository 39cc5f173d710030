using SweepGrid.Tests.Shared;

namespace SweepGrid.Operations.Tests;

/// <summary>
/// Remoting is mutual TLS with the cluster's one certificate: real processes without it, or with
/// another, neither join as nodes nor submit sweeps, and the cluster logs each refusal; a client with
/// it submits and follows a sweep as usual.
/// </summary>
public sealed class ClusterTlsTests : SqliteClusterHarness
{
    private static bool CouldNotJoin(ClusterProcess p) =>
        p.Lines.Any(l => l.StartsWith("error: could not join the cluster through 127.0.0.1:", StringComparison.Ordinal));

    [Fact]
    public async Task Members_without_the_cluster_certificate_cannot_join_or_submit_and_members_with_it_can()
    {
        int a = TestMachine.FreePort();
        await Node("a", "coordinator,worker", a, null);
        var sweep = SweepFileWith("tls", """
            dataset { name = synthetic, synthetic { train-size = 64, test-size = 16, features = 4, classes = 2 } }
            model { hidden = [4] }
            base { batch-size = 16, learning-rate = 0.05, epochs = 1 }
            grid { seed = [1, 2] }
            metrics { flatness = [] }
            """);
        var intruderSweep = SweepFileWith("intruder", """
            dataset { name = synthetic }
            """);
        var other = NewCertificate("other");
        var seed = $"127.0.0.1:{a}";
        string[] Joining(string roles) => ["node", "--roles", roles, "--port", $"{TestMachine.FreePort()}", "--seed", seed, "--store", Store, "--slots", "1", "--join-timeout", "15"];
        var root = TestMachine.RepoRoot();

        ClusterProcess[] refused =
        [
            StartWithCertificate(null, root, "plain-node", Joining("worker")),
            StartWithCertificate(other, root, "other-node", Joining("worker")),
            StartWithCertificate(null, Dir, "plain-submit", "submit", intruderSweep, "--seed", seed, "--join-timeout", "15"),
            StartWithCertificate(other, Dir, "other-submit", "submit", intruderSweep, "--seed", seed, "--join-timeout", "15"),
        ];

        foreach (var process in refused)
        {
            Assert.Equal(1, await process.WaitForExit(Up));
            Assert.True(CouldNotJoin(process), $"{process.Name}: {string.Join('\n', process.Lines)}");
        }

        var submit = Submit(sweep, a);
        Assert.Equal(0, await WaitForExit(submit, Sweep));
        Assert.Contains("sweep tls: 2 completed, 0 diverged, 0 failed", submit.Lines);
        Assert.Equal(["tls"], Rows("SELECT sweep FROM sweeps").Select(r => (string)r[0]!));
        var log = Directory.GetFiles(Path.Combine(Store, "logs"), $"node-{a}-*.log").SelectMany(File.ReadLines)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        // Each refusal said, once per peer host a minute (all four came from 127.0.0.1 and retried for
        // 15 s); none of DotNetty's hex dumps and "suppress-validation" hints.
        foreach (var refusal in new[] { "Refused a TLS peer", "Refused a connection from {Peer}: it does not speak TLS" })
        {
            var times = log.Where(e => e.GetProperty("@mt").GetString()!.StartsWith(refusal, StringComparison.Ordinal))
                .Select(e => e.GetProperty("@t").GetDateTimeOffset()).ToList();
            Assert.NotEmpty(times);
            Assert.All(times.Zip(times.Skip(1), (earlier, later) => later - earlier), gap => Assert.True(gap >= TimeSpan.FromMinutes(1), $"{refusal}: said again after {gap}"));
        }

        Assert.DoesNotContain(log, e => e.GetProperty("@mt").GetString()!.StartsWith("TLS handshake failed", StringComparison.Ordinal));
        Assert.DoesNotContain(log, e => e.ToString().Contains("NotSslRecordException", StringComparison.Ordinal));
    }

    private ClusterProcess Submit(string file, int seed) => StartIn(Dir, "submit", "submit", file, "--seed", $"127.0.0.1:{seed}", "--quiet");
}
