using System.Runtime.InteropServices;
using SweepGrid.Core.Results;

namespace SweepGrid.Training.Workers;

/// <summary>
/// For the tests of failure attribution only (`--test-abort-seed N`, hidden): trains every trial but
/// those of seed <paramref name="seed"/>, whose worker process aborts natively after the trial's first
/// epoch, as libtorch's std::terminate does: SIGABRT, no .NET exception, no chance to clean up.
/// </summary>
public sealed class AbortingTrialRunner(int seed, ITrialRunner inner) : ITrialRunner
{
    public TrialOutcome Run(TrialRun run) =>
        run.Trial.Seed != seed ? inner.Run(run) : inner.Run(run with { Observer = new AbortAfterFirstEpoch(run.Observer) });

    private sealed class AbortAfterFirstEpoch(Loop.ITrainingObserver observer) : Loop.ITrainingObserver
    {
        public void OnEpoch(EpochRecord record)
        {
            observer.OnEpoch(record);
            Console.Error.WriteLine($"test switch --test-abort-seed: aborting the worker after epoch {record.Epoch}");
            abort();
        }

        public void OnTrajectory(IReadOnlyList<TrajectoryPoint> points) => observer.OnTrajectory(points);

        public void OnFlatness(FlatnessRecord record) => observer.OnFlatness(record);

        public void OnWalk(WalkRecord record) => observer.OnWalk(record);

        public void OnResumed(int epoch, long stepInEpoch) => observer.OnResumed(epoch, stepInEpoch);
    }

    [DllImport("libc")]
    private static extern void abort();
}
