using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Core.Workers;

namespace SweepGrid.Core.Tests;

public sealed class WorkerFramesTests
{
    private static readonly TrialSpec Trial = GridExpansion.Expand(SweepFile.Parse("sweep { name = frames, dataset { name = synthetic } }", "frames.hocon"))[0];

    [Fact]
    public void Every_message_survives_a_trip_through_a_stream_in_order()
    {
        var epoch = new EpochRecord(3, 300, 0.1, 0.5, 0.8, 0.6, 0.75, 1.5, 12.5);
        var point = new TrajectoryPoint(300, 3, 0.1, 0.4, 2.0, 1.5, 0.01, double.NaN, new Dictionary<string, double> { ["fc1"] = 0.5 });
        WorkerMessage[] messages =
        [
            new WorkerReady(42, 0.8),
            new RunTrial(Trial, 2, "cuda:1", "/store/checkpoints/frames/x.ckpt", null),
            ReleaseTrial.Instance,
            new TrialResumed(2),
            new TrialPointsDone([point]),
            new TrialEpochDone(epoch),
            new TrialFlatnessDone(new FlatnessRecord(3, "hessian-top", 12.5, 1.2, 13)),
            new TrialEnded(TrialOutcome.Completed(epoch, 12.5, null)),
            new TrialCrashed("CUDA out of memory", "System.Exception: CUDA out of memory\n   at ..."),
            new TrialStopped(2, true),
            new TrialStopped(1, false),
        ];
        var stream = new MemoryStream();
        foreach (var m in messages) WorkerFrames.Write(stream, m);
        stream.Position = 0;

        var read = new List<WorkerMessage>();
        while (WorkerFrames.Read(stream) is { } m) read.Add(m);

        Assert.Equal(messages.Length, read.Count);
        Assert.Equal(messages.Select(m => m.GetType()), read.Select(m => m.GetType()));
        Assert.Equal(messages[1], (RunTrial)read[1] with { Trial = Trial }); // records holding lists compare them by reference
        Assert.Equal(Trial.TrialId, ((RunTrial)read[1]).Trial.TrialId);
        Assert.Equal(epoch, ((TrialEpochDone)read[5]).Record);
        var back = Assert.Single(((TrialPointsDone)read[4]).Points);
        Assert.True(double.IsNaN(back.PathLength));
        Assert.Equal(0.5, back.LayerDistances["fc1"]);
        Assert.Equal(new TrialStopped(1, false), read[^1]);
    }

    [Fact]
    public void A_broken_stream_is_refused_and_an_empty_one_is_the_end()
    {
        Assert.Null(WorkerFrames.Read(new MemoryStream()));
        Assert.Throws<InvalidDataException>(() => WorkerFrames.Read(new MemoryStream([1, 0])));
        Assert.Throws<InvalidDataException>(() => WorkerFrames.Read(new MemoryStream([0xff, 0xff, 0xff, 0x7f, 1, 2])));
        Assert.Throws<InvalidDataException>(() => WorkerFrames.Read(new MemoryStream([10, 0, 0, 0, 1, 2])));
        Assert.Throws<InvalidDataException>(() => WorkerFrames.Read(new MemoryStream([2, 0, 0, 0, (byte)'{', (byte)'}'])));
    }

    [Theory]
    [InlineData(137, null, "its worker process died: signal 9 (killed: out of memory?")]
    [InlineData(134, "terminate called after throwing an instance of 'c10::Error'", "signal 6 (aborted")]
    [InlineData(134, "terminate called after throwing an instance of 'c10::Error'", ": terminate called after throwing an instance of 'c10::Error'")]
    [InlineData(3, "", "its worker process died: exit code 3")]
    [InlineData(139, null, "signal 11 (segmentation fault)")]
    public void A_dead_workers_exit_is_described_by_its_cause(int exitCode, string? lastError, string expected) =>
        Assert.Contains(expected, WorkerExit.Describe(exitCode, lastError));

    /// <summary>Where its memory cgroup recorded an OOM kill, the kernel's record is the reason, not the guess that SIGKILL allows.</summary>
    [Fact]
    public void An_oom_kill_its_cgroup_recorded_is_named_without_a_guess() =>
        Assert.Equal("its worker process died: out of memory: the kernel killed it at its limit of 1 GiB (--slot-memory; its memory cgroup counted an OOM kill)",
            WorkerExit.Describe(137, WorkerExit.OutOfMemory(1L << 30)));
}

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("512M", 512L << 20)]
    [InlineData("4G", 4L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2 GB", 2L << 30)]
    [InlineData("64k", 64L << 10)]
    [InlineData("1T", 1L << 40)]
    public void Sizes_parse_with_binary_units(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1G")]
    [InlineData("4X")]
    [InlineData("0")]
    [InlineData("99999999999T")]
    public void Anything_else_is_not_a_size(string text) => Assert.Null(ByteSize.Parse(text));
}
