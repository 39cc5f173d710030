using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Core.Workers;
using SweepGrid.Data;
using static TorchSharp.torch;

namespace SweepGrid.Bench;

/// <summary>
/// Training efficiency through a real worker process (issue 14): a trial of the MLP 784-512-512-10 +
/// batch norm on 60,000 samples, sent to `sweepgrid worker` as a slot sends it, against the bare
/// TorchSharp loop in this process. A SweepGrid epoch is a training epoch plus its evaluation of the
/// whole training and test sets, so the bare side does both too; the worker's time per epoch is the
/// difference between consecutive epochs' cumulative seconds, as the worker itself reports them.
/// </summary>
internal static class WorkerEfficiencyBench
{
    private const int Samples = 60_000, Test = 10_000, Features = 784, Classes = 10, Epochs = 6;

    public static string Run()
    {
        int threads = Environment.ProcessorCount;
        set_num_threads(threads);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"## Through a worker process ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, `--worker-efficiency`)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"MLP 784-512-512-10 + batch norm, {Samples:N0} training and {Test:N0} test samples; an epoch is training plus evaluating both sets. " +
            $"Median of {Epochs - 1} epochs after the first. The worker runs alone ({threads} threads), then the bare loop.");
        report.AppendLine();
        report.AppendLine("| batch | bare s/epoch (train + eval) | SweepGrid in this process s/epoch | SweepGrid in a worker process s/epoch | worker / bare | worker / in-process |");
        report.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int batch in new[] { 128, 4096 })
        {
            double worker = Measure.Median(WorkerEpochs(batch, threads));
            double inProcess = Measure.Median(InProcessEpochs(batch));
            double bare = Measure.Median(BareEpochs(batch));
            report.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {bare:F3} | {inProcess:F3} | {worker:F3} | {bare / worker:F3} | {inProcess / worker:F3} |");
        }

        report.AppendLine();
        report.AppendLine("Ratios are the other loop's time over the worker's: 1.0 means no loss, 0.95 a 5% loss. \"in this process\" is");
        report.AppendLine("TrainingSession.TrainEpoch + Evaluate, the code the worker runs, without the process: the difference is the process's cost.");
        return report.ToString();
    }

    private static TrialSpec Trial(int batch) => GridExpansion.Expand(SweepFile.Parse($$"""
        sweep {
          name = efficiency
          dataset { name = synthetic, synthetic { train-size = {{Samples}}, test-size = {{Test}}, features = {{Features}}, classes = {{Classes}} } }
          model { name = mlp, hidden = [512, 512], norm = batch }
          base { batch-size = {{batch}}, learning-rate = 0.01, epochs = {{Epochs}} }
          metrics { every-steps = 50, flatness = [] }
          checkpoint { every-epochs = 0 }
        }
        """, "efficiency"))[0];

    private static List<double> WorkerEpochs(int batch, int threads)
    {
        var epochs = new List<EpochRecord>();
        var ended = new TaskCompletionSource();
        var ready = new TaskCompletionSource();
        var command = Sweepgrid.Worker("torch") with { Arguments = ["worker", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--trial-runner", "torch"] };
        using var worker = new ProcessWorkerLauncher(command).Start("bench", new WorkerEvents(
            m =>
            {
                switch (m)
                {
                    case WorkerReady:
                        ready.TrySetResult();
                        break;
                    case TrialEpochDone e:
                        epochs.Add(e.Record);
                        break;
                    case TrialEnded or TrialCrashed:
                        ended.TrySetResult();
                        break;
                }
            },
            _ => { },
            (code, error) => ended.TrySetException(new InvalidOperationException($"worker exited {code}: {error}"))));
        ready.Task.Wait(TimeSpan.FromMinutes(1));
        worker.Send(new RunTrial(Trial(batch), 1, "cpu", null, null));
        ended.Task.Wait(TimeSpan.FromMinutes(30));
        return epochs.Zip(epochs.Skip(1), (before, after) => after.Seconds - before.Seconds).Skip(1).ToList();
    }

    private static List<double> InProcessEpochs(int batch)
    {
        var trial = Trial(batch);
        using var session = new Training.Loop.TrainingSession(trial, Datasets.Load(trial.Dataset), CPU, Training.Loop.TrainerOptions.Default);
        var times = new List<double>();
        for (int e = 1; e <= Epochs; e++)
        {
            var clock = Stopwatch.StartNew();
            var result = session.TrainEpoch(CancellationToken.None);
            session.TakePoints();
            session.Evaluate(e, result.Steps * e, 0);
            if (e > 1) times.Add(clock.Elapsed.TotalSeconds);
        }

        return times;
    }

    private static List<double> BareEpochs(int batch)
    {
        var trial = Trial(batch);
        var data = Datasets.Load(trial.Dataset);
        using var bare = new BareLoop(data.Train, batch);
        var times = new List<double>();
        for (int e = 0; e < Epochs; e++)
        {
            var clock = Stopwatch.StartNew();
            bare.Epoch();
            bare.Evaluate(data.Test);
            if (e > 0) times.Add(clock.Elapsed.TotalSeconds);
        }

        return times;
    }
}
