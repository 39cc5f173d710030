using System.IO.Pipes;
using SweepGrid.Core.Results;
using SweepGrid.Core.Workers;
using SweepGrid.Training.Workers;

namespace SweepGrid.Training.Tests.Workers;

/// <summary>A worker's loop over real pipes, as its slot drives it.</summary>
public sealed class TrialWorkerTests
{
    /// <summary>Reports one epoch, then waits to be told it is stored; the count it saw becomes the outcome's steps.</summary>
    private sealed class WaitsForStorage : ITrialRunner
    {
        public TrialOutcome Run(TrialRun run)
        {
            var epoch = new EpochRecord(1, 1, run.Trial.LearningRate, 1, 0.5, 1, 0.5, 0, 0);
            run.Observer.OnEpoch(epoch);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            int stored;
            while ((stored = run.Options.StoredReports!()) < 1 && DateTime.UtcNow < deadline) Thread.Sleep(5);
            return new TrialOutcome(TrialStatus.Completed, epoch, stored, 0, null);
        }
    }

    [Fact]
    public void Stored_counts_reach_the_running_attempt_and_those_of_another_trial_or_attempt_are_ignored()
    {
        var trial = SyntheticSweeps.Trial();
        using var toWorker = new AnonymousPipeServerStream(PipeDirection.Out);
        using var fromWorker = new AnonymousPipeServerStream(PipeDirection.In);
        var input = new AnonymousPipeClientStream(PipeDirection.In, toWorker.ClientSafePipeHandle);
        var output = new AnonymousPipeClientStream(PipeDirection.Out, fromWorker.ClientSafePipeHandle);
        var worker = new Thread(() =>
        {
            new TrialWorker(input, output, new WaitsForStorage(), () => { }).Run(0);
            output.Dispose();
        }) { IsBackground = true };
        worker.Start();

        Assert.IsType<WorkerReady>(WorkerFrames.Read(fromWorker));
        WorkerFrames.Write(toWorker, new RunTrial(trial, 2, "cpu", null, null));
        Assert.IsType<TrialEpochDone>(WorkerFrames.Read(fromWorker));
        WorkerFrames.Write(toWorker, new ReportsStored(trial.TrialId, 1, 5)); // an earlier attempt's
        WorkerFrames.Write(toWorker, new ReportsStored("another-trial", 2, 7));
        WorkerFrames.Write(toWorker, new ReportsStored(trial.TrialId, 2, 1));

        var ended = Assert.IsType<TrialEnded>(WorkerFrames.Read(fromWorker));
        Assert.Equal(1, ended.Outcome.Steps);
        toWorker.Dispose();
        Assert.True(worker.Join(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_worker_whose_node_goes_silent_mid_trial_stops_on_its_own_and_one_that_hears_from_it_does_not()
    {
        var trial = SyntheticSweeps.Trial();
        using var toWorker = new AnonymousPipeServerStream(PipeDirection.Out);
        using var fromWorker = new AnonymousPipeServerStream(PipeDirection.In);
        var input = new AnonymousPipeClientStream(PipeDirection.In, toWorker.ClientSafePipeHandle);
        var output = new AnonymousPipeClientStream(PipeDirection.Out, fromWorker.ClientSafePipeHandle);
        using var silent = new ManualResetEventSlim();
        // A trial that would run for a minute, on a node that sends one frame and then nothing (frozen).
        var worker = new Thread(() =>
        {
            try
            {
                new TrialWorker(input, output, new NoOpTrialRunner(TimeSpan.FromMinutes(1)), () => { },
                    nodeSilence: TimeSpan.FromSeconds(5), onNodeSilent: silent.Set).Run(0);
            }
            catch (IOException)
            {
                // The worker process this thread stands for exits at onNodeSilent; the thread instead ends its
                // minute-long trial and writes to pipes this test has closed by then (a CI run beside other
                // projects: the run lasted past that minute, and the unhandled write crashed the test host).
            }
        }) { IsBackground = true };
        worker.Start();

        Assert.IsType<WorkerReady>(WorkerFrames.Read(fromWorker));
        WorkerFrames.Write(toWorker, new RunTrial(trial, 1, "cpu", null, null));
        for (int i = 0; i < 3; i++)
        {
            Thread.Sleep(1000);
            WorkerFrames.Write(toWorker, NodeAlive.Instance); // alive: each frame restarts the silence
        }

        Assert.False(silent.IsSet, "the worker stopped although its node kept saying it was alive");
        Assert.True(silent.Wait(TimeSpan.FromSeconds(30)), "the worker trained on with its node silent");
    }
}
