using System.IO.Pipes;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Workers;
using SweepGrid.Training.Workers;

namespace SweepGrid.Cluster.Tests;

/// <summary>
/// The worker loop of a worker process (<see cref="TrialWorker"/>), on a thread of the test process and
/// over real pipes: for specs of the slot and the embedded sweep, where a process per worker would only
/// add start-up time. Real worker processes are tested end to end in SweepGrid.Integration.Tests.
/// A killed worker's pipes close and it is reported dead with SIGKILL's exit code.
/// </summary>
/// <param name="dies">
/// For a trial it is sent, whether its worker dies at once (as a process killed by the OOM killer or a
/// native abort would), and with which exit code and last stderr line; null: it runs.
/// </param>
/// <param name="failsToStart">Whether each worker dies before it is ready, and how (a libtorch that cannot load, say).</param>
internal sealed class InProcessWorkers(
    Func<ITrialRunner> runner, Func<RunTrial, (int ExitCode, string LastError)?>? dies = null, (int ExitCode, string LastError)? failsToStart = null) : IWorkerLauncher
{
    public static InProcessWorkers Training => new(() => TorchTrialRunner.Instance);

    /// <summary>Workers started so far.</summary>
    public int Started => _started;

    private int _started;

    public IWorker Start(string slot, WorkerEvents events)
    {
        Interlocked.Increment(ref _started);
        if (failsToStart is var (code, line))
        {
            ThreadPool.QueueUserWorkItem(_ => events.Exited(code, line));
            return new Worker(new AnonymousPipeServerStream(PipeDirection.Out), new AnonymousPipeServerStream(PipeDirection.In), null);
        }

        var toWorker = new AnonymousPipeServerStream(PipeDirection.Out);
        var fromWorker = new AnonymousPipeServerStream(PipeDirection.In);
        var worker = new Worker(toWorker, fromWorker, dies);
        var input = new AnonymousPipeClientStream(PipeDirection.In, toWorker.ClientSafePipeHandle);
        var output = new AnonymousPipeClientStream(PipeDirection.Out, fromWorker.ClientSafePipeHandle);
        new Thread(() =>
        {
            try
            {
                new TrialWorker(input, output, runner(), () => { }).Run(0);
            }
            catch (IOException)
            {
                // Killed: its pipes are closed under it.
            }
            finally
            {
                output.Dispose();
            }
        }) { IsBackground = true, Name = $"in-process worker of {slot}" }.Start();
        new Thread(() =>
        {
            try
            {
                while (WorkerFrames.Read(fromWorker) is { } message) events.Message(message);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }

            var (code, line) = worker.Death ?? (worker.Killed ? (137, "killed by its slot") : (0, null));
            events.Exited(code, line);
        }) { IsBackground = true, Name = $"reader of {slot}" }.Start();
        return worker;
    }

    private sealed class Worker(AnonymousPipeServerStream toWorker, AnonymousPipeServerStream fromWorker, Func<RunTrial, (int, string)?>? dies) : IWorker
    {
        private readonly Lock _gate = new();

        public volatile bool Killed;

        public (int, string)? Death { get; private set; }

        public int ProcessId => Environment.ProcessId;

        public bool Send(WorkerMessage message)
        {
            if (message is RunTrial run && dies?.Invoke(run) is { } death)
            {
                Death = death;
                Kill();
                return true;
            }

            lock (_gate)
            {
                try
                {
                    WorkerFrames.Write(toWorker, message);
                    return true;
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    return false;
                }
            }
        }

        public void Kill()
        {
            Killed = true;
            Dispose();
            fromWorker.Dispose();
        }

        public void Dispose()
        {
            lock (_gate) toWorker.Dispose();
        }
    }
}
