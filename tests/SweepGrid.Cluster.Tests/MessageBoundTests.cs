using SweepGrid.Store;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Coordination.SweepDirectorProtocol;

namespace SweepGrid.Cluster.Tests;

/// <summary>
/// No message between nodes and no coordinator or director event grows with the number of trials:
/// each stays under <see cref="SweepJson.MaxMessageBytes"/> (half Akka.Remote's default frame) at its
/// largest, for a 100,000-trial sweep; and the serializer refuses anything larger instead of handing
/// remoting a frame it would silently drop.
/// </summary>
public sealed class MessageBoundTests() : TestKit(NodeConfig.Local(new StoreLocation(Path.GetTempPath())))
{
    private int Bytes(object message) => Sys.Serialization.FindSerializerFor(message).ToBinary(message).Length;

    private static string Axis(int count, Func<int, string> value) => $"[{string.Join(", ", Enumerable.Range(1, count).Select(value))}]";

    /// <summary>100,000 trials with a sweep name, a dataset path and model of the longest a user is likely to write.</summary>
    private static SweepDefinition HundredThousand() => SweepDefinition.Create(SweepFile.Parse(HundredThousandText, "bound.hocon"), trainCount: 60_000, SweepDefinition.DefaultMaxTrials);

    private static string HundredThousandText => $$"""
        sweep {
          name = {{new string('n', 64)}}
          dataset { name = fashion-mnist, path = "{{new string('p', 1000)}}" }
          model { hidden = {{Axis(50, _ => "4096")}} }
          base { batch-size = 32, epochs = 100 }
          schedule { name = step, drop-epochs = [10, 20, 30] }
          grid {
            batch-size = {{Axis(10, i => (32 * i).ToString())}}
            learning-rate = {{Axis(10, i => $"{i}e-3")}}
            regularizer-strength = {{Axis(10, i => $"{i}e-5")}}
            seed = {{Axis(100, i => i.ToString())}}
          }
          metrics { flatness = [sharpness, hessian-top, hessian-trace, relative-flatness], flatness-epochs = {{Axis(50, i => i.ToString())}} }
        }
        """;

    [Fact]
    public void Every_message_of_a_hundred_thousand_trial_sweep_stays_under_the_bound()
    {
        var definition = HundredThousand();
        var trial = definition.Expand()[^1];
        var name = definition.Name;
        var slot = $"{new string('h', 253)}:65535/slot-999";
        var running = Enumerable.Range(0, MaxListedRunning)
            .Select(i => new RunningTrial(trial.TrialId, 99, slot, 999, 9999, TrialText.Brief(trial))).ToList();
        var progress = new SweepProgress(name, new TrialCounts(100_000, 0, 0, 0, 0), long.MaxValue, long.MaxValue, running, 99_999 - MaxListedRunning);
        var reasons = Enumerable.Range(0, 100).Select(_ => new string('e', 10_000));
        var messages = new object[]
        {
            new SubmitSweep(new string('f', 1000), HundredThousandText),
            new Define(definition),
            new SweepDefined(definition),
            new SweepRegistered(name),
            new Submitted(100_000, 100_000, 100_000),
            SubmitRejected.Of(reasons, badInput: true),
            progress,
            new SweepFinished(progress),
            new UnknownSweep(name, Enumerable.Repeat(name, 1000).Take(MaxListedSweeps).ToList()),
            new Assignment(trial, 99),
            new TrialStarted(trial.TrialId, 99, slot, trial.Epochs, TrialText.Brief(trial)),
            new RequestWork(slot, true, new ReportedAttempt(trial.TrialId, 99)),
        };

        Assert.Equal(100_000, definition.TrialCount);
        Assert.All(messages, m => Assert.InRange(Bytes(m), 1, SweepJson.MaxMessageBytes));
        // The largest of them, the running trials of a follower's first message, has room to spare.
        Assert.InRange(Bytes(progress), 1, SweepJson.MaxMessageBytes * 3 / 4);
    }

    [Fact]
    public void The_serializer_refuses_a_message_over_the_bound_naming_it()
    {
        var seeds = string.Join(", ", Enumerable.Range(1_000_000, 12_000));
        var oversized = HundredThousandText.Replace("seed = [", $"seed = [{seeds}, ", StringComparison.Ordinal);

        var e = Assert.Throws<SerializationException>(() => Bytes(new SubmitSweep("big.hocon", oversized)));
        Assert.Contains("submit-sweep is", e.Message);
        Assert.Contains("65,536-byte bound", e.Message);
    }
}
