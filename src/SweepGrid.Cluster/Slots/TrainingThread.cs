using System.Collections.Concurrent;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// One long-lived thread per training slot, on which its trials run one after another. Not a new
/// thread per trial: glibc gives each new thread that allocates its own malloc arena and keeps them,
/// so thread-per-trial made a 300-trial sweep's memory creep by ~10 MiB per 100 trials, while one
/// thread per slot keeps it flat (bench/results/memory-sweep.md). Never the actor dispatcher's
/// threads: a trial blocks for minutes.
/// </summary>
internal sealed class TrainingThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();

    public TrainingThread(string name)
    {
        var thread = new Thread(() =>
        {
            foreach (var action in _work.GetConsumingEnumerable()) action();
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
    }

    public Task<T> Run<T>(Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                result.SetResult(work());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task;
    }

    /// <summary>The thread ends after the trial it is running (cancel that trial's token to hurry it).</summary>
    public void Dispose() => _work.CompleteAdding();
}
